"""Scores the assistant on a question set, following the grading rules in ../shared/eval/README.md.

A reader takes the first figure an answer states, so number and count questions are also graded on
that figure alone: the right number later in a quote does not rescue a wrong first one.
"""

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
FIGURE_KINDS = ("number", "count")
KINDS = ("number", "count", "list", "descriptive", "compare", "unanswerable")
# A figure stands apart from Latin letters: 5G and 10kV name things, they state no figure.
_FIGURE = re.compile(r"(?<![\dA-Za-z.])\d+(?:\.\d+)?(?![\d.A-Za-z])")
_MARKER = re.compile(r"\[\d+\]")
_YEAR = re.compile(r"(?:19|20)\d{2}(?:年|-\d)")
_GROUPED = re.compile(r"(?<=\d),(?=\d{3})")
_CN_FIGURE = re.compile(r"[零〇一二两三四五六七八九十百千万]+(?=(?:余|多)?[个家人名项次场条座台处所批])")


def normalise(text: str) -> str:
    """NFKC with all whitespace removed, as the grading rules compare text."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def figure_key(text: str) -> str:
    """A figure as compared: no thousands separators, no trailing decimal zeros."""
    text = _GROUPED.sub("", normalise(text))
    return text.rstrip("0").rstrip(".") if "." in text else text


def first_figure(answer: str) -> str | None:
    """The first figure a reader meets: citation markers and years skipped, 1,234.50 read as 1234.5."""
    text = _YEAR.sub(" ", _MARKER.sub(" ", _GROUPED.sub("", normalise(answer))))
    digits = _FIGURE.search(text)
    spelled = _CN_FIGURE.search(text)
    if spelled and (not digits or spelled.start() < digits.start()):
        import cn2an

        try:
            return str(cn2an.cn2an(spelled.group(0), "smart"))
        except ValueError:
            pass
    return figure_key(digits.group(0)) if digits else None


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str
    answer_any: tuple[str, ...]
    answer_all: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]
    lead: str | None = None

    @property
    def expected_first(self) -> set[str]:
        """The figures a number question may state first: its lead, else any expected answer."""
        stated = [self.lead] if self.lead else list(self.answer_any)
        return {f for f in (first_figure(a) for a in stated) if f}


@dataclass
class Graded:
    question: Question
    answer: Answer
    retrieval_rank: int | None  # 1-based rank by which all evidence was found, None when never
    citation_hit: bool
    answer_hit: bool
    first_figure_hit: bool | None  # None for questions that ask no figure
    misattributed: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return self.question.kind != "unanswerable"

    @property
    def wrong_abstention(self) -> bool:
        return self.answerable and self.answer.abstained

    @property
    def failures(self) -> list[str]:
        q = self.question
        if not self.answerable:
            return [] if self.answer.abstained else ["did not abstain"]
        found = []
        if self.answer.abstained:
            found.append("abstained on an answerable question")
        if self.retrieval_rank is None or self.retrieval_rank > HIT_AT:
            found.append(f"evidence not in top {HIT_AT} passages")
        if not self.citation_hit:
            found.append("evidence not in cited quotes")
        if not self.answer_hit:
            found.append("answer lacks expected text")
        if self.first_figure_hit is False:
            found.append(f"first figure {first_figure(self.answer.answer)} is not {'/'.join(sorted(q.expected_first))}")
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
                    raw["id"],
                    raw["question"],
                    raw.get("kind", ""),
                    tuple(raw.get("answer_any") or []),
                    tuple(raw.get("answer_all") or []),
                    tuple(tuple(e) for e in raw.get("evidence") or []),
                    raw.get("lead"),
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
    text = figure_key(answer.answer)
    answer_hit = (not question.answer_any or any(figure_key(a) in text for a in question.answer_any)) and all(
        figure_key(a) in text for a in question.answer_all
    )
    first = None
    if question.kind in FIGURE_KINDS and question.expected_first:
        first = not answer.abstained and first_figure(answer.answer) in question.expected_first
    if question.kind == "unanswerable":
        citation_hit = answer_hit = answer.abstained
    return Graded(question, answer, rank, citation_hit, answer_hit, first, _misattributed(answer, report_texts))


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
    """Scores over one group of questions (a whole set, or one kind)."""

    total: int
    answerable: int
    hit_at_5: float
    mrr: float
    citation_hit: float
    answer_hit: float
    first_figure: float | None  # over number and count questions; None when the group has none
    wrong_abstentions: int
    abstained: int
    unanswerable: int
    misattributions: int
    latency_p50_ms: float
    latency_p95_ms: float


def summarise(graded: list[Graded]) -> Summary:
    """The scores: retrieval, citations and answers over answerable questions."""
    answerable = [g for g in graded if g.answerable]
    unanswerable = [g for g in graded if not g.answerable]
    figures = [g.first_figure_hit for g in graded if g.first_figure_hit is not None]
    latencies = sorted(g.answer.timings_ms.get("total", 0.0) for g in graded)
    share = lambda flags: sum(flags) / len(flags) if flags else 0.0  # noqa: E731
    return Summary(
        total=len(graded),
        answerable=len(answerable),
        hit_at_5=share([g.retrieval_rank is not None and g.retrieval_rank <= HIT_AT for g in answerable]),
        mrr=share([1 / g.retrieval_rank if g.retrieval_rank else 0.0 for g in answerable]),
        citation_hit=share([g.citation_hit for g in answerable]),
        answer_hit=share([g.answer_hit for g in answerable]),
        first_figure=share(figures) if figures else None,
        wrong_abstentions=sum(g.wrong_abstention for g in answerable),
        abstained=sum(g.answer.abstained for g in unanswerable),
        unanswerable=len(unanswerable),
        misattributions=sum(len(g.misattributed) > 0 for g in graded),
        latency_p50_ms=statistics.median(latencies) if latencies else 0.0,
        latency_p95_ms=latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))] if latencies else 0.0,
    )


def summarise_by_kind(graded: list[Graded]) -> dict[str, Summary]:
    """One summary per question kind, in the grading rules' order, then 'all'."""
    kinds = [k for k in KINDS if any(g.question.kind == k for g in graded)]
    kinds += sorted({g.question.kind for g in graded} - set(kinds))
    return {kind: summarise([g for g in graded if g.question.kind == kind]) for kind in kinds} | {"all": summarise(graded)}


