"""A llama-index node parser for Chinese reports: section-bounded, sentence-aligned, token-budgeted."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from typing import Any

import tiktoken
from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, Document, MetadataMode, TextNode
from llama_index.core.utils import get_tokenizer

from .cleaning import CleanText, clean, sentence_spans
from .models import SECTION_SEPARATOR, Chunk
from .sections import segments
from .tables import table_rows

_CLAUSE_END = "，,、：:"
_UNBREAKABLE = re.compile(r"[0-9０-９A-Za-z.．%％]")
# How far a piece's token count estimated from its window may stray from counting it anew.
_SLACK_TOKENS = 8
# Characters a hard cut tries one by one beyond the window's estimate before it strides.
_STEPS = 32
EMBED_TEMPLATE = "{metadata_str}\n\n{content}"


def count_tokens(text: str) -> int:
    """Tokens of text in tiktoken's cl100k_base, from the copy llama-index ships."""
    return len(get_tokenizer()(text))


class ChineseReportParser(NodeParser):
    """Splits a report Document into quotable nodes that never cross a section or split a sentence.

    The Document's text is the original report text. Each node's text is an exact slice of it,
    so `start_char_idx`/`end_char_idx` are citation offsets; title and section path ride along
    as metadata, embedded and lexically indexed but never quoted.
    """

    chunk_tokens: int = 300

    def _parse_nodes(self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any) -> list[BaseNode]:
        return [node for document in nodes for node in self.split_document(document)]

    def split_document(self, document: BaseNode) -> list[TextNode]:
        """The nodes of one report Document, in reading order."""
        original = document.get_content(MetadataMode.NONE)
        cleaned = clean(original)
        nodes = []
        for segment in segments(cleaned):
            section = SECTION_SEPARATOR.join(segment.path)
            for start, end in self._pack(cleaned, segment.start, segment.end):
                nodes.append(self._node(document, original, cleaned, section, start, end))
        return nodes

    def _pack(self, cleaned: CleanText, start: int, end: int) -> list[tuple[int, int]]:
        """Greedily pack whole sentences into spans within the token budget."""
        pieces = [p for s, e in quotable_spans(cleaned.text, start, end) for p in self._fit(cleaned, s, e)]
        packed: list[tuple[int, int]] = []
        for piece_start, piece_end in pieces:
            if packed and self._joinable(cleaned, packed[-1], piece_start, piece_end):
                packed[-1] = (packed[-1][0], piece_end)
            else:
                packed.append((piece_start, piece_end))
        return packed

    def _joinable(self, cleaned: CleanText, last: tuple[int, int], start: int, end: int) -> bool:
        # Text dropped between the two (a repeated paragraph) is a hard boundary.
        between = cleaned.original[cleaned.origin[last[1] - 1] + 1 : cleaned.origin[start]]
        dropped = cleaned.text[last[1] : start].strip() != between.strip()
        return not dropped and self._fits(cleaned, last[0], end)

    def _fits(self, cleaned: CleanText, start: int, end: int) -> bool:
        orig_start, orig_end = cleaned.span_in_original(start, end)
        return count_tokens(cleaned.original[orig_start:orig_end]) <= self.chunk_tokens

    def _fit(self, cleaned: CleanText, start: int, end: int) -> list[tuple[int, int]]:
        """Split an over-long sentence at clause marks, else at spaces, else between characters outside numbers.

        Each piece is the longest that fits. Only a window of tokens from each piece's start is read,
        so a sentence of any length is split in time linear in it.
        """
        pieces: list[tuple[int, int]] = []
        window = _Window(cleaned, start, end, self.chunk_tokens)
        while not window.fits_whole(self.chunk_tokens):
            cut, next_start = self._cut(cleaned, start, end, window)
            pieces.append((start, cut))
            start = next_start
            window = _Window(cleaned, start, end, self.chunk_tokens)
        return [*pieces, (start, end)]

    def _cut(self, cleaned: CleanText, start: int, end: int, window: _Window) -> tuple[int, int]:
        """Where a piece starting at `start` ends, and where the next one starts."""
        reach = window.reach(self.chunk_tokens + _SLACK_TOKENS)
        cut = self._clause_cut(cleaned, start, min(reach, end - 1))
        if cut:
            return cut, cut
        cut = self._space_cut(cleaned, start, min(reach, end - 1))
        if cut:
            return cut, _skip_spaces(cleaned.text, cut, end)
        cut = self._hard_cut(cleaned, start, end, window.reach(self.chunk_tokens - _SLACK_TOKENS))
        return cut, cut

    def _clause_cut(self, cleaned: CleanText, start: int, last: int) -> int | None:
        """The last cut after a clause mark, no further than `last`, that fits."""
        text = cleaned.text
        for cut in range(last, start + 1, -1):
            if text[cut - 1] in _CLAUSE_END and not _inside_number(text, cut) and self._fits(cleaned, start, cut):
                return cut
        return None

    def _space_cut(self, cleaned: CleanText, start: int, last: int) -> int | None:
        """The last cut before a space between words, no further than `last`, that fits."""
        text = cleaned.text
        for cut in range(last, start, -1):
            if _word_gap(text, cut) and self._fits(cleaned, start, cut):
                return cut
        return None

    def _hard_cut(self, cleaned: CleanText, start: int, end: int, surely_fits: int) -> int:
        """The longest piece that fits, shortened so as not to end inside a number (unless it is all one)."""
        text = cleaned.text
        cut = max(start + 1, surely_fits)
        while cut > start + 1 and not self._fits(cleaned, start, cut):
            cut -= 1
        cut = longest = self._grow(cleaned, start, cut, end)
        while cut - 1 > start and _UNBREAKABLE.match(text[cut - 1]) and _UNBREAKABLE.match(text[cut]):
            cut -= 1
        all_one_number = cut == start + 1 and _UNBREAKABLE.match(text[start]) and _UNBREAKABLE.match(text[cut])
        return longest if all_one_number else cut

    def _grow(self, cleaned: CleanText, start: int, cut: int, end: int) -> int:
        """Lengthen a piece that fits one character at a time while it still fits.

        Past _STEPS characters (a run of spaces, whose tokens are long) it strides, doubling, and
        bisects back once a stride no longer fits.
        """
        for _ in range(_STEPS):
            if cut >= end - 1 or not self._fits(cleaned, start, cut + 1):
                return cut
            cut += 1
        stride, too_long = 1, None
        while too_long is None and cut < end - 1:
            probe = min(cut + stride, end - 1)
            if self._fits(cleaned, start, probe):
                cut, stride = probe, stride * 2
            else:
                too_long = probe
        while too_long is not None and too_long - cut > 1:
            middle = (cut + too_long) // 2
            if self._fits(cleaned, start, middle):
                cut = middle
            else:
                too_long = middle
        return cut

    def _node(self, document: BaseNode, original: str, cleaned: CleanText, section: str, start: int, end: int) -> TextNode:
        orig_start, orig_end = cleaned.span_in_original(start, end)
        sentences = [cleaned.span_in_original(s, e) for s, e in quotable_spans(cleaned.text, start, end)]
        return TextNode(
            text=original[orig_start:orig_end],
            start_char_idx=orig_start,
            end_char_idx=orig_end,
            metadata={**document.metadata, "section": section, "sentences": sentences},
            excluded_embed_metadata_keys=["report_id", "sentences"],
            excluded_llm_metadata_keys=["report_id", "sentences"],
            metadata_template="{value}",
            metadata_separator="\n",
            text_template=EMBED_TEMPLATE,
        )


