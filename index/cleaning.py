"""Clean PDF-extracted report text while keeping every character traceable to the original.

Cleaning only ever *drops* characters (whitespace inside a sentence broken by a page break,
paragraphs printed twice), so the cleaned text is a subsequence of the original and
`CleanText.origin` maps each cleaned character back to its original offset.
Width and spacing are normalised only in `match_key`, which is used for matching, never shown.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from array import array
from dataclasses import dataclass

from .tables import row_label, row_reading_in, table_breaks

SENTENCE_END = "。！？；;!?"
CLOSERS = "”’」』）)》】"
HEADING = re.compile(
    r"(?P<l1>[一二三四五六七八九十]+\s*[、.．])"
    r"|(?P<l2>[（(]\s*[一二三四五六七八九十]+\s*[）)])"
    r"|(?P<l3>\d{1,2}\s*[、.．](?!\d))"
    r"|(?P<l4>[（(]\s*\d{1,2}\s*[）)])"
    # "2.3 “三公”经费" under "2. 预算执行情况"; not "1.5 亿元用于技改", a figure with a scan's space before its unit
    r"|(?P<l4d>\d{1,2}\.\d{1,2}(?=[ \t\u3000]+(?![万亿元千百个人户家次项件名台辆套座公里亩吨场期篇批倍分])[\u4e00-\u9fff“\"（(]))"
)
# A line this short with no punctuation is a title, heading or signature, never half a sentence.
_SHORT_LINE = 30
# Patterns that begin with a run of spaces start only where the run starts (`(?<![ \t])`): one
# that tried every position inside a long run would read it again from each, quadratic in it.
_BREAK = re.compile(r"(?<![ \t\u3000])[ \t\u3000]*\n\s*")
_LIST_MARKER = re.compile(r"^(?:" + HEADING.pattern + r")\s*")
_SPACE_NOT_BETWEEN_WORDS = re.compile(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])")
_MIN_DUPLICATE_CHARS = 20
# The gap between two cells of a table row (a tab, as the readers write a DOCX or HTML table's cells).
_CELLS_APART = re.compile(r"(?<=\S)[ \u3000]*\t[\t \u3000]*(?=\S)")
# A printed page number on a line of its own: "- 3 -", "－３－" (full width, as a scan's OCR gives it), "— 2 —", "第3页 共9页".
_PAGE_NUMBER = re.compile(
    r"(?<![ \t\u3000])[ \t\u3000]*(?:[-－—–][ \t\u3000]*\d{1,4}[ \t\u3000]*[-－—–]|第[ \t\u3000]*\d{1,4}[ \t\u3000]*页(?:[ \t\u3000]*共[ \t\u3000]*\d{1,4}[ \t\u3000]*页)?)[ \t\u3000]*(?=\n|$)"
)
_STANDALONE_END = re.compile(r"(?:局|委|会|院|办|处|室|厅|中心|报告|说明|情况|日|月|年度?|）|\))$")
_QUOTE_MARKS = re.compile("[\"'“”‘’「」『』]")
_TEXT_TO_LINE_END = re.compile(r"\S[^\n]*")
_SENTENCE_BREAK = re.compile(f"[{SENTENCE_END}\n][{CLOSERS}]*")


def squash_spaces(text: str) -> str:
    """Text without the spaces and line breaks PDF extraction scatters (Latin word gaps stay)."""
    return _SPACE_NOT_BETWEEN_WORDS.sub("", text)


def sentence_text(quote: str) -> str:
    """A quote as read and embedded: page numbers and page-break gaps taken out, a table row with its column names,
    the cells of a row read otherwise kept apart ("1850，1850，100.00%", never one number 18501850100.00%)."""
    return row_label(quote) or squash_spaces(_CELLS_APART.sub("，", clean(quote).text))


def sentence_text_in(text: str, start: int, end: int) -> str:
    """text[start:end] as read in its report: a table row with its column names and money unit."""
    return row_reading_in(text, start, end) or sentence_text(text[start:end])


def match_key(text: str) -> str:
    """Width-folded text without spacing (except between Latin words) or quote marks, for matching only.

    Quote marks go because reports quote names that users type bare: 赋“码” / 赋码.
    """
    return _QUOTE_MARKS.sub("", squash_spaces(unicodedata.normalize("NFKC", text)))


def heading_level(line: str) -> int:
    """1 for 一、, 2 for （一）, 3 for 1、, 4 for (1) and 1.1; 0 when the line is not numbered."""
    found = HEADING.match(line.lstrip())
    if not found:
        return 0
    return int(found.lastgroup[1])


@dataclass(frozen=True)
class CleanText:
    """Cleaned text plus, for each of its characters, the offset of that character in the original."""

    text: str
    origin: tuple[int, ...]
    original: str

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the cleaned span [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1


def clean(original: str) -> CleanText:
    """Drop printed page numbers, join sentences broken across page breaks, drop repeated paragraphs."""
    keep = [True] * len(original)
    # Page numbers become blanks of the same length, so a break around them reads as one break.
    blanked = _PAGE_NUMBER.sub(lambda m: " " * len(m.group()), original)
    for found in _PAGE_NUMBER.finditer(original):
        keep[found.start() : found.end()] = [False] * (found.end() - found.start())
    _join_broken_sentences(blanked, keep, table_breaks(blanked))
    _drop_repeated_paragraphs(blanked, keep)
    origin = tuple(itertools.compress(range(len(original)), keep))
    return CleanText("".join(itertools.compress(original, keep)), origin, original)


def _join_broken_sentences(original: str, keep: list[bool], in_tables: set[int]) -> None:
    text_start = len(original) - len(original.lstrip())
    for brk in _BREAK.finditer(original):
        before, after = brk.start(), brk.end()
        if before == 0 or after == len(original) or before in in_tables:
            continue
        line_start = original.rfind("\n", 0, before) + 1
        previous_line = original[line_start:before]
        next_end = original.find("\n", after)
        next_line = original[after : next_end if next_end >= 0 else None]
        if _ends_paragraph(previous_line, next_line, is_first_line=line_start <= text_start):
            continue
        keep[before:after] = [False] * (after - before)


def _ends_paragraph(previous_line: str, next_line: str, is_first_line: bool) -> bool:
    last = previous_line.rstrip()[-1:]
    if is_first_line or not last or last in SENTENCE_END + "：:" or heading_level(next_line):
        return True
    if heading_level(previous_line) and len(previous_line) < _SHORT_LINE:
        return True
    # A short line without punctuation that ends like a name, title or date stands alone
    # (signature, title); one that ends mid-word ("人员经" / "费 349 万元") was cut by a page break.
    short_and_bare = len(previous_line) < _SHORT_LINE and not re.search(r"[，,。；;：:]", previous_line)
    return short_and_bare and bool(_STANDALONE_END.search(previous_line.rstrip()))


def _drop_repeated_paragraphs(original: str, keep: list[bool]) -> None:
    """Drop a paragraph whose wording (list number aside) already appeared; keeps the first.

    A table row (its cells apart by tabs) is never dropped: tables one after another repeat their header
    and their empty rows ("上年结转资金 0.00 0.00"), and each table needs its own."""
    seen: set[str] = set()
    for start, end in _paragraph_spans(original, keep):
        body = "".join(itertools.compress(original[start:end], keep[start:end]))
        key = match_key(_LIST_MARKER.sub("", body))
        if len(key) < _MIN_DUPLICATE_CHARS or "\t" in body.strip():
            continue
        if key in seen:
            previous_end = start
            while previous_end > 0 and original[previous_end - 1].isspace():
                previous_end -= 1
            keep[previous_end:end] = [False] * (end - previous_end)
        seen.add(key)


def _paragraph_spans(original: str, keep: list[bool]) -> list[tuple[int, int]]:
    """Spans of paragraphs as the cleaned text sees them: a kept newline ends a paragraph."""
    kept = "".join(itertools.compress(original, keep))
    where = array("q", itertools.compress(range(len(original)), keep))
    spans = []
    for line in _TEXT_TO_LINE_END.finditer(kept):
        spans.append((where[line.start()], where[line.end()] if line.end() < len(kept) else len(original)))
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as spans, split after 。！？；; and at line ends, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for found in _SENTENCE_BREAK.finditer(text, start, end):
        _append_trimmed(text, begin, found.end(), spans)
        begin = found.end()
    _append_trimmed(text, begin, end, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
