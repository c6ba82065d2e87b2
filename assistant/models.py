"""What the assistant returns: answers with citations to exact quotes, and comparisons."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import Any


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

    def to_dict(self) -> dict:
        """Everything in this answer as plain JSON, for keeping it (a browser's saved conversations)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Answer | None:
        """The answer `to_dict` kept, or None when the data does not make one (damaged or foreign);
        keys an older or newer version wrote are ignored."""
        if not isinstance(data, dict):
            return None
        try:
            sides = data.get("sides")
            if sides is not None:
                sides = tuple(Side(s["bureau"], s["answer"], bool(s["abstained"]), tuple(_known(Citation, c) for c in s.get("citations") or ())) for s in sides)
            table = data.get("table")
            if table is not None:
                table = tuple(TableRow(r["metric"], tuple(_known(TableCell, c) for c in r.get("cells") or ())) for r in table)
            answer = _known(
                cls,
                {
                    **data,
                    "citations": tuple(_known(Citation, c) for c in data.get("citations") or ()),
                    "passages": tuple(_known(Passage, p) for p in data.get("passages") or ()),
                    "sides": sides,
                    "table": table,
                    "checks": tuple(data.get("checks") or ()),
                    "timings_ms": dict(data.get("timings_ms") or {}),
                },
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if not isinstance(answer.answer, str) or not isinstance(answer.question, str):
            return None
        return answer


def _known(kind: type, data: dict) -> Any:
    """A dataclass from a dict, keeping only the keys that are its fields."""
    names = {f.name for f in dataclasses.fields(kind)}
    return kind(**{k: v for k, v in data.items() if k in names})


def _citation_json(citation: Citation) -> dict:
    return {k: v for k, v in asdict(citation).items() if k != "report_id"}