class _Window:
    """The first tokens of a span of cleaned text, tokenized from the original: enough to pass a budget, or all.

    Tokenizing a whole over-long sentence again for every piece cut from it is quadratic (and
    tiktoken itself slows down on one long run of letters), so each piece reads a window that
    doubles until it holds more than the budget. A piece's token count is estimated from the
    window's tokens that start inside it; that strays from counting the piece anew by a token or
    two at its end, well within _SLACK_TOKENS. Every piece kept is still counted exactly.
    """

    def __init__(self, cleaned: CleanText, start: int, end: int, budget: int) -> None:
        self.cleaned, self.start, self.end = cleaned, start, end
        self.orig_start, orig_end = cleaned.span_in_original(start, end)
        size = 2 * (budget + _SLACK_TOKENS)
        while True:
            stop = min(orig_end, self.orig_start + size)
            self.tokens = get_tokenizer()(cleaned.original[self.orig_start : stop])
            if stop == orig_end or len(self.tokens) > budget + _SLACK_TOKENS:
                break
            size *= 2
        self.whole = stop == orig_end

    def fits_whole(self, budget: int) -> bool:
        """Whether the whole span fits the budget (a window short of its end holds more than that already)."""
        return self.whole and len(self.tokens) <= budget

    def reach(self, tokens: int) -> int:
        """The furthest cleaned end of a piece from `start` estimated at no more than `tokens` tokens."""
        if tokens >= len(self.tokens):
            return self.end
        bound = self.orig_start + self._token_offsets[max(tokens, 0)]
        return bisect.bisect_left(self.cleaned.origin, bound, self.start, self.end)

    @functools.cached_property
    def _token_offsets(self) -> list[int]:
        """Where each token starts, as an offset into the window's text."""
        return _encoding().decode_with_offsets(self.tokens)[1]


