"""Shortfalls in a self-evaluation table: the indicator rows that scored below their full marks."""

from __future__ import annotations

from index.models import ReportMeta
from index.store import ReportStore
from index.tables import table_rows

from .candidates import Sentence


def shortfall_rows(store: ReportStore, reports: tuple[ReportMeta, ...]) -> list[Sentence]:
    """Every indicator or budget row of these reports whose 得分 is below its 分值, as a quotable sentence, in reading order."""
    found = []
    for report in reports:
        text = store.report_text(report.id)
        for chunk in store.report_chunks(report.id):
            for start, end in chunk.sentences:
                if lost_points(text[start:end]):
                    found.append(Sentence.at(report, chunk, text, start, end, 1.0, len(found)))
    return found


def lost_points(quote: str) -> bool:
    """Whether a quote is one indicator or budget row that scored below its full marks."""
    rows = table_rows(quote)
    marks = rows[0].marks if len(rows) == 1 else None
    return marks is not None and marks[1] < marks[0]
