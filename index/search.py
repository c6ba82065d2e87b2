"""Hybrid retrieval: jieba BM25 and dense vectors, each filtered to the chosen reports, fused by RRF."""

from __future__ import annotations

import time
from dataclasses import dataclass

from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.retrievers.fusion_retriever import FUSION_MODES
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from .embedding import ReportEmbedder
from .models import Chunk
from .store import ReportStore


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score."""

    chunk: Chunk
    score: float


class _StoreRetriever(BaseRetriever):
    """Adapts one of the store's searches to llama-index; nodes are keyed by chunk id."""

    def __init__(self, search, top_k: int, report_ids: set[str] | None) -> None:
        super().__init__()
        self._search, self._top_k, self._report_ids = search, top_k, report_ids

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        found = self._search(query_bundle, self._top_k, self._report_ids)
        # Text-free nodes: RRF matches results by node hash, which must depend on the id alone.
        return [NodeWithScore(node=TextNode(id_=chunk_id, text=chunk_id), score=score) for chunk_id, score in found]


class HybridSearch:
    """Searches the store with both retrievers and fuses their rankings (reciprocal rank fusion)."""

    def __init__(self, store: ReportStore, embedder: ReportEmbedder, candidates: int = 30) -> None:
        self.store, self.embedder, self.candidates = store, embedder, candidates

    def embed(self, query: str, timings: dict[str, float] | None = None) -> list[float]:
        """The query's embedding (query side), timed."""
        started = time.perf_counter()
        embedding = self.embedder.get_query_embedding(query)
        if timings is not None:
            timings["embed_ms"] = timings.get("embed_ms", 0.0) + (time.perf_counter() - started) * 1000
        return embedding

    def search(
        self,
        query: str,
        top_k: int,
        report_ids: set[str] | None = None,
        timings: dict[str, float] | None = None,
        embedding: list[float] | None = None,
    ) -> list[Hit]:
        """The best `top_k` chunks for the query among the given reports (all when None)."""
        timings = {} if timings is None else timings
        embedding = embedding if embedding is not None else self.embed(query, timings)
        fusion = QueryFusionRetriever(
            [
                _StoreRetriever(lambda q, k, r: self.store.dense_search(q.embedding, k, r), self.candidates, report_ids),
                _StoreRetriever(lambda q, k, r: self.store.lexical.search(q.query_str, k, r), self.candidates, report_ids),
            ],
            llm=MockLLM(),  # never called: num_queries=1 turns query generation off
            mode=FUSION_MODES.RECIPROCAL_RANK,
            similarity_top_k=top_k,
            num_queries=1,
            use_async=False,
        )
        started = time.perf_counter()
        fused = fusion.retrieve(QueryBundle(query_str=query, embedding=embedding))
        chunks = self.store.chunks(n.node.node_id for n in fused)
        timings["retrieve_ms"] = (time.perf_counter() - started) * 1000
        return [Hit(chunks[n.node.node_id], n.score or 0.0) for n in fused if n.node.node_id in chunks]
