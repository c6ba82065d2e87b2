"""Shortfalls in a self-evaluation table: the indicator rows that scored below their full marks."""

from __future__ import annotations

from index.models import ReportMeta
from index.store import ReportStore
from index.tables import BUDGET_COLUMNS, table_rows

from .candidates import Sentence


def shortfall_rows(store: ReportStore, reports: tuple[ReportMeta, ...]) -> list[Sentence]:
    """Every indicator or budget row of these reports whose 得分 is below its 分值, as a quotable sentence, in reading order."""
    found = []
    for report in reports:
        text = store.report_text(report.id)
        for chunk in store.report_chunks(report.id):
            for start, end in chunk.sentences:
                if lost_points(text[start:end]):
                    found.append(Sentence(report, chunk, start, end, text[start:end], 1.0, len(found)))
    return found


def lost_points(quote: str) -> bool:
    """Whether a quote is one indicator row that scored below its full marks."""
    rows = table_rows(quote)
    if len(rows) != 1 or rows[0].kind == "total":
        return False
    marks = _marks(rows[0].kind, rows[0].cells)
    return marks is not None and marks[1] < marks[0]


def _marks(kind: str, cells: tuple[str, ...]) -> tuple[float, float] | None:
    """(分值, 得分) of a row; see index.tables for the column order."""
    if kind == "budget":
        named = dict(zip(BUDGET_COLUMNS, cells[1:]))
        if "分值" not in named or "得分" not in named:
            return None
        return float(named["分值"]), float(named["得分"])
    # An indicator row ends with 分值, 得分 and at most a reason cell.
    numbers = cells[-3:-1] if not _is_number(cells[-1]) else cells[-2:]
    return float(numbers[0]), float(numbers[1])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
