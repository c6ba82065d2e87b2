"""Parts of a report a question asks about (问题, 措施, 职责, 机构设置, 成效…), their items, and whole sentences.

A report says what its problems or measures are in one of three ways: numbered sub-sections
("1、基层监管力量薄弱。"), an enumerated paragraph ("一是…。二是…。三是…。"), or plain sentences under the
heading. Each way gives the section's items, in reading order. A sentence the chunker cut at a
semicolon or a colon ("主要职责是：…；", "具体安排情况如下：") is read on to its end, so an answer
never stops on a dangling clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from index.cleaning import squash_spaces
from index.injection import is_planted
from index.lexical import tokenize
from index.models import SECTION_SEPARATOR, Chunk

from ..vocabulary import LISTED_ASK, REPORT_PARTS
from .candidates import MAX_QUOTE_CHARS, is_heading_only
from .signals import coverage
from .terms import Terms, cilin_synonyms

# A quote read on to its sentence's end stays a quote (a few hundred characters); pieces beyond are counted, not quoted.
MAX_WHOLE_CHARS = MAX_QUOTE_CHARS
# An answer lists at most this many items of a section; the rest are counted ("另有3项").
MAX_ITEMS = 6
_TITLE_CHARS = 20
_SENTENCE_END = "。！？!?"
_OPEN_END = "；;：:，,"
# An item marker that opens a sentence: 一是 / 二是, (一) / （1） / 1、 / 1. / ①.
_ENUMERATED = re.compile(r"^\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、.．]|[①-⑳])")

# An item marker inside a table cell, at its start or after a clause mark ("一是…；二是…").
_MARK_IN_CELL = re.compile(r"(?:^|(?<=[；;。，,：:\s]))([一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、．]|[①-⑳])", re.M)
_COLON_THEN_ITEM = re.compile(r"[：:]\s*(?=[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、.．]|[①-⑳])")


@dataclass(frozen=True)
class Items:
    """A section's items as exact spans, and how many more the answer leaves out."""

    heading: str
    spans: tuple[tuple[str, int, int], ...]  # (chunk id, start, end)
    more: int


def headings(chunks: list[Chunk]) -> list[str]:
    """Every section path of a report, parents and leaves, in reading order."""
    found: dict[str, None] = {}
    for chunk in chunks:
        path = chunk.section.split(SECTION_SEPARATOR) if chunk.section else []
        for i in range(len(path)):
            found.setdefault(SECTION_SEPARATOR.join(path[: i + 1]))
    return list(found)


def listed_section(question: str, chunks: list[Chunk]) -> str:
    """The section of the part a list question names right after its ask ("有哪些问题" → 存在的问题及原因, "说了哪些毛病"
    → 存在的问题 too: 毛病 is a synonym of 缺陷), the shorter path first; "" when it names none or the report has no such heading."""
    names = _listed_names(question)
    return min((h for h in headings(chunks) if any(name in h.split(SECTION_SEPARATOR)[-1] for name in names)), key=len, default="")


def _listed_names(question: str) -> tuple[str, ...]:
    """The words reports title the part with that a list question names right after its ask; () when it names none."""
    asked = LISTED_ASK.search(question)
    if not asked:
        return ()
    noun = tokenize(asked.group(1))[0]
    synonyms = cilin_synonyms().get(noun, frozenset())
    return next((part for part in REPORT_PARTS if noun in part), ()) or next((part for part in REPORT_PARTS if synonyms & set(part)), ())


def asked_part_names(question: str, parts: Iterable[str]) -> tuple[str, ...]:
    """The words reports title the part a question asks for with: the part named after its ask ("提了哪些问题"), else
    the one its verb asks ("下一步咋改": 措施, see `vocabulary.PART_ASKS`)."""
    parts = tuple(parts)
    return _listed_names(question) or next((names for names in REPORT_PARTS if any(p in names for p in parts)), ())


