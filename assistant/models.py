"""What the assistant returns: answers with citations to exact quotes, and comparisons."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    """The exact sentence(s) behind an [n] marker. `quote == source_text[start:end]`."""

    n: int
    report: str
    report_id: str
    bureau: str
    year: int | None
    section: str
    quote: str
    source: str
    start: int
    end: int
    page: int | None = None  # PDF page (from 1) where the quote starts
    ocr: bool = False  # the quote was read from a scanned page by OCR

    @property
    def location(self) -> str:
        """Where the quote stands: its section and, in a PDF, its page (and whether OCR read it)."""
        place = self.section or "正文"
        if self.page:
            place += f"，第{self.page}页" + ("（扫描页，OCR识别）" if self.ocr else "")
        return place


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk shown as evidence or as possibly related."""

    report: str
    report_id: str
    bureau: str
    year: int | None
    section: str
    text: str
    score: float
    start: int
    end: int


@dataclass(frozen=True)
class TableCell:
    bureau: str
    value: str
    unit: str
    basis: str | None
    citation: int | None


@dataclass(frozen=True)
class TableRow:
    metric: str
    cells: tuple[TableCell, ...]


@dataclass(frozen=True)
class Side:
    """One bureau's part of a comparison."""

    bureau: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Answer:
    """A reply: text with [n] markers, the citations those markers point at, and the evidence."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    sides: tuple[Side, ...] | None = None
    table: tuple[TableRow, ...] | None = None
    checks: tuple[str, ...] = ()
    scope: str = ""  # how a follow-up was understood ("按 常宁市…局 2022年度报告理解"); empty for a self-contained question

    def to_json(self) -> dict:
        """The ask JSON of the command-line contract."""
        data = {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [_citation_json(c) for c in self.citations],
            "passages": [{k: v for k, v in asdict(p).items() if k in ("report", "bureau", "year", "section", "text", "score")} for p in self.passages],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
        if self.sides is not None:
            data["sides"] = [
                {"bureau": s.bureau, "answer": s.answer, "abstained": s.abstained, "citations": [_citation_json(c) for c in s.citations]} for s in self.sides
            ]
            data["table"] = [{"metric": r.metric, "cells": [asdict(c) for c in r.cells]} for r in self.table or ()]
            data["checks"] = list(self.checks)
        if self.scope:
            data["scope"] = self.scope
        return data


def _citation_json(citation: Citation) -> dict:
    return {k: v for k, v in asdict(citation).items() if k != "report_id"}
