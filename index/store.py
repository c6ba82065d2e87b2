"""The persistent index: Chroma vectors, a bm25s lexical index and a SQLite registry, kept in step.

The registry holds reports (metadata and original text), chunks with their sentence offsets,
figures and checks. A report is written to Chroma first and to the registry in one transaction
after; a failure in between removes what Chroma got, so the index never holds half a report.
"""

from __future__ import annotations

import json
import logging
import sqlite3

import numpy as np
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters, VectorStoreQuery

from .chunking import EMBED_TEMPLATE
from .cleaning import match_key
from .errors import EmbedderMismatchError, StoreError
from .lexical import LexicalIndex, add_terms
from .metadata import corrected
from .models import Check, Chunk, Figure, Report, ReportMeta

logger = logging.getLogger(__name__)

COLLECTION = "report_chunks"
# What the pipeline stores for a report (metadata, sections, chunks, table rows, figures) depends on
# the code that read it; a report stored by another version is read again at the next ingest.
# Change this whenever reading, cleaning, metadata, chunking or figure extraction changes.
PIPELINE_VERSION = "2026-11 PDF pages, ruled tables and OCR"
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
"""


def embed_text(title: str, section: str, text: str) -> str:
    """What is embedded and lexically indexed for a chunk: title and section ride along."""
    return EMBED_TEMPLATE.format(metadata_str=f"{title}\n{section}".strip(), content=match_key(text))


class ReportStore:
    """Opens (or creates) the index at `directory` for one embedder; Chroma embedded or on a server."""

    def __init__(self, directory: Path, embedder_signature: str, dim: int, chroma_host: str | None = None, chroma_port: int = 8000) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.directory / "registry.sqlite3", check_same_thread=False)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.executescript(_SCHEMA)
        self._claim_embedder(embedder_signature, dim)
        self.dim = dim
        self.vectors = _chroma_store(self.directory / "chroma", chroma_host, chroma_port, embedder_signature)
        self.lexical = LexicalIndex(self.directory / "lexical")
        self.lexical.load()
        self._meta_cache: dict[str, ReportMeta] | None = None

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
        rows = self.db.execute(
            f'SELECT id, report_id, ordinal, section, text, start, "end", sentences FROM chunks WHERE id IN ({marks})', ids
        ).fetchall()
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

    def add(
        self,
        report: Report,
        embeddings: list[list[float]],
        tokens: list[list[str]],
        figures: list[Figure],
        checks: list[Check],
        sentence_vectors: list[np.ndarray] | None = None,
    ) -> None:
        """Store one whole report, replacing any earlier version from the same source.

        New vectors go in first and the old ones leave only after the registry has switched, so a
        failure at any step leaves the earlier version whole.
        """
        meta = report.meta
        previous = [row[0] for row in self.db.execute("SELECT id FROM reports WHERE source = ?", (meta.source,))]
        nodes = [
            TextNode(
                id_=chunk.id,
                text=chunk.text,
                embedding=vector,
                metadata={"report_id": meta.id, "section": chunk.section},
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=meta.id)},
                start_char_idx=chunk.start,
                end_char_idx=chunk.end,
            )
            for chunk, vector in zip(report.chunks, embeddings)
        ]
        try:
            if nodes:
                self.vectors.add(nodes)
            with self.db:
                self.db.executemany("DELETE FROM reports WHERE id = ?", [(old,) for old in previous])
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
                    [(c.id, np.asarray(v, dtype=np.float32).tobytes()) for c, v in zip(report.chunks, sentence_vectors or [])],
                )
                self.db.executemany("INSERT INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [_figure_row(f) for f in figures])
                self.db.executemany("INSERT INTO checks VALUES (?, ?)", [(c.report_id, json.dumps(asdict(c), ensure_ascii=False)) for c in checks])
        except Exception as error:
            if meta.id not in previous:
                self._delete_vectors(meta.id)
            raise StoreError(f"could not store report {meta.source}: {error}. The index is unchanged.") from error
        finally:
            self._meta_cache = None
        for old in previous:
            if old != meta.id:
                self._delete_vectors(old)

    def holder_of(self, content_hash: str) -> str | None:
        """The source already indexed with this exact content, if any."""
        row = self.db.execute("SELECT source FROM reports WHERE content_hash = ?", (content_hash,)).fetchone()
        return row[0] if row else None

    def remove(self, report_id: str) -> None:
        """Remove a report and everything derived from it."""
        self._delete_vectors(report_id)
        with self.db:
            self.db.execute("DELETE FROM reports WHERE id = ?", (report_id,))
        self._meta_cache = None

    def remove_source(self, source: str) -> None:
        row = self.db.execute("SELECT id FROM reports WHERE source = ?", (source,)).fetchone()
        if row:
            self.remove(row[0])

    def rebuild_lexical(self) -> None:
        """Rebuild the BM25 index from the registry's stored tokens."""
        rows = self.db.execute("SELECT id, report_id, tokens FROM chunks ORDER BY report_id, ordinal").fetchall()
        self.lexical.build([r[0] for r in rows], [r[1] for r in rows], [json.loads(r[2]) for r in rows])

    def _delete_vectors(self, report_id: str) -> None:
        self.vectors.delete(ref_doc_id=report_id)


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
        raise EmbedderMismatchError(
            f"the Chroma collection was built with embedder {collection.metadata['embedder']}, not {signature}"
        )
    return ChromaVectorStore(chroma_collection=collection)


def _meta_from_json(text: str) -> ReportMeta:
    data = json.loads(text)
    data["aliases"] = tuple(data["aliases"])
    data["needs_review"] = tuple(data.get("needs_review", ()))
    return ReportMeta(**data)


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