def part_row(names: tuple[str, ...], text: str, chunks: list[Chunk]) -> Items | None:
    """A self-evaluation table's row that holds a part in its second cell ("主要问题⇥一是…；二是…"): its items, cut at
    their markers; None when no row's first cell names the part, or the cell holds fewer than two items."""
    if not names:
        return None
    row = _part_cell(names)
    for chunk in chunks:
        for start, end in chunk.sentences:
            if found := row.search(text, start, end):
                cell_end = text.find("\n", found.end())  # the cell goes on across the sentences its ； cut it into
                spans = _marked_items(text, found.end(), len(text) if cell_end < 0 else cell_end)
                if len(spans) >= 2:
                    owner = [next((c for c in chunks if c.start <= s < c.end), chunk) for s, _ in spans]
                    items = tuple((c.id, s, e) for c, (s, e) in zip(owner, spans))
                    return Items(text[found.start() : found.end()].strip(), items[:MAX_ITEMS], max(len(items) - MAX_ITEMS, 0))
    return None


@lru_cache(maxsize=16)
def _part_cell(names: tuple[str, ...]) -> re.Pattern[str]:
    """A table row's first cell that names the part (a short cell holding one of its words), then its tab."""
    return re.compile(rf"(?m)^[^\t\n]{{0,8}}(?:{'|'.join(names)})[^\t\n]{{0,6}}\t[ \t]*(?=\S)")


def _marked_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The items of one cell that opens each with 一是/（一）/1、 after the cell's start or a clause mark."""
    marks = [m.start(1) for m in _MARK_IN_CELL.finditer(text, start, end) if m.start(1) == start or m.start() > start]
    bounds = [*marks, end]
    return [(a, a + len(text[a:b].rstrip("；;，, \t"))) for a, b in zip(bounds, bounds[1:])]


def asked_section(terms: Terms, chunks: list[Chunk]) -> tuple[str, float]:
    """The section whose own heading covers most of the question's term weight (the shorter path on a tie), and that
    share; only terms some report writes count ("六景镇自己说有哪些问题": 自己说 is in no heading of any report)."""
    weights = terms.written_with_parts
    scored = [(coverage(terms, weights, h.split(SECTION_SEPARATOR)[-1], expanded=True), -len(h), h) for h in headings(chunks)]
    share, _, heading = max(scored, default=(0.0, 0, ""))
    return heading, share


def section_items(text: str, chunks: list[Chunk], heading: str, least: int = 2) -> Items | None:
    """The items of a section: its numbered sub-sections, else its enumerated or plain sentences; None when fewer than `least`."""
    inside = [c for c in chunks if c.section == heading or c.section.startswith(heading + SECTION_SEPARATOR)]
    children = [c for c in inside if c.section != heading]
    spans = _sub_section_items(text, children) if children else []
    if len(spans) < 2:
        spans = _sentence_items(text, [c for c in inside if c.section == heading] or inside)
    if len(spans) < least:
        return None
    return Items(heading, tuple(spans[:MAX_ITEMS]), max(len(spans) - MAX_ITEMS, 0))


def _body(text: str, chunk: Chunk, titles_too: bool = True) -> list[tuple[int, int]]:
    """The chunk's sentences that are not its headings nor planted instructions; with `titles_too`, not even a
    heading written as a sentence ("7、大力推进5G建设。"), which a sub-section item keeps as its name."""
    titles = {squash_spaces(part).rstrip(_SENTENCE_END) for part in chunk.section.split(SECTION_SEPARATOR)} if titles_too else set()
    return [
        (s, e)
        for s, e in chunk.sentences
        if squash_spaces(text[s:e])
        and not is_heading_only(text[s:e], chunk.section)
        and not is_planted(text[s:e])
        and squash_spaces(text[s:e]).rstrip(_SENTENCE_END) not in titles
    ]


def _sub_section_items(text: str, children: list[Chunk]) -> list[tuple[str, int, int]]:
    """One item per numbered sub-section: its first sentence, with the next when the first is only a title."""
    items, seen = [], set()
    for chunk in children:
        if chunk.section in seen:
            continue
        seen.add(chunk.section)
        spans = _body(text, chunk, titles_too=False) or list(chunk.sentences)
        if not spans:
            continue
        start, end = spans[0]
        end = whole_end(text, section_spans(children, chunk), start, end)[0]
        if len(spans) > 1 and len(squash_spaces(text[start:end])) <= _TITLE_CHARS and spans[1][1] - start <= MAX_QUOTE_CHARS:
            end = spans[1][1]  # an item's title alone says little: quote its first sentence too
        items.append((chunk.id, start, end))
    return items


