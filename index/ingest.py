"""Files in, index out: read, clean, parse, chunk, embed and store each report as a whole."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .chunking import parse_report
from .cleaning import clean, sentence_text
from .errors import ReportIndexError, UnreadableFileError
from .embedding import ReportEmbedder
from .figures import check_figures, extract_figures
from .lexical import tokenize
from .metadata import content_hash, read_metadata
from .models import Report, ReportMeta
from .readers import SUPPORTED_SUFFIXES, ReportText, read_report
from .sections import sections
from .store import ReportStore, embed_text

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass
class IngestResult:
    """What one ingest run did, report by report."""

    added: list[ReportMeta] = field(default_factory=list)
    replaced: list[ReportMeta] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, the file already indexed with its content)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)


def find_report_files(paths: Iterable[Path]) -> list[Path]:
    """The report files named, with folders searched recursively for supported suffixes."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith("."))
        else:
            found.append(path)
    return list(dict.fromkeys(p.resolve() for p in found))


def parse(text: str, source: str, chunk_tokens: int, pages: tuple[int, ...] = (), ocr_pages: tuple[int, ...] = ()) -> Report:
    """A Report from its original text (and, for a PDF, where its pages start): metadata, sections and chunks."""
    meta = replace(read_metadata(text, source), pages=pages, ocr_pages=ocr_pages)
    if not meta.bureau:
        logger.warning("%s: no bureau name found; correct it with: python -m assistant meta", source)
    chunks = parse_report(text, meta.id, meta.title, chunk_tokens)
    return Report(meta=meta, text=text, sections=sections(clean(text)), chunks=chunks)


@dataclass
class Ingester:
    """Adds, replaces, skips and prunes reports so the index matches the files given."""

    store: ReportStore
    embedder: ReportEmbedder
    chunk_tokens: int
    read: Callable[[Path], ReportText] = read_report  # index.isolation.read_isolated for untrusted files

    def run(self, paths: Iterable[Path], prune: bool = False, progress: Progress | None = None) -> IngestResult:
        """Ingest the files under `paths`; one bad file is reported, never fatal to the batch."""
        files = find_report_files(paths)
        result = IngestResult()
        known = self.store.source_hashes()
        for done, path in enumerate(files):
            if progress:
                progress(done, len(files), path.name)
            try:
                self._ingest_one(path, known, result)
            except ReportIndexError as error:
                logger.warning("%s", error)
                result.failed.append((str(path), str(error)))
        if prune:
            present = {str(p) for p in files}
            for source in sorted(set(known) - present):
                self.store.remove_source(source)
                result.removed.append(source)
        if result.changed:
            self.store.rebuild_lexical()
        if progress:
            progress(len(files), len(files), "")
        return result

    def _ingest_one(self, path: Path, known: dict[str, str], result: IngestResult) -> None:
        read = self.read(path)
        text = read.text
        source, digest = str(path), content_hash(text)
        if known.get(source) == digest:
            result.unchanged.append(source)
            return
        holder = self.store.holder_of(digest)
        if holder and holder != source and Path(holder).exists():
            logger.warning("%s: same content as %s, which is already indexed; skipped", source, holder)
            result.duplicates.append((source, holder))
            return
        report = parse(text, source, self.chunk_tokens, read.pages, read.ocr_pages)
        if not report.chunks:
            raise UnreadableFileError(path, "no text to index after cleaning")
        self.add(report)
        # Known, or stored by an older pipeline version (then the same content is held under this source).
        (result.replaced if source in known or holder == source else result.added).append(report.meta)

    def add(self, report: Report) -> None:
        """Embed and store one parsed report, with its figures and checks."""
        texts = [embed_text(report.meta.title, chunk.section, chunk.text) for chunk in report.chunks]
        embeddings = self.embedder.get_text_embedding_batch(texts)
        tokens = [tokenize(t) for t in texts]
        figures = extract_figures(report)
        self.store.add(report, embeddings, tokens, figures, check_figures(figures), self.sentence_vectors(report))

    def sentence_vectors(self, report: Report) -> list[np.ndarray]:
        """Every chunk's sentences embedded (passage side), one array per chunk, for answer scoring."""
        per_chunk = [[sentence_text(report.text[s:e]) for s, e in chunk.sentences] for chunk in report.chunks]
        flat = self.embedder.get_text_embedding_batch([t for texts in per_chunk for t in texts])
        vectors, at = [], 0
        for texts in per_chunk:
            vectors.append(np.asarray(flat[at : at + len(texts)], dtype=np.float32).reshape(len(texts), -1))
            at += len(texts)
        return vectors

