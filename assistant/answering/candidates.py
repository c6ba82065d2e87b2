"""Candidate sentences: every sentence of the retrieved chunks, with its exact span and its signals."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from index.cleaning import sentence_text, sentence_text_in, squash_spaces
from index.injection import is_planted
from index.models import Chunk, ReportMeta
from index.search import Hit
from index.store import ReportStore
from index.tables import is_header_row

from .quantities import Quantity, Slot, quantities_in
from .signals import cosine, coverage, focus_weights, signal_vector
from .terms import Terms

MAX_QUOTE_CHARS = 300
# At most this many characters (spaces, a line break) between a sentence and the one that follows it.
_GAP = 4
CONTEXT_CHARS = 60


@dataclass(frozen=True)
class Sentence:
    """A candidate answer sentence, with its exact original span."""

    report: ReportMeta
    chunk: Chunk
    start: int
    end: int
    quote: str
    score: float  # the fitted probability that it answers the question
    rank: int
    signals: tuple[float, ...] = ()
    read: str = ""  # how it reads in its report, when its quote alone does not say (a money table's row)

    @property
    def display(self) -> str:
        """The quote as read: page numbers and page-break gaps taken out (the citation keeps them)."""
        return self.read or sentence_text(self.quote)

    @classmethod
    def at(cls, report: ReportMeta, chunk: Chunk, text: str, start: int, end: int, score: float, rank: int) -> Sentence:
        """The sentence at a span of its report's text, read as it reads there (a table row with its column names)."""
        return cls(report, chunk, start, end, text[start:end], score, rank, read=sentence_text_in(text, start, end))

    @cached_property
    def stated(self) -> list[Quantity]:
        """The quantities it states, targets marked as its section says."""
        return quantities_in(self.display, self.chunk.section)


@dataclass(frozen=True)
class Candidate:
    """A sentence before scoring: where it is, and what scoring needs to know about it."""

    report: ReportMeta
    chunk: Chunk
    start: int
    end: int
    rank: int
    vector: np.ndarray | None
    read: str  # how it reads in its report: a table row with its column names


def gather(store: ReportStore, hits: list[Hit], terms: Terms) -> list[Candidate]:
    """The sentences of the retrieved chunks, headings left out, over-long ones narrowed."""
    vectors = store.sentence_vectors(h.chunk.id for h in hits)
    found, texts = [], {}
    for rank, hit in enumerate(hits):
        report = store.report(hit.chunk.report_id)
        if report.id not in texts:
            texts[report.id] = store.report_text(report.id)
        chunk_vectors = vectors.get(hit.chunk.id)
        for i, (start, end) in enumerate(hit.chunk.sentences):
            quote = texts[report.id][start:end]
            if is_heading_only(quote, hit.chunk.section) or is_header_row(quote) or is_planted(quote):
                continue  # a heading or a table's header row answers nothing; a planted instruction is never evidence
            start, end = narrow(texts[report.id], start, end, terms)
            vector = chunk_vectors[i] if chunk_vectors is not None and i < len(chunk_vectors) else None
            found.append(Candidate(report, hit.chunk, start, end, rank, vector, sentence_text_in(texts[report.id], start, end)))
    return found


def signals_of(
    candidates: list[Candidate], texts: dict[str, str], terms: Terms, slots: tuple[Slot, ...], question_vector: np.ndarray | None
) -> list[np.ndarray]:
    """The signal vector of every candidate (the semantic gap needs them all at once)."""
    similarity = [cosine(question_vector, c.vector) for c in candidates]
    best = max(similarity, default=0.0)
    focus = focus_weights(terms, slots)
    rows = []
    for candidate, semantic in zip(candidates, similarity):
        text = texts[candidate.report.id]
        read = candidate.read  # a table row is scored as it reads, with its column names
        context = text[max(candidate.start - CONTEXT_CHARS, 0) : candidate.start] + text[candidate.end : candidate.end + CONTEXT_CHARS]
        rows.append(
            signal_vector(
                terms,
                focus,
                slots,
                read,
                candidate.chunk.section,
                context,
                semantic,
                best,
                quantities_in(read, candidate.chunk.section),  # already squashed, as a sentence displays
                candidate.rank,
            )
        )
    return rows


def narrow(text: str, start: int, end: int, terms: Terms) -> tuple[int, int]:
    """Keep a quote short: an over-long sentence is cut to its best-matching run of clauses."""
    if end - start <= MAX_QUOTE_CHARS:
        return start, end
    cuts = [start] + [i + 1 for i in range(start, end) if text[i] in "，,；;"] + [end]
    best, best_score = (start, start + MAX_QUOTE_CHARS), -1.0
    for i, a in enumerate(cuts):
        for b in cuts[i + 1 :]:
            if b - a > MAX_QUOTE_CHARS:
                break
            score = coverage(terms, terms.weights, text[a:b], expanded=True)
            if score > best_score:
                best, best_score = (a, b), score
    return best


def is_heading_only(quote: str, section: str) -> bool:
    """A line that only repeats its own section heading."""
    compact = squash_spaces(quote)
    return bool(compact) and compact in squash_spaces(section) and compact[-1:] not in "。；;！？"


def following(sentence: Sentence, ranked: list[Sentence], count: int = 2) -> list[Sentence]:
    """The candidates that follow a sentence right on in its report (across a chunk's end): they go on about what it
    is about."""
    after = sorted((s for s in ranked if s.report.id == sentence.report.id and s.start >= sentence.end), key=lambda s: s.start)
    found, end = [], sentence.end
    for candidate in after:
        if candidate.start - end > _GAP or len(found) == count:
            break
        if candidate.start >= end:  # the same span may be a candidate twice, from overlapping chunks
            found.append(candidate)
            end = candidate.end
    return found
