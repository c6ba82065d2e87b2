"""Lexical search: jieba tokens, BM25 by bm25s, persisted beside the vector store."""

from __future__ import annotations

import json
import logging
import os
import shutil
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np

from .cleaning import match_key

logger = logging.getLogger(__name__)

# Budget-report terms jieba's general dictionary splits wrongly; whole terms rank far better.
DOMAIN_TERMS = (
    "一般公共预算",
    "拨款收入",
    "基本支出",
    "项目支出",
    "人员经费",
    "公用经费",
    "三公经费",
    "公务接待",
    "公务用车",
    "年初预算",
    "决算数",
    "绩效目标",
    "自评",
    "专精特新",
    "小巨人",
    "纾困",
    "规上企业",
    "规模工业",
    "工信局",
    "科工信局",
    "内设机构",
    "股室",
    "科室",
    "编制",
    "行政编制",
    "事业编制",
    "工勤编制",
    "在职人数",
    "退休人员",
    "临聘人员",
    "专项资金",
    "招商引资",
    "高新技术企业",
    "研发投入",
    "存在的问题",
    "改进措施",
)
STOPWORDS = frozenset("的 了 和 与 及 是 在 为 对 等 中 其 有 多少 哪些 什么 怎么样 怎样 如何 是否 几 吗 呢 啊 年 年度 今年".split())


_TERM_FREQ = 200000  # high enough that a taught term is cut whole


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for term in DOMAIN_TERMS:
        jieba.add_word(term, freq=_TERM_FREQ)
    return jieba


@cache
def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets its logger to DEBUG on import
    return bm25s


def add_terms(terms: list[str]) -> None:
    """Teach the tokenizer whole names (bureau aliases) so they are not split apart.

    Only text that holds a name is cut differently: jieba's word total, which weighs every cut, is kept as it was
    (add_word would raise it at each call), so a chunk's tokens do not depend on how many names were taught before.
    """
    tokenizer = _jieba().dt
    tokenizer.check_initialized()
    total = tokenizer.total
    for term in terms:
        if tokenizer.FREQ.get(term, 0) < _TERM_FREQ:
            tokenizer.add_word(term, freq=_TERM_FREQ)
    tokenizer.total = total


def pos_tags(text: str) -> list[tuple[str, str]]:
    """jieba's words of the text with their part-of-speech tags ("调完", "v"), cut with the same dictionary as tokenize."""
    import jieba.posseg

    _jieba()  # the domain terms and taught names first, whichever is called first
    return [(token.word, token.flag) for token in jieba.posseg.lcut(text)]


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens of width-folded text, without punctuation or stopwords."""
    tokens = _jieba().lcut_for_search(match_key(text).lower())
    return [t for t in tokens if t not in STOPWORDS and not _is_punctuation(t)]


def _is_punctuation(token: str) -> bool:
    return all(unicodedata.category(c)[0] in "PZS" for c in token)


class LexicalIndex:
    """BM25 over the tokens of every chunk; filters by report through a weight mask."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._model = None
        self._chunk_ids: list[str] = []
        self._report_of: np.ndarray = np.array([], dtype=object)

    def build(self, chunk_ids: list[str], report_ids: list[str], tokens: list[list[str]]) -> None:
        """Index these chunks and persist atomically, replacing what was there."""
        model = _bm25s().BM25()
        if chunk_ids:
            model.index([t or [""] for t in tokens], show_progress=False)
        staging = self.directory.with_name(self.directory.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if chunk_ids:
            model.save(staging, show_progress=False)
        (staging / "chunks.json").write_text(json.dumps({"chunk_ids": chunk_ids, "report_ids": report_ids}))
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            os.replace(self.directory, old)
        os.replace(staging, self.directory)
        shutil.rmtree(old, ignore_errors=True)
        self._set(model if chunk_ids else None, chunk_ids, report_ids)

    def load(self) -> None:
        """Read the persisted index, if any."""
        listing = self.directory / "chunks.json"
        if not listing.exists():
            self._set(None, [], [])
            return
        ids = json.loads(listing.read_text())
        model = _bm25s().BM25.load(self.directory) if ids["chunk_ids"] else None
        self._set(model, ids["chunk_ids"], ids["report_ids"])

    def _set(self, model, chunk_ids: list[str], report_ids: list[str]) -> None:
        self._model, self._chunk_ids = model, chunk_ids
        self._report_of = np.array(report_ids, dtype=object)

    def search(self, query: str, top_k: int, report_ids: set[str] | None = None) -> list[tuple[str, float]]:
        """Best chunk ids for the query with their BM25 scores, limited to the given reports."""
        tokens = tokenize(query)
        if self._model is None or not tokens:
            return []
        mask = None
        if report_ids is not None:
            mask = np.isin(self._report_of, list(report_ids)).astype(np.float32)
            if not mask.any():
                return []
        k = min(top_k, len(self._chunk_ids))
        docs, scores = self._model.retrieve([tokens], k=k, show_progress=False, weight_mask=mask, n_threads=1)
        return [(self._chunk_ids[d], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
