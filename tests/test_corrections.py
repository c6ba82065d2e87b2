"""Metadata a user can correct: needs_review, the meta command, and corrections that hold.

Real index on disk, real e5 embedder; the reports are small files written in published shapes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import BadCorrectionError

# No unit anywhere: no title line, no signature, no table cell, no publisher.
UNNAMED = """本年度，我单位严格按照财政部门要求开展预算绩效自评，现将有关情况说明如下：
一、基本情况
本单位内设股室4个，年末在职人员31人。全年支出1,286.40万元，其中基本支出612.30万元。
二、绩效目标完成情况
完成护林巡查1,200次，森林火灾受害率控制在0.3‰以内。
"""

NAMED = """2023年度醴陵市民政局部门整体支出绩效自评报告
一、基本情况
本局内设机构8个，年末在职人员42人。全年支出12,856.34万元，其中基本支出1,206.50万元。
二、绩效目标完成情况
全年发放城乡低保金6,532.10万元。
"""


@pytest.fixture
def office(settings_factory, tmp_path):
    """An assistant over a corpus of one named and one unnamed report."""
    from assistant.service import Assistant

    corpus = tmp_path / "reports"
    corpus.mkdir()
    (corpus / "unnamed.txt").write_text(UNNAMED, encoding="utf-8")
    (corpus / "liling.txt").write_text(NAMED, encoding="utf-8")
    assistant = Assistant(settings_factory(corpus_dir=corpus))
    assert not assistant.ingest().failed
    return assistant, corpus


def _by_file(assistant, name: str):
    return next(r for r in assistant.reports() if Path(r.source).name == name)


def test_unread_fields_are_listed_for_review(office):
    assistant, _ = office
    unnamed, named = _by_file(assistant, "unnamed.txt"), _by_file(assistant, "liling.txt")
    assert unnamed.bureau == "" and {"bureau", "year"} <= set(unnamed.needs_review)
    assert unnamed.title == "unnamed.txt"  # named by what is known: its file
    assert named.needs_review == ()


def test_an_unnamed_report_stays_searchable_but_never_answers_for_a_named_bureau(office):
    assistant, _ = office
    answer = assistant.ask("护林巡查多少次？")
    assert not answer.abstained and "1,200" in answer.answer
    named = assistant.ask("醴陵民政局基本支出是多少？")
    assert all(c.report_id == _by_file(assistant, "liling.txt").id for c in named.citations)
    assert "612.30" not in named.answer


def test_a_correction_applies_at_once_and_survives_reingest_and_prune(office):
    assistant, corpus = office
    source = str((corpus / "unnamed.txt").resolve())
    fixed = assistant.correct_metadata("unnamed.txt", bureau="攸县林业局", year=2023, kind="绩效情况说明")
    assert (fixed.bureau, fixed.region, fixed.year, fixed.kind) == ("攸县林业局", "湖南省株洲市攸县", 2023, "绩效情况说明")
    assert fixed.title == "攸县林业局2023年度绩效情况说明" and fixed.needs_review == ()
    # Query analysis, filters and citations use it at once.
    answer = assistant.ask("攸县林业局护林巡查多少次？")
    assert not answer.abstained and {c.report_id for c in answer.citations} == {fixed.id}
    assert (answer.citations[0].report, answer.citations[0].bureau) == ("攸县林业局2023年度绩效情况说明", "攸县林业局")
    assert {r.id for r in assistant.analyzer.resolve_bureau("攸县")} == {fixed.id}
    # An edit of the file re-ingests it under a new id; the correction follows the source.
    (corpus / "unnamed.txt").write_text(UNNAMED + "三、下一步工作\n加强资金管理。\n", encoding="utf-8")
    result = assistant.ingest()
    assert len(result.replaced) == 1
    assert _by_file(assistant, "unnamed.txt").bureau == "攸县林业局"
    # Pruned while the file is away, and back again: still corrected.
    moved = corpus.parent / "away.txt"
    (corpus / "unnamed.txt").rename(moved)
    assert assistant.ingest(prune=True).removed == [source]
    moved.rename(corpus / "unnamed.txt")
    assistant.ingest(prune=True)
    assert _by_file(assistant, "unnamed.txt").bureau == "攸县林业局"


def test_a_question_naming_an_unread_bureau_asks_the_reports_that_mention_it(settings_factory, tmp_path):
    from assistant.service import Assistant

    corpus = tmp_path / "reports"
    corpus.mkdir()
    # The place appears only deep in the body, where no metadata is read from.
    (corpus / "mentions.txt").write_text(UNNAMED.replace("完成护林巡查", "在攸县境内完成护林巡查"), encoding="utf-8")
    (corpus / "liling.txt").write_text(NAMED, encoding="utf-8")
    assistant = Assistant(settings_factory(corpus_dir=corpus))
    assistant.ingest()
    mentions = _by_file(assistant, "mentions.txt")
    assert mentions.bureau == ""
    answer = assistant.ask("攸县林业局护林巡查多少次？")
    assert not answer.abstained and {c.report_id for c in answer.citations} == {mentions.id}
    refused = assistant.ask("株洲市林业局护林巡查多少次？")
    assert refused.abstained and "没有收录" in refused.answer


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nosuch.txt", "--year", "2023"], "没有对应的已导入报告"),
        (["unnamed.txt", "--kind", "年度总结"], "不在分类中"),
        (["unnamed.txt", "--year", "23"], "年度 23 不可用"),
        (["unnamed.txt", "--bureau", "<script>"], "不可用"),
    ],
)
def test_meta_cli_refuses_bad_corrections_and_changes_nothing(office, tmp_path, arguments, message):
    assistant, corpus = office
    done = _cli(assistant, tmp_path, "meta", *arguments)
    assert done.returncode == 2 and message in done.stderr
    assert assistant.store.corrections() == {}


def test_meta_cli_corrects_and_reports_json_shows_it(office, tmp_path):
    assistant, _ = office
    done = _cli(assistant, tmp_path, "meta", "unnamed.txt", "--bureau", "攸县林业局", "--year", "2023", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["bureau"] == "攸县林业局"
    listed = json.loads(_cli(assistant, tmp_path, "reports", "--json").stdout)["reports"]
    row = next(r for r in listed if r["source"].endswith("unnamed.txt"))
    assert (row["bureau"], row["year"], row["region"]) == ("攸县林业局", 2023, "湖南省株洲市攸县")
    assert row["needs_review"] == ["kind"]


def test_service_names_the_bad_value(office):
    assistant, _ = office
    with pytest.raises(BadCorrectionError, match="2–40 个汉字"):
        assistant.correct_metadata("unnamed.txt", bureau="x")


def _cli(assistant, cwd: Path, *arguments: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["ASSISTANT_INDEX_DIR"] = str(assistant.settings.index_dir)
    env["ASSISTANT_CORPUS_DIR"] = str(assistant.settings.corpus_dir)
    return subprocess.run([sys.executable, "-m", "assistant", *arguments], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