def _sentence_items(text: str, chunks: list[Chunk]) -> list[tuple[str, int, int]]:
    """The sentences under a heading with no sub-sections; when some open with 一是/（一）/1、, only those and what follows each."""
    whole = [(c.id, s, e) for c in chunks for s, e in _merge_open(text, c, _body(text, c))]
    spans = [_from_first_marker(text, span) for span in whole]  # "仍存在一些问题：一是…；": the list opens at 一是
    marked = [i for i, (_, s, _) in enumerate(spans) if _ENUMERATED.match(text[s : s + 6])]
    if len(marked) < 2:
        return whole
    items = []
    for n, i in enumerate(marked):
        last = (marked[n + 1] if n + 1 < len(marked) else len(spans)) - 1
        chunk_id, start, end = spans[i]
        for later in range(i + 1, last + 1):  # an item's further sentences stay with it while short
            if spans[later][0] != chunk_id or spans[later][2] - start > MAX_QUOTE_CHARS:
                break
            end = spans[later][2]
        items.append((chunk_id, start, end))
    return items


def _from_first_marker(text: str, span: tuple[str, int, int]) -> tuple[str, int, int]:
    """A sentence that introduces a list and opens its first item after a colon ("…问题：一是…"), from that item on."""
    chunk_id, start, end = span
    opened = _COLON_THEN_ITEM.search(text, start, end)
    return (chunk_id, opened.end(), end) if opened and not _ENUMERATED.match(text[start : start + 6]) else span


def _merge_open(text: str, chunk: Chunk, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pieces of one sentence (cut at ；or ：) joined back into the sentence; a piece that opens with an item
    marker ("二是…；") stays an item of its own."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        opens_item = _ENUMERATED.match(text[start : start + 6]) is not None
        if merged and not opens_item and text[merged[-1][0] : merged[-1][1]].rstrip()[-1:] in _OPEN_END and end - merged[-1][0] <= MAX_WHOLE_CHARS:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def section_spans(chunks: list[Chunk], chunk: Chunk) -> list[tuple[int, int]]:
    """The sentence spans of a chunk's section, across the chunks it was split into, in order."""
    return sorted((s, e) for c in chunks if c.section == chunk.section for s, e in c.sentences)


def whole_end(text: str, spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Where the sentence that starts at `start` ends among its section's pieces, and how many of its pieces did not fit.

    A quote ending on ；/：/，is read on through the section's next pieces to a sentence end, as far as
    MAX_WHOLE_CHARS allows; the pieces left out are counted so the answer can say so.
    """
    if _item_title(text, start, end) and (body := next(((s, e) for s, e in spans if s >= end), None)) and "\n" not in text[end : body[0]]:
        return (body[1], 0) if body[1] - start <= MAX_WHOLE_CHARS else (end, 1)  # "（一）支出进度不够均衡。" goes on to say how
    if text[start:end].rstrip()[-1:] not in _OPEN_END or not any(e == end for _, e in spans):
        return end, 0  # a full sentence, or one narrowed to its best clauses on purpose
    following = [(s, e) for s, e in spans if s >= end]
    for i, (s, e) in enumerate(following):
        if e - start > MAX_WHOLE_CHARS:
            return end, _pieces_left(text, following[i:])
        end = e
        if text[s:e].rstrip()[-1:] in _SENTENCE_END:
            return end, 0
    return end, 0


def _item_title(text: str, start: int, end: int) -> bool:
    """Whether the sentence is an item's short title that its item's text goes on from on the same line
    ("（一）支出进度不够均衡。受上级资金下达时间…")."""
    sentence = text[start:end].strip()
    marker = _ENUMERATED.match(sentence)
    return bool(marker) and len(sentence) - marker.end() <= _TITLE_CHARS and sentence[-1:] in _SENTENCE_END


def _pieces_left(text: str, spans: list[tuple[int, int]]) -> int:
    """Pieces up to and including the one that ends the sentence."""
    for i, (s, e) in enumerate(spans):
        if text[s:e].rstrip()[-1:] in _SENTENCE_END:
            return i + 1
    return len(spans)
