"""Section structure of a report from its numbered headings: 一、 / （一） / 1、 / (1)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cleaning import SENTENCE_END, CleanText, heading_level
from .models import Section

_MAX_TITLE_CHARS = 32
_TITLE_END = re.compile(f"[{SENTENCE_END}：:]")


@dataclass(frozen=True)
class Segment:
    """A stretch of cleaned text under one section path, with no heading inside it but its first."""

    path: tuple[str, ...]
    start: int
    end: int


def heading_title(line: str) -> str:
    """A heading's title: its numbered first sentence, shortened when the paragraph runs on."""
    line = line.strip()
    found = _TITLE_END.search(line)
    title = line[: found.start()] if found else line
    return title if len(title) <= _MAX_TITLE_CHARS else title[: _MAX_TITLE_CHARS - 1] + "…"


def _is_bare_heading(line: str) -> bool:
    """A heading line with nothing under it on the same line: short and not a finished sentence."""
    line = line.strip()
    return len(line) <= _MAX_TITLE_CHARS and line[-1] not in SENTENCE_END


def _lines(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def segments(clean_text: CleanText) -> list[Segment]:
    """Split cleaned text at headings; a heading with no body of its own joins the next segment."""
    text = clean_text.text
    stack: list[tuple[int, str]] = []
    found: list[Segment] = []
    start, has_body = 0, False
    for line_start, line_end in _lines(text):
        line = text[line_start:line_end]
        level = heading_level(line)
        title = heading_title(line) if level else ""
        if level and has_body:
            found.append(Segment(tuple(t for _, t in stack), start, line_start))
            start, has_body = line_start, False
        if level:
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
        has_body = has_body or not level or not _is_bare_heading(line)
    if start < len(text) and text[start:].strip():
        found.append(Segment(tuple(t for _, t in stack), start, len(text)))
    return found


def sections(clean_text: CleanText) -> tuple[Section, ...]:
    """Every heading with the span of original text it governs, until a heading of its rank or above."""
    text = clean_text.text
    headings = [(heading_level(text[s:e]), heading_title(text[s:e]), s) for s, e in _lines(text) if heading_level(text[s:e])]
    ends = _heading_ends([(level, start) for level, _, start in headings], len(text))
    result, stack = [], []
    for (level, title, start), end in zip(headings, ends, strict=True):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        original = clean_text.span_in_original(start, max(end, start + 1))
        result.append(Section(tuple(t for _, t in stack), *original))
    return tuple(result)


def _heading_ends(headings: list[tuple[int, int]], text_end: int) -> list[int]:
    """For each heading, where the next heading of its rank or above starts (or the text ends)."""
    ends = [text_end] * len(headings)
    open_headings: list[int] = []  # indexes of headings still waiting for their end, ranks rising
    for i, (level, start) in enumerate(headings):
        while open_headings and headings[open_headings[-1]][0] >= level:
            ends[open_headings.pop()] = start
        open_headings.append(i)
    return ends
