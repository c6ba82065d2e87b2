"""Scores the assistant on a question set, following the grading rules in ../shared/eval/README.md."""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .models import Answer

HIT_AT = 5
# A figure: digits with an optional decimal part (years and ordinals included; they are checked too).
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def normalise(text: str) -> str:
    """NFKC with all whitespace removed, as the grading rules compare text."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str
    answer_any: tuple[str, ...]
    answer_all: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]


@dataclass
class Graded:
    question: Question
    answer: Answer
    retrieval_rank: int | None  # 1-based rank by which all evidence was found, None when never
    citation_hit: bool
    answer_hit: bool
    misattributed: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        q = self.question
        if q.kind == "unanswerable":
            return [] if self.answer.abstained else ["did not abstain"]
        found = []
        if self.retrieval_rank is None or self.retrieval_rank > HIT_AT:
            found.append(f"evidence not in top {HIT_AT} passages")
        if not self.citation_hit:
            found.append("evidence not in cited quotes")
        if not self.answer_hit:
            found.append("answer lacks expected text")
        if self.misattributed:
            found.append(f"misattributed figures {self.misattributed}")
        return found


def load_questions(path: Path) -> list[Question]:
    """Questions from a JSONL file in the grading format."""
    questions = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            questions.append(
                Question(
                    raw["id"], raw["question"], raw.get("kind", ""), tuple(raw.get("answer_any", [])),
                    tuple(raw.get("answer_all", [])), tuple(tuple(e) for e in raw.get("evidence", [])),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{line_no}: not a question record ({error})") from error
    return questions


def grade(question: Question, answer: Answer, report_texts: dict[str, tuple[str, str]]) -> Graded:
    """Grade one answer. `report_texts` maps report title to (bureau, normalised text)."""
    passages = [(p.bureau + p.report, normalise(p.text)) for p in answer.passages]
    rank = _rank_covering(question.evidence, passages)
    quotes = [(c.bureau + c.report, normalise(c.quote)) for c in answer.citations]
    citation_hit = bool(question.evidence) and _covers(question.evidence, quotes)
    text = normalise(answer.answer)
    answer_hit = (not question.answer_any or any(normalise(a) in text for a in question.answer_any)) and all(
        normalise(a) in text for a in question.answer_all
    )
    if question.kind == "unanswerable":
        citation_hit = answer_hit = answer.abstained
    return Graded(question, answer, rank, citation_hit, answer_hit, _misattributed(answer, report_texts))


def _covers(evidence: Iterable[tuple[str, str]], texts: list[tuple[str, str]]) -> bool:
    return all(any(bureau in owner and normalise(snippet) in text for owner, text in texts) for bureau, snippet in evidence)


def _rank_covering(evidence: tuple[tuple[str, str], ...], passages: list[tuple[str, str]]) -> int | None:
    if not evidence:
        return None
    for k in range(1, len(passages) + 1):
        if _covers(evidence, passages[:k]):
            return k
    return None


def _misattributed(answer: Answer, report_texts: dict[str, tuple[str, str]]) -> list[str]:
    """Figures in the answer that appear in no cited report but do appear in another report."""
    if answer.abstained or not answer.citations:
        return []
    cited = {c.report for c in answer.citations}
    cited_text = "".join(report_texts[r][1] for r in cited if r in report_texts)
    other_text = "".join(text for title, (_, text) in report_texts.items() if title not in cited)
    return [f for f in set(_FIGURE.findall(normalise(answer.answer))) if f not in cited_text and f in other_text]


@dataclass(frozen=True)
class Summary:
    total: int
    hit_at_5: float
    mrr: float
    citation_hit: float
    answer_hit: float
    abstained: int
    unanswerable: int
    misattributions: int
    latency_p50_ms: float
    latency_p95_ms: float


def summarise(graded: list[Graded]) -> Summary:
    """The question set's scores: retrieval and citations over answerable questions."""
    answerable = [g for g in graded if g.question.kind != "unanswerable"]
    unanswerable = [g for g in graded if g.question.kind == "unanswerable"]
    latencies = sorted(g.answer.timings_ms.get("total", 0.0) for g in graded)
    share = lambda flags: sum(flags) / len(flags) if flags else 0.0  # noqa: E731
    return Summary(
        total=len(graded),
        hit_at_5=share([g.retrieval_rank is not None and g.retrieval_rank <= HIT_AT for g in answerable]),
        mrr=share([1 / g.retrieval_rank if g.retrieval_rank else 0.0 for g in answerable]),
        citation_hit=share([g.citation_hit for g in answerable]),
        answer_hit=share([g.answer_hit for g in answerable]),
        abstained=sum(g.answer.abstained for g in unanswerable),
        unanswerable=len(unanswerable),
        misattributions=sum(len(g.misattributed) > 0 for g in graded),
        latency_p50_ms=statistics.median(latencies) if latencies else 0.0,
        latency_p95_ms=latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))] if latencies else 0.0,
    )


def evaluate(questions: list[Question], ask: Callable[[str], Answer], report_texts: dict[str, tuple[str, str]], progress: Callable[[Iterable], Iterable] = iter) -> list[Graded]:
    """Ask every question and grade the answers."""
    return [grade(q, ask(q.question), report_texts) for q in progress(questions)]