def _encoding() -> tiktoken.Encoding:
    """cl100k_base, the encoding count_tokens uses, loaded from the copy llama-index ships."""
    get_tokenizer()
    return tiktoken.get_encoding("cl100k_base")


def _inside_number(text: str, cut: int) -> bool:
    """Whether a cut after `,` or `:` falls inside a number (1,234 or 10:30)."""
    return text[cut - 1] in ",:" and text[cut - 2 : cut - 1].isdigit() and text[cut : cut + 1].isdigit()


def _word_gap(text: str, cut: int) -> bool:
    """Whether spaces start at `cut` that part two table cells, or two words of Latin script or numbers.

    Other spaces beside Chinese are gaps PDF extraction leaves around numbers (`专项 446 万元`):
    a cut there would part a figure from its unit.
    """
    if not text[cut].isspace() or text[cut - 1].isspace():
        return False
    after = _skip_spaces(text, cut, len(text))
    between_cells = any(c in "\t\n" for c in text[cut:after])
    return after < len(text) and (between_cells or (text[cut - 1].isascii() and text[after].isascii()))


def _skip_spaces(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def quotable_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The units a citation quotes: sentences, with each table row whole."""
    rows = [(row.start, row.end) for row in table_rows(text, start, end)]
    spans: list[tuple[int, int]] = []
    next_row = 0  # rows and sentences both run in reading order: the first row not yet behind us
    for span in sentence_spans(text, start, end):
        while next_row < len(rows) and rows[next_row][1] < span[1]:
            next_row += 1
        row = rows[next_row] if next_row < len(rows) and rows[next_row][0] <= span[0] else None
        if row is None:
            spans.append(span)
        elif not spans or spans[-1] != row:
            spans.append(row)
    return spans


def chunks_from_nodes(report_id: str, nodes: Sequence[TextNode]) -> tuple[Chunk, ...]:
    """The project's own Chunk records for a report's nodes."""
    return tuple(
        Chunk(
            id=f"{report_id}:{ordinal:04d}",
            report_id=report_id,
            ordinal=ordinal,
            section=node.metadata["section"],
            text=node.text,
            start=node.start_char_idx,
            end=node.end_char_idx,
            sentences=tuple(tuple(span) for span in node.metadata["sentences"]),
        )
        for ordinal, node in enumerate(nodes)
    )


def parse_report(text: str, report_id: str, title: str, chunk_tokens: int) -> tuple[Chunk, ...]:
    """Chunks of one report's original text."""
    parser = ChineseReportParser(chunk_tokens=chunk_tokens, include_prev_next_rel=False)
    document = Document(text=text, metadata={"report_id": report_id, "title": title})
    return chunks_from_nodes(report_id, parser.split_document(document))
