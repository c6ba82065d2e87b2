"""The development question sets, graded by the rules in ../shared/eval/README.md, hold their bars.

Both sets are development sets: the answerer's weights are fitted on them (python -m assistant fit).
The blind test set (tests/data/testset/) is only run to report figures, never asserted on here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from assistant.evaluate import evaluate, load_questions, normalise, summarise

SHARED_SET = ROOT.parent / "shared" / "eval" / "qa.jsonl"
HELD_OUT_SET = ROOT / "tests" / "data" / "qa_heldout.jsonl"  # a development set, despite its name


def scores(assistant, path: Path):
    texts = {m.title: (m.bureau, normalise(assistant.store.report_text(m.id))) for m in assistant.reports()}
    return summarise(evaluate(load_questions(path), assistant.ask, texts))


@pytest.mark.skipif(not SHARED_SET.exists(), reason=f"the shared question set is not at {SHARED_SET}")
def test_shared_development_set_holds_its_bars(shipped_assistant):
    summary = scores(shipped_assistant, SHARED_SET)
    assert summary.citation_hit >= 0.9 and summary.answer_hit >= 0.9 and summary.hit_at_5 >= 0.95
    # 15 of 18: three questions ask 多少家 first but list the money figure as `lead`; the answer keeps the asked order.
    assert summary.first_figure >= 0.8
    assert summary.abstained == summary.unanswerable and summary.misattributions == 0


def test_second_development_set_holds_its_bars(shipped_assistant):
    summary = scores(shipped_assistant, HELD_OUT_SET)
    assert summary.citation_hit >= 0.88 and summary.answer_hit >= 0.9 and summary.hit_at_5 >= 0.9
    assert summary.first_figure >= 0.85 and summary.wrong_abstentions <= 2
    assert summary.abstained == summary.unanswerable and summary.misattributions <= 1


def test_grading_counts_a_wrong_bureau_as_a_miss(shipped_assistant):
    question = load_questions(HELD_OUT_SET)[0]
    wrong = shipped_assistant.ask("常宁市科工信局2022年三公经费是多少？")
    texts = {m.title: (m.bureau, normalise(shipped_assistant.store.report_text(m.id))) for m in shipped_assistant.reports()}
    graded = evaluate([question], lambda _: wrong, texts)[0]
    assert not graded.citation_hit and graded.failures


def test_fit_takes_question_sets_about_other_report_folders():
    from assistant.cli import _parser

    args = _parser().parse_args(["fit", "a.jsonl", "--with", "b.jsonl", "reports_b", "--with", "c.jsonl", "reports_c"])
    assert args.questions == [Path("a.jsonl")]
    assert args.paired == [[Path("b.jsonl"), Path("reports_b")], [Path("c.jsonl"), Path("reports_c")]]