def format_table(by_kind: dict[str, Summary]) -> str:
    """The per-kind scores as a fixed-width table."""
    header = f"{'kind':<13}{'n':>4}{'hit@5':>8}{'cite':>7}{'answer':>8}{'first#':>8}{'wrongAbst':>10}{'abstained':>11}{'misattr':>8}"
    rows = [header]
    for kind, s in by_kind.items():
        first = f"{s.first_figure:.3f}" if s.first_figure is not None else "-"
        answerable = (f"{s.hit_at_5:.3f}", f"{s.citation_hit:.3f}", f"{s.answer_hit:.3f}") if s.answerable else ("-", "-", "-")
        abstained = f"{s.abstained}/{s.unanswerable}" if s.unanswerable else "-"
        rows.append(
            f"{kind:<13}{s.total:>4}{answerable[0]:>8}{answerable[1]:>7}{answerable[2]:>8}{first:>8}"
            f"{s.wrong_abstentions:>10}{abstained:>11}{s.misattributions:>8}"
        )
    total = by_kind["all"]
    rows.append(f"latency p50 {total.latency_p50_ms:.0f} ms, p95 {total.latency_p95_ms:.0f} ms")
    return "\n".join(rows)


def evaluate(
    questions: list[Question], ask: Callable[[str], Answer], report_texts: dict[str, tuple[str, str]], progress: Callable[[Iterable], Iterable] = iter
) -> list[Graded]:
    """Ask every question and grade the answers."""
    return [grade(q, ask(q.question), report_texts) for q in progress(questions)]
