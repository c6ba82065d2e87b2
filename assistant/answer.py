"""Extractive answers: pick the report sentences that answer the question and cite each one exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.cleaning import clean, match_key, squash_spaces
from index.figures import metrics_named
from index.lexical import tokenize
from index.models import SECTION_SEPARATOR, Chunk, Figure, ReportMeta
from index.search import Hit
from index.store import ReportStore

from .models import Answer, Citation, Passage
from .query import Query

# Abstain when the best sentence's support (the share of the question's weighted terms it covers,
# halved for a 多少 question when it states no quantity) is below this. Calibrated on
# ../shared/eval/qa.jsonl and tests/data/qa_heldout.jsonl: the weakest answerable questions score
# 0.53 (常宁's 安全检查 and 技术交易 figures), the strongest unanswerable ones 0.32 (望城's
# 三公经费: only 经费 matches) and 0.42 (望城's 项目支出决算: the report has only the 年初预算 figure).
# 0.5 sits in that gap, nearer the answerable side: a wrong abstention costs less than a wrong figure.
ABSTAIN_BELOW = 0.5
MAX_QUOTE_CHARS = 300
_TITLE_CHARS = 20
_SECTION_WEIGHT = 0.7  # a term found only in the section heading counts for less than in the sentence
_NUMBER_WEIGHT = 2.0
QUANTITY = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)\s*(多|余)?\s*(万元|亿元|万|亿|元|个|家|人次|人|次|%|％|项|起|栋|件|名|户|座|台|条|处|批|场|吨|亩)(?![年月日])"
)
# Words every question or every report here uses; they say nothing about where the answer is.
_QUESTION_WORDS = set(
    "多少 哪些 什么 怎么样 怎样 如何 是否 哪个 哪家 哪几 几个 几家 多大 情况 方面 主要 分别 用在 用于 指出 取得 "
    "完成 是 有 了 给 在 得 呢 吗 做 做了 年 年度 万元 金额 共有 一共 目前 报告 自评 自评报告 绩效自评 单位 部门 局 "
    "列举 一下 介绍 请问 具体 打算 除了 类型 还有 哪一年 哪几个 什么样 开展 进行".split()
)
_FOCUS_WEIGHT = 2.0  # terms in the clause that asks 多少 name what is counted
_CONTEXT_WEIGHT = 0.5  # a term found only in the text just before or after the sentence
_CONTEXT_CHARS = 60
# The reports name one thing several ways; a question's term also matches its report-side synonyms.
SYNONYMS = {
    "内设机构": ("科室", "股室", "处室", "内设"),
    "机构": ("科室", "股室", "处室"),
    "依据": ("根据", "按照"),
    "帮扶": ("纾困", "服务", "帮助"),
    "人数": ("人员",),
    "问题": ("不足", "困难"),
    "措施": ("举措", "做法"),
}
_LIST_ASK = re.compile(r"(?:有|包括|包含)?(?:哪些|哪几[个项类方面]*|列举(?:一下)?)")
_ASKS_NUMBER = re.compile(r"多少|几[个家人次项名条]")
_UNIT_HINT = re.compile(r"(?:多少|几)(个|家|人|次|项|名|起|件|条|处)")
_BASIS_WORDS = {"决算": "决算", "实际": "实际", "预计": "预计", "年初预算": "年初预算", "预算数": "年初预算"}
_BASIS_ASKED = re.compile("|".join(_BASIS_WORDS))
_MONEY_UNITS = ("万元", "亿元", "元", "万", "亿")
_MONEY_HINT = re.compile(r"多少钱|金额|资金|经费|支出|收入|拨款|预算|投入")


@cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's general-Chinese IDF table and its median (for words it lacks).

    Read directly: importing jieba.analyse would also load its POS tagger, a second on cold start.
    """
    import jieba

    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    idf = {word: float(value) for word, value in (line.split(" ") for line in lines if line)}
    return idf, sorted(idf.values())[len(idf) // 2]


def term_weights(question: str, scope: tuple[ReportMeta, ...]) -> dict[str, float]:
    """Content terms of a question with IDF weights; bureau names and question words carry none."""
    named = {alias for report in scope for alias in report.aliases if alias in question}
    name_tokens = {t for name in named for t in tokenize(name)}
    idf, median = _idf()
    focus = _number_clause(question)
    weights = {}
    for term in tokenize(question):
        if term in _QUESTION_WORDS or term in name_tokens or term in weights:
            continue
        if len(term) == 1 and not term.isascii():
            continue  # single characters are function words (由, 来, 的) more often than not
        weight = _NUMBER_WEIGHT if term.isdigit() else idf.get(term, median)
        weights[term] = weight * (_FOCUS_WEIGHT if term in focus else 1.0)
    return weights


def _number_clause(question: str) -> str:
    """The clause of a question that asks 多少/几; empty when it asks no number."""
    for clause in re.split(r"[，,；;？?。！!、]", question):
        if _ASKS_NUMBER.search(clause):
            return clause
    return ""


def list_head(question: str) -> str | None:
    """What a 哪些 question lists: the word after 哪些 ("哪些问题"), else the one before ("结论有哪些")."""
    found = _LIST_ASK.search(question)
    if not found:
        return None
    after = [t for t in tokenize(re.split(r"[？?，,。！!]", question[found.end() :])[0]) if t not in _QUESTION_WORDS]
    before = [t for t in tokenize(question[: found.start()]) if t not in _QUESTION_WORDS]
    if after:
        return max(after[:3], key=len)  # search-mode tokens list parts first: 存在, 问题, 存在的问题
    return before[-1] if before else None


@dataclass(frozen=True)
class Sentence:
    """A candidate answer sentence, with its exact original span."""

    report: ReportMeta
    chunk: Chunk
    start: int
    end: int
    quote: str
    score: float  # ranks candidates: support adjusted for the question's shape and focus
    support: float  # share of the question's terms the sentence covers; decides abstention
    rank: int

    @property
    def display(self) -> str:
        """The quote as read: page numbers and page-break gaps taken out (the citation keeps them)."""
        return squash_spaces(clean(self.quote).text)


def coverage(weights: dict[str, float], sentence: str, section: str = "", context: str = "") -> float:
    """Share of the question's term weight in the sentence; terms found only in its section path
    or its neighbouring sentences count for less."""
    total = sum(weights.values())
    if not total:
        return 0.0
    keys = [(match_key(sentence).lower(), 1.0), (match_key(section).lower(), _SECTION_WEIGHT), (match_key(context).lower(), _CONTEXT_WEIGHT)]
    found = 0.0
    for term, weight in weights.items():
        forms = (term, *SYNONYMS.get(term, ()))
        found += weight * max((share for key, share in keys if any(form in key for form in forms)), default=0.0)
    return found / total


def focus_factor(query: Query, weights: dict[str, float], sentence: str) -> float:
    """When a 多少 question has several clauses, the one asking ("…调剂了多少资金") names what is
    counted; a sentence that answers only the other clauses is demoted."""
    focus = {t: w for t, w in weights.items() if t in _number_clause(query.text)}
    if query.shape != "number" or not focus or len(focus) == len(weights):
        return 1.0
    return 0.5 + 0.5 * coverage(focus, sentence)


def shape_factor(query: Query, text: str) -> float:
    """How well a sentence fits the question's shape: a 多少 question wants a quantity, in its unit."""
    if query.shape != "number":
        return 1.0
    quantities = [m.group(3) for m in QUANTITY.finditer(squash_spaces(text))]
    if not quantities:
        return 0.5
    hint = _UNIT_HINT.search(query.text)
    if hint and hint.group(1) in quantities:
        return 1.1
    if _MONEY_HINT.search(query.text) and any(u in _MONEY_UNITS for u in quantities):
        return 1.05
    return 1.0


def lead_figure(query: Query, weights: dict[str, float], sentence: str) -> str | None:
    """For a 多少 question: the quantity right after the question's strongest term in the sentence."""
    text = squash_spaces(sentence)
    quantities = list(QUANTITY.finditer(text))
    if not quantities:
        return None
    key = text.lower()
    anchors = [key.find(t) + len(t) for t, _ in sorted(weights.items(), key=lambda tw: -tw[1]) if t in key]
    hint = _UNIT_HINT.search(query.text)
    money = _MONEY_HINT.search(_number_clause(query.text) or query.text)
    preferred = [
        q for q in quantities
        if (hint and q.group(3) == hint.group(1)) or (not hint and money and q.group(3) in _MONEY_UNITS)
    ] or quantities
    after = [q for q in preferred if anchors and q.start() >= anchors[0]]
    chosen = (after or preferred)[0]
    return re.sub(r"\s+", "", chosen.group(0))


class ExtractiveAnswerer:
    """Answers from the retrieved chunks' sentences; abstains when none covers the question."""

    def __init__(self, store: ReportStore) -> None:
        self.store = store

    def candidates(self, query: Query, hits: list[Hit], weights: dict[str, float]) -> list[Sentence]:
        """Every sentence of the retrieved chunks, scored, best first."""
        found, texts = [], {}
        for rank, hit in enumerate(hits):
            report = self.store.report(hit.chunk.report_id)
            if report.id not in texts:
                texts[report.id] = self.store.report_text(report.id)
            text = texts[report.id]
            for start, end in hit.chunk.sentences:
                start, end = _narrow(text, start, end, weights)
                quote = text[start:end]
                if _is_heading_only(quote, hit.chunk.section):
                    continue
                context = text[max(start - _CONTEXT_CHARS, 0) : start] + text[end : end + _CONTEXT_CHARS]
                # A 多少 question is answered only by a sentence that states a quantity.
                fit = shape_factor(query, quote)
                support = coverage(weights, quote, hit.chunk.section, context) * min(fit, 1.0)
                score = support * max(fit, 1.0) * focus_factor(query, weights, quote) - 0.01 * rank
                found.append(Sentence(report, hit.chunk, start, end, quote, score, support, rank))
        return sorted(found, key=lambda s: -s.score)

    def answer(self, query: Query, hits: list[Hit], top_k: int) -> Answer:
        """A cited answer, or an abstention that shows the closest passages as possibly related."""
        if query.missing:
            return Answer(query.text, query.missing, True, (), ())
        weights = term_weights(query.text, query.reports)
        ranked = self.candidates(query, hits, weights)
        passages = self.rerank(hits, ranked)[:top_k]
        asked = self._asked_metric(query)
        figure = self.key_figure(query, asked)
        if figure:
            return self._answer_from_figure(query, weights, figure, ranked, passages, top_k)
        unstated = self.unstated_metric(asked, ranked)
        if unstated:
            names = "、".join(r.bureau for r in query.reports)
            return Answer(query.text, f"{names}的报告没有单独列出{unstated}的数额。列出的段落仅供参考，可能相关，但不构成答案。", True, (), passages)
        if not ranked or ranked[0].support < ABSTAIN_BELOW:
            return Answer(query.text, abstention(query), True, (), passages)
        chosen = self.select(query, weights, ranked)
        return Answer(query.text, self.compose(query, weights, chosen), False, cite(chosen), self._cited_first(chosen, passages, top_k))

    def _asked_metric(self, query: Query) -> tuple[str, dict[str, Figure]] | None:
        """The key metric a 多少 question about one report names, with that report's stored figures."""
        if query.shape != "number" or len(query.reports) != 1:
            return None
        named = metrics_named(_number_clause(query.text) or query.text)
        if not named:
            return None
        stored: dict[str, Figure] = {}
        for figure in self.store.figures([query.reports[0].id]):
            stored.setdefault(figure.metric, figure)
        return named[0], stored

    def key_figure(self, query: Query, asked: tuple[str, dict[str, Figure]] | None) -> Figure | None:
        """The key figure extracted at ingest that a 多少 question about one report asks for."""
        figure = asked[1].get(asked[0]) if asked else None
        if figure is None or not _unit_fits(query.text, figure.unit):
            return None
        asked_basis = _BASIS_ASKED.search(query.text)
        if asked_basis and _BASIS_WORDS[asked_basis.group(0)] != figure.basis:
            return None  # asked for the 决算 figure, the report states only the 年初预算 one
        return figure

    def unstated_metric(self, asked: tuple[str, dict[str, Figure]] | None, ranked: list[Sentence]) -> str | None:
        """A key metric a 多少 question asks for that its one report never states with a figure.

        Then a sentence that merely mentions it ("基本支出…包括人员经费") must not lend its figure.
        """
        if not asked or asked[0] in asked[1]:
            return None
        stated_nearby = re.compile(re.escape(asked[0][:4]) + r".{0,8}?" + QUANTITY.pattern)
        if any(stated_nearby.search(squash_spaces(s.quote)) for s in ranked[:10]):
            return None  # the extractor missed it, but the text does state it: answer from the text
        return asked[0]

    def _answer_from_figure(self, query: Query, weights: dict[str, float], figure: Figure, ranked: list[Sentence], passages: tuple[Passage, ...], top_k: int) -> Answer:
        """Lead with the stored figure and cite its sentence; a close runner-up sentence may follow."""
        report = self.store.report(figure.report_id)
        chunk = next(c for c in self.store.report_chunks(report.id) if c.start <= figure.start < c.end)
        stated = Sentence(report, chunk, figure.start, figure.end, figure.quote, 1.0, 1.0, 0)
        others = [s for s in ranked if s.report.id == report.id and _apart(s, stated) and s.support >= ABSTAIN_BELOW]
        chosen = [stated, *others[:1]] if others and others[0].score >= 0.9 * (ranked[0].score if ranked else 0) else [stated]
        basis = f"（{figure.basis}）" if figure.basis else ""
        lead = f"{figure.metric.removeprefix('项目支出:')}：{figure_value(figure)}{figure.unit}{basis}。"
        body = "".join(f"{s.display}[{i}]" for i, s in enumerate(chosen, 1))
        return Answer(query.text, lead + body, False, cite(chosen), self._cited_first(chosen, passages, top_k))

    def _cited_first(self, chosen: list[Sentence], passages: tuple[Passage, ...], top_k: int) -> tuple[Passage, ...]:
        """The evidence actually cited leads the passages, in citation order; then the rest by score."""
        cited = list(dict.fromkeys(s.chunk.id for s in chosen))
        by_chunk = {s.chunk.id: s for s in chosen}
        lead = [to_passage(s.report, s.chunk, s.score) for s in (by_chunk[c] for c in cited)]
        rest = [p for p in passages if not any(p.report_id == s.report.id and p.start == s.chunk.start for s in by_chunk.values())]
        return tuple(lead + rest)[:top_k]

    def rerank(self, hits: list[Hit], ranked: list[Sentence]) -> tuple[Passage, ...]:
        """Passages ordered by their best sentence's score; fused retrieval rank breaks ties."""
        best: dict[str, float] = {}
        for sentence in ranked:
            best.setdefault(sentence.chunk.id, sentence.score)
        order = sorted(enumerate(hits), key=lambda rh: (-round(best.get(rh[1].chunk.id, 0.0), 2), rh[0]))
        return tuple(to_passage(self.store.report(h.chunk.report_id), h.chunk, h.score) for _, h in order)

    def select(self, query: Query, weights: dict[str, float], ranked: list[Sentence]) -> list[Sentence]:
        """The sentences to answer with: the best, plus close runners-up (and list items for 哪些)."""
        best = ranked[0]
        if query.shape == "list":
            items = self._section_items(query, best)
            if items:
                return items
        keep = 3 if query.shape in ("list", "how") else 2
        floor = best.score * (0.8 if query.shape in ("list", "how") else 0.9)
        chosen = [best]
        for sentence in ranked[1:]:
            if len(chosen) >= keep or sentence.score < floor:
                break
            if sentence.report.id == best.report.id and all(_apart(sentence, c) for c in chosen):
                chosen.append(sentence)
        return sorted(chosen, key=lambda s: (s.chunk.ordinal, s.start))

    def _section_items(self, query: Query, best: Sentence) -> list[Sentence]:
        """For "哪些问题": the numbered items of the section whose title names what is listed.

        The reports share a skeleton (存在的问题, 改进措施, 评价结论…), so a list question about
        one of those parts is answered by its items, each cited at its first sentence.
        """
        wanted = list_head(query.text)
        if not wanted:
            return []
        text = self.store.report_text(best.report.id)
        chunks = self.store.report_chunks(best.report.id)
        parent = next(
            (SECTION_SEPARATOR.join(path[: i + 1]) for path in (c.section.split(SECTION_SEPARATOR) for c in chunks)
             for i in range(len(path) - 1) if wanted in path[i]),
            None,
        )
        if parent is None:
            return []
        items, seen = [], set()
        for chunk in chunks:
            if chunk.section.startswith(parent + SECTION_SEPARATOR) and chunk.section not in seen:
                seen.add(chunk.section)
                spans = [(s, e) for s, e in chunk.sentences if not _is_heading_only(text[s:e], chunk.section)] or list(chunk.sentences)
                start, end = spans[0]
                if len(spans) > 1 and len(squash_spaces(text[start:end])) <= _TITLE_CHARS and spans[1][1] - start <= MAX_QUOTE_CHARS:
                    end = spans[1][1]  # an item's title alone says little: quote its first sentence too
                items.append(Sentence(best.report, chunk, start, end, text[start:end], best.score, best.support, best.rank))
        return items if len(items) >= 2 else []

    def figure_citation(self, figure: Figure, n: int) -> Citation:
        """Citation [n] of the sentence that states a key figure."""
        report = self.store.report(figure.report_id)
        chunks = self.store.report_chunks(report.id)
        section = next((c.section for c in chunks if c.start <= figure.start < c.end), "")
        return Citation(n, report.title, report.id, report.bureau, report.year, section, figure.quote, report.source, figure.start, figure.end)

    def compose(self, query: Query, weights: dict[str, float], chosen: list[Sentence]) -> str:
        """Answer text: figure first for 多少, a numbered list for 哪些, else the sentences; each cited."""
        lead = ""
        if query.shape == "number":
            figure = lead_figure(query, weights, chosen[0].quote) or ""
            lead = f"{figure}。" if figure else ""
        scope = {s.report.id for s in chosen}
        if len(query.reports) > 1 or not query.named_bureaus:
            report = chosen[0].report
            who = f"据《{report.title}》" if len(scope) == 1 else ""
            lead = f"{who}：{lead}" if who else lead
        if query.shape == "list" and len(chosen) > 1:
            lines = [f"{i}. {_strip_number(s.display)} [{i}]" for i, s in enumerate(chosen, 1)]
            return (lead + "\n" if lead else "") + "\n".join(lines)
        body = "".join(f"{s.display}[{i}]" for i, s in enumerate(chosen, 1))
        return lead + body


def figure_value(figure: Figure) -> str:
    """A figure's value as the report writes it: no float noise, no trailing zeros."""
    return f"{figure.value:f}".rstrip("0").rstrip(".")


def _unit_fits(question: str, unit: str) -> bool:
    """Whether a figure's unit is what the question counts in (多少家 wants 家, 多少钱 wants 万元)."""
    hint = _UNIT_HINT.search(question)
    if hint:
        return hint.group(1) == unit
    return unit in _MONEY_UNITS if _MONEY_HINT.search(_number_clause(question) or question) else True


def cite(chosen: list[Sentence]) -> tuple[Citation, ...]:
    """Citations numbered in the order the answer uses them."""
    return tuple(
        Citation(
            n=i,
            report=s.report.title,
            report_id=s.report.id,
            bureau=s.report.bureau,
            year=s.report.year,
            section=s.chunk.section,
            quote=s.quote,
            source=s.report.source,
            start=s.start,
            end=s.end,
        )
        for i, s in enumerate(chosen, 1)
    )


def to_passage(report: ReportMeta, chunk: Chunk, score: float) -> Passage:
    """A chunk shown as evidence, with its report's identity."""
    return Passage(report.title, report.id, report.bureau, report.year, chunk.section, chunk.text, round(score, 4), chunk.start, chunk.end)


def abstention(query: Query) -> str:
    """The plain statement that the reports in scope do not answer the question."""
    names = "、".join(dict.fromkeys(r.bureau for r in query.reports)) or "已收录报告"
    return f"在{names}的报告中没有找到能回答这个问题的内容。列出的段落仅供参考，可能相关，但不构成答案。"


def _narrow(text: str, start: int, end: int, weights: dict[str, float]) -> tuple[int, int]:
    """Keep a quote short: an over-long sentence is cut to its best-matching run of clauses."""
    if end - start <= MAX_QUOTE_CHARS:
        return start, end
    cuts = [start] + [i + 1 for i in range(start, end) if text[i] in "，,；;"] + [end]
    best, best_score = (start, start + MAX_QUOTE_CHARS), -1.0
    for i, a in enumerate(cuts):
        for b in cuts[i + 1 :]:
            if b - a > MAX_QUOTE_CHARS:
                break
            score = coverage(weights, text[a:b], "")
            if score > best_score:
                best, best_score = (a, b), score
    return best


def _is_heading_only(quote: str, section: str) -> bool:
    compact = squash_spaces(quote)
    return compact in squash_spaces(section) and compact[-1:] not in "。；;！？"


def _apart(a: Sentence, b: Sentence) -> bool:
    return a.end <= b.start or b.end <= a.start


def _strip_number(text: str) -> str:
    return re.sub(r"^(?:\d{1,2}[、.．]|[（(]\d{1,2}[）)])\s*", "", text)
