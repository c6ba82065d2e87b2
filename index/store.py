"""The persistent index: Chroma vectors, a bm25s lexical index and a SQLite registry, kept in step.

The registry holds reports (metadata and original text), chunks with their sentence offsets,
figures and checks. It is the reference: Chroma and the lexical index are derived from it.

Every write across the three stores goes through one recovery scheme:

- a journal row names the report whose vectors are being written ("write") before Chroma is
  touched, and is cleared in the registry transaction that stores the report; a report the
  registry no longer holds is journalled "drop" in the transaction that removes it, and cleared
  once its vectors are gone;
- the lexical index is marked stale in every registry transaction that changes chunks, and the
  mark is cleared only after a rebuild is saved;
- `check` replays the journal, compares the chunk ids of the three stores, removes orphan
  vectors, re-embeds lost ones (given an embedder) and rebuilds a stale or mismatched lexical
  index. Opening a store runs it (without an embedder), and so does every ingest (with one).

So a crash at any moment (kill -9 included) leaves an index that the next open or ingest mends,
and no error path removes data that the failing write did not put there. The Chroma collection
belongs to this registry alone.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

try:
    import fcntl
except ImportError:  # not POSIX: writers are not serialised between processes
    fcntl = None

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters, VectorStoreQuery

from .chunking import EMBED_TEMPLATE
from .cleaning import match_key
from .errors import EmbedderMismatchError, StoreError
from .guard import IndexGuard
from .lexical import LexicalIndex, add_terms, tokenize
from .metadata import corrected, display_title
from .models import Check, Chunk, Figure, Report, ReportMeta

logger = logging.getLogger(__name__)

COLLECTION = "report_chunks"
# What the pipeline stores for a report (metadata, sections, chunks, table rows, figures) depends on
# the code that read it; a report stored by another version is read again at the next ingest.
# Change this whenever reading, cleaning, metadata, chunking or figure extraction changes.
PIPELINE_VERSION = (
    "2026-12i a self-evaluation table's rows by kind of spending (其中：基本支出, 项目支出) under 年度资金总额 are rows of it and key figures"
    " on each basis; an indicator table without 分值 gives a row per line; a project report's own score in words is its key figure;"
    " an untitled report is of the evaluation it names"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, source TEXT UNIQUE NOT NULL, content_hash TEXT NOT NULL,
    meta TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, sentences TEXT NOT NULL, tokens TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_by_report ON chunks(report_id, ordinal);
CREATE TABLE IF NOT EXISTS figures (
    report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE, bureau TEXT NOT NULL,
    metric TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, basis TEXT,
    quote TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS figures_by_report ON figures(report_id, metric);
CREATE TABLE IF NOT EXISTS sentence_vectors (
    chunk_id TEXT PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE, vectors BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pipeline_versions (
    report_id TEXT PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE, version TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS corrections (source TEXT PRIMARY KEY, fields TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checks (
    report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (report_id TEXT PRIMARY KEY, action TEXT NOT NULL CHECK (action IN ('write', 'drop')));
"""
LEXICAL_STALE = "lexical_stale"  # a settings key, present while the lexical index lags the registry
DELETE_BATCH = 1000  # vector ids per Chroma delete call
RESTORE_BATCH = 500  # chunks re-embedded at a time

Embed = Callable[[list[str]], list[list[float]]]


@dataclass
class Health:
    """How registry, vectors and lexical index agree: chunk counts, what is wrong, what was mended."""

    reports: int
    registry: int
    vectors: int
    lexical: int
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {
            "consistent": self.consistent,
            "reports": self.reports,
            "chunks": {"registry": self.registry, "vectors": self.vectors, "lexical": self.lexical},
            "repaired": list(self.repaired),
        }


def embed_text(title: str, section: str, text: str) -> str:
    """What is embedded and lexically indexed for a chunk: title and section ride along."""
    return EMBED_TEMPLATE.format(metadata_str=f"{title}\n{section}".strip(), content=match_key(text))


