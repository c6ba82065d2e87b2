"""Files in, index out: read, clean, parse, chunk, embed and store each report as a whole."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np

from .chunking import parse_report
from .cleaning import clean, sentence_text_in
from .embedding import ReportEmbedder
from .errors import ReportIndexError, UnreadableFileError
from .figures import check_figures, extract_figures
from .injection import overlaps, planted_spans
from .lexical import tokenize
from .metadata import content_hash, read_metadata
from .models import Report, ReportMeta
from .readers import SUPPORTED_SUFFIXES, ReportText, read_report
from .sections import sections
from .store import Health, ReportStore, embed_text

logger = logging.getLogger(__name__)

Progress = Callable[[float, int, str], None]  # (files done, in fractions; files in all; what is happening)


@dataclass
class IngestResult:
    """What one ingest run did, report by report."""

    added: list[ReportMeta] = field(default_factory=list)
    replaced: list[ReportMeta] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, the file already indexed with its content)
    moved: list[tuple[str, str]] = field(default_factory=list)  # (the file as indexed before, its new name): a rename
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed or self.moved)


# Plain words for failures no reader anticipated; the batch goes on without the file.
UNEXPECTED_FAILURES = (
    (RecursionError, "文件结构嵌套过深，无法解析"),
    (MemoryError, "文件过大，内存不足"),
    (UnicodeError, "文字编码无法识别"),
    (OSError, "文件无法读取"),
)


def failure_reason(path: Path, error: Exception) -> str:
    """Why a file failed, naming it: the index's own message, or plain words for anything else."""
    if isinstance(error, ReportIndexError):
        message = str(error)
        return message if path.name in message else f"{path}: {message}"
    words = next((words for kind, words in UNEXPECTED_FAILURES if isinstance(error, kind)), "导入时出现意外错误")
    return f"{path}: {words}，已跳过此文件（{type(error).__name__}: {error}）"


def find_report_files(paths: Iterable[Path]) -> list[Path]:
    """The report files named, with folders searched recursively for supported suffixes."""
    return report_files(paths)[0]


