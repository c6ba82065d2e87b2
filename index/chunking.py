"""A llama-index node parser for Chinese reports: section-bounded, sentence-aligned, token-budgeted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, Document, MetadataMode, TextNode
from llama_index.core.utils import get_tokenizer

from .cleaning import CleanText, clean, sentence_spans
from .models import SECTION_SEPARATOR, Chunk
from .sections import segments
from .tables import table_rows

_CLAUSE_END = "，,、：:"
_UNBREAKABLE = re.compile(r"[0-9０-９A-Za-z.．%％]")
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
        dropped = cleaned.text[last[1] : start].strip() != "".join(
            cleaned.original[i] for i in range(cleaned.origin[last[1] - 1] + 1, cleaned.origin[start])
        ).strip()
        return not dropped and self._fits(cleaned, last[0], end)

    def _fits(self, cleaned: CleanText, start: int, end: int) -> bool:
        orig_start, orig_end = cleaned.span_in_original(start, end)
        return count_tokens(cleaned.original[orig_start:orig_end]) <= self.chunk_tokens

    def _fit(self, cleaned: CleanText, start: int, end: int) -> list[tuple[int, int]]:
        """Split an over-long sentence at clause marks, else between characters outside numbers."""
        if self._fits(cleaned, start, end):
            return [(start, end)]
        text = cleaned.text
        clause_ends = [i + 1 for i in range(end - 2, start, -1) if text[i] in _CLAUSE_END]
        cut = next((i for i in clause_ends if self._fits(cleaned, start, i)), None)
        if cut is None:
            cut = start + 1
            while cut < end and self._fits(cleaned, start, cut + 1):
                cut += 1
            while cut - 1 > start and _UNBREAKABLE.match(text[cut - 1]) and _UNBREAKABLE.match(text[cut]):
                cut -= 1
        return [(start, cut), *self._fit(cleaned, cut, end)]

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


def quotable_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The units a citation quotes: sentences, with each table row whole."""
    rows = [(row.start, row.end) for row in table_rows(text, start, end)]
    spans: list[tuple[int, int]] = []
    for span in sentence_spans(text, start, end):
        row = next((r for r in rows if r[0] <= span[0] and span[1] <= r[1]), None)
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