class ReportStore:
    """Opens (or creates) the index at `directory` for one embedder; Chroma embedded or on a server."""

    def __init__(self, directory: Path, embedder_signature: str, dim: int, chroma_host: str | None = None, chroma_port: int = 8000) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.guard = IndexGuard()
        self.db = sqlite3.connect(self.directory / "registry.sqlite3", check_same_thread=False)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.executescript(_SCHEMA)
        self._claim_embedder(embedder_signature, dim)
        self.dim = dim
        self.vectors = _chroma_store(self.directory / "chroma", chroma_host, chroma_port, embedder_signature)
        self.lexical = LexicalIndex(self.directory / "lexical")
        self._load_lexical()
        self._meta_cache: dict[str, ReportMeta] | None = None
        self._unreported: list[str] = []  # repairs made on open, until a check reports them
        self._heal_on_open()

    def _load_lexical(self) -> None:
        try:
            self.lexical.load()
        except Exception as error:  # unreadable on disk: the check below rebuilds it
            logger.warning("the lexical index at %s cannot be read (%s); it will be rebuilt", self.lexical.directory, error)
            self.lexical = LexicalIndex(self.lexical.directory)
            with self.db:
                self._mark_lexical_stale()

    def _heal_on_open(self) -> None:
        """Mend what an interrupted writer left, unless another process is writing right now."""
        with self.writing(wait=False) as mine:
            if not mine:
                logger.info("another process is writing to %s; its check is left to that writer", self.directory)
                return
            try:
                health = self.check(repair=True)
            except Exception as error:
                logger.warning("could not check the index at %s on opening: %s", self.directory, error)
                return
        self._unreported = health.repaired
        for problem in health.problems:
            logger.warning("索引不一致：%s（请运行 python -m assistant check --repair 或 ingest）", problem)

    def _claim_embedder(self, signature: str, dim: int) -> None:
        stored = dict(self.db.execute("SELECT key, value FROM settings").fetchall())
        if not stored:
            with self.db:
                self.db.executemany("INSERT INTO settings VALUES (?, ?)", [("embedder", signature), ("dim", str(dim))])
            return
        if stored["embedder"] != signature or int(stored["dim"]) != dim:
            raise EmbedderMismatchError(
                f"the index at {self.directory} was built with embedder {stored['embedder']} "
                f"({stored['dim']} dimensions), but {signature} ({dim} dimensions) is configured. "
                "Configure the same embedder, or choose another index directory and ingest again."
            )

    # -- reading ---------------------------------------------------------------------------

    def reports(self) -> list[ReportMeta]:
        """Metadata of every indexed report, in source order."""
        if self._meta_cache is None:
            rows = self.db.execute("SELECT meta FROM reports ORDER BY source").fetchall()
            fixes = self.corrections()
            metas = (_meta_from_json(r[0]) for r in rows)
            self._meta_cache = {m.id: corrected(m, **fixes.get(m.source, {})) for m in metas}
            add_terms([alias for m in self._meta_cache.values() for alias in m.aliases])
        return list(self._meta_cache.values())

    def corrections(self) -> dict[str, dict]:
        """The metadata users corrected, by source; kept apart from the reports so re-ingest and prune keep them."""
        return {source: json.loads(fields) for source, fields in self.db.execute("SELECT source, fields FROM corrections")}

    def correct(self, source: str, fields: dict) -> None:
        """Record a user's corrections to a report's metadata (merged with earlier ones); they apply at once."""
        merged = self.corrections().get(source, {}) | fields
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO corrections VALUES (?, ?)", (source, json.dumps(merged, ensure_ascii=False)))
        self._meta_cache = None

    def report(self, report_id: str) -> ReportMeta:
        self.reports()
        return self._meta_cache[report_id]

    def source_hashes(self) -> dict[str, str]:
        """Content hash of every complete indexed report by source path.

        A report stored by another pipeline version, or before sentences had vectors, is left out,
        so the next ingest reads it again.
        """
        rows = self.db.execute(
            "SELECT source, content_hash FROM reports r JOIN pipeline_versions p ON p.report_id = r.id AND p.version = ? "
            "WHERE NOT EXISTS (SELECT 1 FROM chunks c LEFT JOIN sentence_vectors v ON v.chunk_id = c.id "
            "WHERE c.report_id = r.id AND v.chunk_id IS NULL)",
            (PIPELINE_VERSION,),
        ).fetchall()
        return dict(rows)

    def sentence_vectors(self, chunk_ids: Iterable[str]) -> dict[str, np.ndarray]:
        """Each chunk's sentence embeddings, one row per sentence in `Chunk.sentences` order."""
        ids = list(dict.fromkeys(chunk_ids))
        if not ids:
            return {}
        rows = self.db.execute(f"SELECT chunk_id, vectors FROM sentence_vectors WHERE chunk_id IN ({','.join('?' * len(ids))})", ids)
        return {chunk_id: np.frombuffer(blob, dtype=np.float32).reshape(-1, self.dim) for chunk_id, blob in rows}

    def report_text(self, report_id: str) -> str:
        """The original text that citation offsets index."""
        row = self.db.execute("SELECT text FROM reports WHERE id = ?", (report_id,)).fetchone()
        return row[0] if row else ""

    def chunk_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT report_id, COUNT(*) FROM chunks GROUP BY report_id").fetchall())

    def chunk_tokens(self) -> list[list[str]]:
        """The lexical tokens of every chunk (the reports' vocabulary)."""
        return [json.loads(row[0]) for row in self.db.execute("SELECT tokens FROM chunks")]

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
        """Chunks by id."""
        ids = list(chunk_ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f'SELECT id, report_id, ordinal, section, text, start, "end", sentences FROM chunks WHERE id IN ({marks})', ids).fetchall()
        return {row[0]: _chunk_from_row(row) for row in rows}

    def report_chunks(self, report_id: str) -> list[Chunk]:
        rows = self.db.execute(
            'SELECT id, report_id, ordinal, section, text, start, "end", sentences FROM chunks WHERE report_id = ? ORDER BY ordinal',
            (report_id,),
        ).fetchall()
        return [_chunk_from_row(row) for row in rows]

    def figures(self, report_ids: Iterable[str] | None = None) -> list[Figure]:
        """Key figures, for some reports or all."""
        query = 'SELECT report_id, bureau, metric, value, unit, basis, quote, start, "end" FROM figures'
        params: list[str] = []
        if report_ids is not None:
            params = list(report_ids)
            query += f" WHERE report_id IN ({','.join('?' * len(params))})"
        # The bureau is the report's as it stands now, corrections included.
        rows = self.db.execute(query + " ORDER BY report_id, rowid", params)
        return [replace(Figure(*row), bureau=self.report(row[0]).bureau) for row in rows]

    def checks(self, report_ids: Iterable[str] | None = None) -> list[Check]:
        """Consistency checks run at ingest."""
        query, params = "SELECT body FROM checks", list(report_ids or [])
        if report_ids is not None:
            query += f" WHERE report_id IN ({','.join('?' * len(params))})"
        checks = [_check_from_json(row[0]) for row in self.db.execute(query + " ORDER BY rowid", params)]
        return [replace(check, bureau=self.report(check.report_id).bureau) for check in checks]

    def dense_search(self, embedding: list[float], top_k: int, report_ids: set[str] | None) -> list[tuple[str, float]]:
        """Nearest chunk ids by cosine similarity, limited to the given reports."""
        filters = None
        if report_ids is not None:
            if not report_ids:
                return []
            filters = MetadataFilters(filters=[MetadataFilter(key="report_id", value=sorted(report_ids), operator=FilterOperator.IN)])
        result = self.vectors.query(VectorStoreQuery(query_embedding=embedding, similarity_top_k=top_k, filters=filters))
        return list(zip(result.ids or [], result.similarities or []))

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Read the index as last committed: many readers at once, never during a writer's switch."""
        with self.guard.reading():
            yield

    @contextmanager
    def writing(self, wait: bool = True) -> Iterator[bool]:
        """Hold this index's writer lock (between processes, and against readers in this one);
        yields whether it is held.

        Only a write's final switch holds it (storing prepared reports, the lexical rebuild,
        check and repair), so questions wait for that alone, and a check never mistakes another
        writer's work in progress for the remains of a crash. The lock dies with its process,
        kill -9 included.
        """
        with self.guard.writing():
            with self._between_processes(wait) as held:
                yield held

    @contextmanager
    def _between_processes(self, wait: bool) -> Iterator[bool]:
        if fcntl is None:
            yield True
            return
        with open(self.directory / "writer.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add(
        self,
        report: Report,
        embeddings: list[list[float]],
        tokens: list[list[str]],
        figures: list[Figure],
        checks: list[Check],
        sentence_vectors: list[np.ndarray] | None = None,
    ) -> None:
        """Store one whole report, replacing any earlier version from the same source or with the same id.

        Journalled: the vectors go in first, then one registry transaction switches to the new
        version and clears the journal; old vectors leave after. A failure removes only the
        vectors this call wrote, and `check` finishes whatever a crash interrupted.
        """
        meta = report.meta
        previous = self._replaced_by(meta)
        self._journal(meta.id, "write")
        try:
            nodes = [_node(c, v) for c, v in zip(report.chunks, embeddings)]
            self._write_vectors(meta.id, nodes, rewrite=meta.id in previous)
            with self.db:
                self._unregister(previous)
                self._register(report, tokens, figures, checks, sentence_vectors or [])
                self.db.execute("DELETE FROM journal WHERE report_id = ?", (meta.id,))
        except Exception as error:
            self._roll_back(meta.id)
            raise StoreError(f"{meta.source}：无法写入索引（{error}），索引保持不变。") from error
        finally:
            self._meta_cache = None
        self._finish_drops()

    def _replaced_by(self, meta: ReportMeta) -> list[str]:
        """The stored reports a new version replaces: the one from its source, and one with its id."""
        rows = self.db.execute("SELECT id FROM reports WHERE source = ? OR id = ?", (meta.source, meta.id))
        return [row[0] for row in rows]

    def _journal(self, report_id: str, action: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO journal VALUES (?, ?)", (report_id, action))

    def _write_vectors(self, report_id: str, nodes: list[TextNode], rewrite: bool) -> None:
        """Add a report's vectors; a report stored again under its own id loses its old ones first (same ids)."""
        if rewrite:
            self._delete_vectors(report_id)
        if nodes:
            self.vectors.add(nodes)

    def _unregister(self, report_ids: list[str]) -> None:
        """Inside a transaction: remove reports from the registry and journal their vectors to go."""
        self.db.executemany("DELETE FROM reports WHERE id = ?", [(old,) for old in report_ids])
        self.db.executemany("INSERT OR REPLACE INTO journal VALUES (?, 'drop')", [(old,) for old in report_ids])
        if report_ids:
            self._mark_lexical_stale()

    def _register(self, report: Report, tokens: list[list[str]], figures: list[Figure], checks: list[Check], sentence_vectors: list[np.ndarray]) -> None:
        """Inside a transaction: one whole report in the registry."""
        meta = report.meta
        self.db.execute(
            "INSERT INTO reports VALUES (?, ?, ?, ?, ?)",
            (meta.id, meta.source, meta.content_hash, json.dumps(asdict(meta), ensure_ascii=False), report.text),
        )
        self.db.execute("INSERT INTO pipeline_versions VALUES (?, ?)", (meta.id, PIPELINE_VERSION))
        self.db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (c.id, c.report_id, c.ordinal, c.section, c.text, c.start, c.end, json.dumps(c.sentences), json.dumps(t, ensure_ascii=False))
                for c, t in zip(report.chunks, tokens)
            ],
        )
        self.db.executemany(
            "INSERT INTO sentence_vectors VALUES (?, ?)",
            [(c.id, np.asarray(v, dtype=np.float32).tobytes()) for c, v in zip(report.chunks, sentence_vectors)],
        )
        self.db.executemany("INSERT INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [_figure_row(f) for f in figures])
        self.db.executemany("INSERT INTO checks VALUES (?, ?)", [(c.report_id, json.dumps(asdict(c), ensure_ascii=False)) for c in checks])
        self._mark_lexical_stale()

    def _roll_back(self, report_id: str) -> bool:
        """Undo an unfinished write: its vectors leave. If the registry still holds an earlier version
        under this id, that version's vectors (removed by the write) are re-embedded by `check`."""
        try:
            self._delete_vectors(report_id)
            with self.db:
                self.db.execute("DELETE FROM journal WHERE report_id = ? AND action = 'write'", (report_id,))
            return True
        except Exception as error:  # the journal keeps it; the next open or ingest finishes the job
            logger.warning("could not roll back the vectors of report %s yet: %s", report_id, error)
            return False

    def _finish_drops(self) -> list[str]:
        """Remove the vectors of every report journalled to go; returns the ids done."""
        done = []
        for (report_id,) in self.db.execute("SELECT report_id FROM journal WHERE action = 'drop'").fetchall():
            try:
                if not self._holds(report_id):
                    self._delete_vectors(report_id)
                with self.db:
                    self.db.execute("DELETE FROM journal WHERE report_id = ? AND action = 'drop'", (report_id,))
                done.append(report_id)
            except Exception as error:
                logger.warning("could not remove the vectors of report %s yet: %s", report_id, error)
        return done

    def _holds(self, report_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone() is not None

    def holder_of(self, content_hash: str) -> str | None:
        """The source already indexed with this exact content, if any."""
        row = self.db.execute("SELECT source FROM reports WHERE content_hash = ?", (content_hash,)).fetchone()
        return row[0] if row else None

    def move(self, old_source: str, new_source: str) -> None:
        """A report's file was renamed: its source (and a title taken from the file name) follow,
        and so do the user's corrections; chunks and vectors stay. A report stored from the new
        source before is replaced."""
        row = self.db.execute("SELECT id, meta FROM reports WHERE source = ?", (old_source,)).fetchone()
        if row is None:
            raise StoreError(f"no report is indexed from {old_source}")
        meta = _meta_from_json(row[1])
        moved = replace(meta, source=new_source, title=_title_after_move(meta, new_source))
        displaced = [r[0] for r in self.db.execute("SELECT id FROM reports WHERE source = ? AND id != ?", (new_source, meta.id))]
        fixes = self.corrections().get(old_source)
        with self.db:
            self._unregister(displaced)
            self.db.execute(
                "UPDATE reports SET source = ?, meta = ? WHERE id = ?",
                (new_source, json.dumps(asdict(moved), ensure_ascii=False), meta.id),
            )
            if fixes is not None:
                self.db.execute("DELETE FROM corrections WHERE source = ?", (old_source,))
                self.db.execute("INSERT OR REPLACE INTO corrections VALUES (?, ?)", (new_source, json.dumps(fixes, ensure_ascii=False)))
        self._meta_cache = None
        self._finish_drops()

    def remove(self, report_id: str) -> None:
        """Remove a report and everything derived from it."""
        with self.db:
            self._unregister([report_id])
        self._meta_cache = None
        self._finish_drops()

    def remove_source(self, source: str) -> None:
        row = self.db.execute("SELECT id FROM reports WHERE source = ?", (source,)).fetchone()
        if row:
            self.remove(row[0])

    @property
    def lexical_stale(self) -> bool:
        """Whether the registry changed since the lexical index was last saved."""
        return self.db.execute("SELECT 1 FROM settings WHERE key = ?", (LEXICAL_STALE,)).fetchone() is not None

    def _mark_lexical_stale(self) -> None:
        """Inside a transaction."""
        self.db.execute("INSERT OR REPLACE INTO settings VALUES (?, '1')", (LEXICAL_STALE,))

    def aliases(self) -> set[str]:
        """Every indexed report's bureau aliases: the names the tokenizer keeps whole."""
        return {alias for meta in self.reports() for alias in meta.aliases}

    def retokenize(self, names: set[str]) -> int:
        """Tokenize again the chunks whose text holds one of `names` (aliases the tokenizer has just learned), so a
        chunk's tokens never depend on which reports were indexed before it; returns how many changed. The caller
        holds the writer lock; the lexical index is then stale."""
        if not names:
            return 0
        add_terms(sorted(names))
        titles = {rid: json.loads(meta)["title"] for rid, meta in self.db.execute("SELECT id, meta FROM reports")}
        keys = [name.lower() for name in names]
        changed = []
        for cid, rid, section, text, tokens in self.db.execute("SELECT id, report_id, section, text, tokens FROM chunks"):
            embedded = embed_text(titles[rid], section, text)
            if any(key in match_key(embedded).lower() for key in keys) and (new := tokenize(embedded)) != json.loads(tokens):
                changed.append((json.dumps(new, ensure_ascii=False), cid))
        if changed:
            with self.db:
                self.db.executemany("UPDATE chunks SET tokens = ? WHERE id = ?", changed)
                self._mark_lexical_stale()
        return len(changed)

    def rebuild_lexical(self) -> None:
        """Rebuild the BM25 index from the registry's stored tokens; the stale mark clears once it is saved."""
        with self.db:
            self._mark_lexical_stale()
        rows = self.db.execute("SELECT id, report_id, tokens FROM chunks ORDER BY report_id, ordinal").fetchall()
        self.lexical.build([r[0] for r in rows], [r[1] for r in rows], [json.loads(r[2]) for r in rows])
        with self.db:
            self.db.execute("DELETE FROM settings WHERE key = ?", (LEXICAL_STALE,))

    def _delete_vectors(self, report_id: str) -> None:
        self.vectors.delete(ref_doc_id=report_id)

    # -- checking and mending --------------------------------------------------------------

    def check(self, repair: bool = False, embed: Embed | None = None) -> Health:
        """Compare the chunk ids of registry, Chroma and the lexical index; with `repair`, mend them.

        Mending replays the journal, removes orphan vectors, re-embeds lost vectors from the stored
        chunk texts (only given `embed`) and rebuilds a stale or mismatched lexical index. The
        caller holds `writing()`. Repairs made when the store was opened are reported here too.
        """
        earlier, self._unreported = self._unreported, []
        repaired = self._repair(embed) if repair else []
        for line in repaired:
            logger.warning("索引已修复：%s", line)
        if repaired:
            self._meta_cache = None
        return self._health(earlier + repaired)

    def _repair(self, embed: Embed | None) -> list[str]:
        repaired = self._replay_journal()
        registry, vectors = self._registry_ids(), self._vector_ids()
        repaired += self._remove_orphan_vectors(vectors - registry.keys())
        if embed is not None:
            repaired += self._restore_vectors(registry.keys() - vectors, embed)
        repaired += self._refresh_lexical(registry)
        return repaired

    def _registry_ids(self) -> dict[str, str]:
        """Report id of every registered chunk, by chunk id."""
        return dict(self.db.execute("SELECT id, report_id FROM chunks").fetchall())

    def _vector_ids(self) -> set[str]:
        return set(self.vectors._collection.get(include=[])["ids"])

    def _health(self, repaired: list[str]) -> Health:
        registry, vectors, lexical = self._registry_ids(), self._vector_ids(), list(self.lexical._chunk_ids)
        problems = []
        pending = self.db.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
        if pending:
            problems.append(f"{pending} 份报告的写入或删除未完成（日志待处理）")
        if orphans := vectors - registry.keys():
            problems.append(f"向量库中有 {len(orphans)} 条孤立向量（登记表中没有对应的块）")
        if missing := registry.keys() - vectors:
            reports = sorted({registry[c] for c in missing})
            problems.append(f"向量库缺少 {len(missing)} 块的向量（报告 {'、'.join(reports)}）")
        if self._lexical_mismatch(registry, lexical):
            problems.append(f"词法索引与登记表不一致（登记 {len(registry)} 块，词法索引 {len(lexical)} 块）")
        reports = self.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        return Health(reports, len(registry), len(vectors), len(lexical), problems, repaired)

    def _lexical_mismatch(self, registry: dict[str, str], lexical: list[str]) -> bool:
        return self.lexical_stale or len(lexical) != len(registry) or set(lexical) != registry.keys()

    def _replay_journal(self) -> list[str]:
        """Roll back writes a crash interrupted and finish removals it left halfway."""
        repaired = []
        for (report_id,) in self.db.execute("SELECT report_id FROM journal WHERE action = 'write'").fetchall():
            if self._roll_back(report_id):
                repaired.append(f"回滚未完成的写入：报告 {report_id} 的向量已移除")
        for report_id in self._finish_drops():
            repaired.append(f"完成中断的删除：报告 {report_id} 的向量已移除")
        return repaired

    def _remove_orphan_vectors(self, orphans: set[str]) -> list[str]:
        """Vectors of chunks the registry does not hold: a write that never finished."""
        orphans = sorted(orphans)
        for at in range(0, len(orphans), DELETE_BATCH):
            self.vectors.delete_nodes(node_ids=orphans[at : at + DELETE_BATCH])
        return [f"删除孤立向量 {len(orphans)} 条"] if orphans else []

    def _restore_vectors(self, missing: set[str], embed: Embed) -> list[str]:
        """Re-embed, from the stored chunk texts, the chunks whose vectors are lost."""
        if not missing:
            return []
        titles = dict(self.db.execute("SELECT id, json_extract(meta, '$.title') FROM reports").fetchall())
        ordered, reports = sorted(missing), set()
        for at in range(0, len(ordered), RESTORE_BATCH):
            chunks = list(self.chunks(ordered[at : at + RESTORE_BATCH]).values())
            vectors = embed([embed_text(titles[c.report_id], c.section, c.text) for c in chunks])
            self.vectors.add([_node(c, v) for c, v in zip(chunks, vectors)])
            reports |= {c.report_id for c in chunks}
        return [f"补全缺失向量 {len(missing)} 块（报告 {'、'.join(sorted(reports))}）"]

    def _refresh_lexical(self, registry: dict[str, str]) -> list[str]:
        before = len(self.lexical._chunk_ids)
        if not self._lexical_mismatch(registry, list(self.lexical._chunk_ids)):
            return []
        self.rebuild_lexical()
        return [f"重建词法索引（{before} → {len(registry)} 块）"]


def _node(chunk: Chunk, vector: list[float]) -> TextNode:
    """A chunk as Chroma holds it: its vector, report and section; the report is its source document."""
    return TextNode(
        id_=chunk.id,
        text=chunk.text,
        embedding=list(vector),
        metadata={"report_id": chunk.report_id, "section": chunk.section},
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.report_id)},
        start_char_idx=chunk.start,
        end_char_idx=chunk.end,
    )