def report_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The report files named (folders searched recursively), and the links in those folders that lead outside them."""
    found: list[Path] = []
    escaping: list[Path] = []
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for file in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")):
                (found if file.resolve().is_relative_to(root) else escaping).append(file)
        else:
            found.append(path)
    return list(dict.fromkeys(p.resolve() for p in found)), escaping


def parse(text: str, source: str, chunk_tokens: int, pages: tuple[int, ...] = (), ocr_pages: tuple[int, ...] = ()) -> Report:
    """A Report from its original text (and, for a PDF, where its pages start): metadata, sections and chunks."""
    meta = replace(read_metadata(text, source), pages=pages, ocr_pages=ocr_pages)
    if planted_spans(text):
        logger.warning("%s: holds sentences that give orders to a model; they are never used as evidence", source)
        meta = replace(meta, needs_review=(*meta.needs_review, "instructions"))
    if not meta.bureau:
        logger.warning("%s: no bureau name found; correct it with: python -m assistant meta", source)
    chunks = parse_report(text, meta.id, meta.title, chunk_tokens)
    return Report(meta=meta, text=text, sections=sections(clean(text)), chunks=chunks)


# CPU niceness of the thread that embeds an ingest's chunks and sentences (and of reading workers):
# on a busy machine, people's questions come before the ingest's embedding.
BACKGROUND_NICENESS = 10

# Stages of one file, as progress reports them: (label, share of the file's work done before it).
STAGES = {"read": ("读取", 0.0), "embed": ("嵌入", 0.4), "save": ("保存", 0.9)}
# The share of a whole ingest left for the final lexical rebuild and check, after every file.
FINISHING_SHARE = 0.05


@dataclass
class Ingester:
    """Adds, replaces, skips and prunes reports so the index matches the files given.

    Reading, parsing and embedding happen outside the index's writer lock; only each report's
    final switch into the stores (and the lexical rebuild at the end) holds it, so questions are
    answered from the last committed state while an ingest runs.
    """

    store: ReportStore
    embedder: ReportEmbedder
    chunk_tokens: int
    read: Callable[[Path], ReportText] = read_report  # index.isolation.read_isolated for untrusted files

    def run(self, paths: Iterable[Path], prune: bool = False, progress: Progress | None = None) -> IngestResult:
        """Ingest the files under `paths`; one bad file is reported, never fatal to the batch.

        Checks and mends the index before and after. `progress(done, total, label)` is told each
        file's stage: `done` counts files, in fractions, out of `total` files.
        """
        files, escaping = report_files(paths)
        result = IngestResult()
        for link in escaping:
            logger.warning("%s: a link to %s, outside its folder; refused", link, link.resolve())
            result.failed.append((str(link), f"{link}: 这是指向文件夹之外（{link.resolve()}）的链接，已拒绝。请把报告文件本身放进文件夹。"))
        with self.store.writing():
            self.heal()
        known = self.store.source_hashes()
        names_before = self.store.aliases()
        share = 1 - FINISHING_SHARE if files else 0.0
        for done, path in enumerate(files):
            self._ingest_guarded(path, known, result, _file_stages(progress, done, len(files), share, path.name))
        if progress:
            progress(share * len(files), len(files), "更新检索索引")
        with self.store.writing():
            if prune:
                self._prune(files, result)
            # A report read before another one's names were known was tokenized without them: read its chunks again.
            self.store.retokenize(self.store.aliases() - names_before)
            if self.store.lexical_stale:
                self.store.rebuild_lexical()
            self.heal()
        if progress:
            progress(len(files), len(files), "完成")
        return result

    def heal(self) -> Health | None:
        """Check the index against itself and mend it, lost vectors re-embedded; never fatal to an
        ingest. The caller holds the writer lock."""
        try:
            health = self.store.check(repair=True, embed=self.embedder.get_text_embedding_batch)
        except Exception as error:
            logger.warning("索引自检失败：%s", error)
            return None
        for problem in health.problems:
            logger.warning("索引仍不一致：%s", problem)
        return health

    def _ingest_guarded(self, path: Path, known: dict[str, str], result: IngestResult, stage: Stage) -> None:
        """Ingest one file; any failure fails that file alone, and the store rolls back what it wrote."""
        try:
            self._ingest_one(path, known, result, stage)
        except Exception as error:
            reason = failure_reason(path, error)
            logger.warning("%s", reason)
            logger.debug("%s failed", path, exc_info=True)
            result.failed.append((str(path), reason))

    def _prune(self, files: list[Path], result: IngestResult) -> None:
        """Under the writer lock: drop reports whose files were not among those given."""
        present = {str(p) for p in files}
        for source in sorted(set(self.store.source_hashes()) - present):
            self.store.remove_source(source)
            result.removed.append(source)

    def _ingest_one(self, path: Path, known: dict[str, str], result: IngestResult, stage: Stage) -> None:
        stage("read")
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
        if holder and holder != source:
            holder = self._move(holder, source, digest, known, result)
            if known.get(source) == digest:
                return
        stage("embed")
        report = parse(text, source, self.chunk_tokens, read.pages, read.ocr_pages)
        if not report.chunks:
            raise UnreadableFileError(path, "清理后没有可索引的文字")
        stored = self.stored_form(report)
        stage("save")
        with self.store.writing():
            self.store.add(report, *stored)
        # Known, or stored by an older pipeline version (then the same content is held under this source).
        (result.replaced if source in known or holder == source else result.added).append(report.meta)

    def _move(self, holder: str, source: str, digest: str, known: dict[str, str], result: IngestResult) -> str:
        """`holder`'s file is gone and `source` holds its content: a rename. The report follows the
        file as it is indexed (no re-embedding); returns the source it is now held under."""
        with self.store.writing():
            self.store.move(holder, source)
        logger.info("%s: renamed from %s; the indexed report follows it", source, holder)
        result.moved.append((holder, source))
        if known.pop(holder, None) == digest:
            known[source] = digest
        else:  # stored by another pipeline version: it is read again, now under its new name
            known.pop(source, None)
        return source

    def stored_form(self, report: Report) -> tuple:
        """What the store keeps beside a parsed report: chunk embeddings and tokens, figures, checks
        and sentence vectors. The slow part of an ingest, done without the writer lock."""
        texts = [embed_text(report.meta.title, chunk.section, chunk.text) for chunk in report.chunks]
        embeddings = self._embed(texts)
        tokens = [tokenize(t) for t in texts]
        planted = planted_spans(report.text)
        figures = [f for f in extract_figures(report) if not overlaps(planted, f.start, f.end)]
        return embeddings, tokens, figures, check_figures(figures), self.sentence_vectors(report)

    def sentence_vectors(self, report: Report) -> list[np.ndarray]:
        """Every chunk's sentences embedded (passage side), one array per chunk, for answer scoring."""
        per_chunk = [[sentence_text_in(report.text, s, e) for s, e in chunk.sentences] for chunk in report.chunks]
        flat = self._embed([t for texts in per_chunk for t in texts])
        vectors, at = [], 0
        for texts in per_chunk:
            vectors.append(np.asarray(flat[at : at + len(texts)], dtype=np.float32).reshape(len(texts), -1))
            at += len(texts)
        return vectors

    def _embed(self, texts: list[str]) -> list[list[float]]:
        """Passage embeddings, computed on the background thread (its own CPU threads, lower priority)."""
        return _background().submit(self.embedder.get_text_embedding_batch, texts).result()


@cache
def _background() -> ThreadPoolExecutor:
    """One worker thread at lowered CPU priority for ingest embeddings. The embedder's own thread
    team is made per calling thread and inherits that priority, while questions embed on theirs."""
    return ThreadPoolExecutor(1, thread_name_prefix="ingest-embedding", initializer=lower_priority)


def lower_priority() -> None:
    """Lower this thread's CPU priority to BACKGROUND_NICENESS (never raise it); Linux niceness is per thread."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, max(os.getpriority(os.PRIO_PROCESS, thread), BACKGROUND_NICENESS))
    except (AttributeError, OSError):  # not POSIX, or not allowed: run at normal priority
        pass


Stage = Callable[[str], None]


def _file_stages(progress: Progress | None, done: int, total: int, share: float, name: str) -> Stage:
    """Tells `progress` that file number `done` of `total` reached a stage ("read", "embed", "save")."""

    def stage(key: str) -> None:
        if progress:
            label, before = STAGES[key]
            progress(share * (done + before), total, f"{label} {name}")

    return stage