def _title_after_move(meta: ReportMeta, new_source: str) -> str:
    """A title that was only the file name follows the file; a title read from the text stays."""
    if meta.title == display_title("", meta.bureau, meta.year, meta.kind, meta.source):
        return display_title("", meta.bureau, meta.year, meta.kind, new_source)
    return meta.title


def _chroma_store(path: Path, host: str | None, port: int, signature: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.vector_stores.chroma import ChromaVectorStore

    settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if host:
            client = chromadb.HttpClient(host=host, port=port, settings=settings)
        else:
            client = chromadb.PersistentClient(path=str(path), settings=settings)
        collection = client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine", "embedder": signature})
    except Exception as error:
        where = f"the Chroma server at {host}:{port}" if host else f"the Chroma directory {path}"
        raise StoreError(f"cannot open {where}: {error}. Check that it is running and reachable.") from error
    if (collection.metadata or {}).get("embedder", signature) != signature:
        raise EmbedderMismatchError(f"the Chroma collection was built with embedder {collection.metadata['embedder']}, not {signature}")
    return ChromaVectorStore(chroma_collection=collection)


def _meta_from_json(text: str) -> ReportMeta:
    return ReportMeta(**json.loads(text))  # ReportMeta turns the JSON lists back into tuples


def _chunk_from_row(row: tuple) -> Chunk:
    *fields, sentences = row
    return Chunk(*fields, sentences=tuple(tuple(s) for s in json.loads(sentences)))


def _figure_row(figure: Figure) -> tuple:
    return tuple(asdict(figure).values())


def _check_from_json(text: str) -> Check:
    data = json.loads(text)
    data["total"] = Figure(**data["total"])
    data["parts"] = tuple(Figure(**p) for p in data["parts"])
    return Check(**data)
