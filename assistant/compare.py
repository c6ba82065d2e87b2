"""Comparisons: each bureau gets its own filtered search and cited answer, plus a figures table."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import zip_longest

from index.cleaning import sentence_text
from index.figures import basis_named, metrics_named
from index.models import Check, Figure, ReportMeta
from index.search import HybridSearch
from index.store import ReportStore

from .answering import ExtractiveAnswerer, Sentence, cite, figure_as_written, on_the_asked_flow, stated_in_prose, to_passage
from .answering.quantities import flow_named
from .models import Answer, Citation, Passage, Side, TableCell, TableRow
from .query import Mention, Query, question_shape
from .vocabulary import COMPARE_PHRASES, NUMBER_ASK, STORED_FLOWS, WHICH_MORE

_JOINERS = re.compile(r"^[和与及、的，,\s]+|[和与及、的在，,\s]+$")
_MONEY_TOPIC = re.compile(r"支出|预算|经费|收入|拨款|资金|花了|钱")
# Rows shown when a money topic names no metric: the headline figures of every report.
_HEADLINE_METRICS = ("一般公共预算拨款收入", "总支出", "基本支出", "项目支出", "人员经费", "公用经费", "三公经费")


def comparison_topic(text: str, names: list[str]) -> str:
    """What is compared: the question without the bureau names and comparison words."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    asks_amount = WHICH_MORE.search(text) is not None
    text = COMPARE_PHRASES.sub(" ", WHICH_MORE.sub(lambda m: f" {m.group('what') or ''} ", text))
    parts = [_JOINERS.sub("", part) for part in text.split()]
    topic = "".join(p for p in parts if p) or text.strip()
    return topic + "是多少" if asks_amount and question_shape(topic) != "number" else topic


def side_topics(text: str, mentions: list[Mention], names: list[str]) -> list[str] | None:
    """Each side's own topic when every bureau has its own clause ("望城的X和常宁的Y，各多少").

    The text before the first name and a closing clause that says 各/分别 are shared by all sides.
    None when the sides share one topic ("比较望城和常宁的基本支出").
    """
    spans = [(m.start, m.start + len(m.alias)) for m in mentions]
    if len(spans) < 2:
        return None
    clauses = [text[end : (spans[i + 1][0] if i + 1 < len(spans) else len(text))] for i, (_, end) in enumerate(spans)]
    head, tail = text[: spans[0][0]], ""
    shared_close = re.search(r"[，,](?=[^，,]*(?:各|分别|都|均))", clauses[-1])
    if shared_close:
        clauses[-1], tail = clauses[-1][: shared_close.start()], clauses[-1][shared_close.end() :]
    if any(len(re.findall(r"[\u4e00-\u9fff]", comparison_topic(c, names))) < 2 for c in clauses):
        return None
    topics = [comparison_topic(head + clause + tail, names) for clause in clauses]
    # "于都高标准农田和准格尔农村公路执行率谁高": the metric the last side's clause names is also asked of a side
    # whose own clause asks nothing ("高标准农田和"); so is what it asks after its last 的 ("…项目的群众满意度哪个高").
    shared = metrics_named(topics[-1])[:1] or [f"的{asked}" for asked in topics[-1].rsplit("的", 1)[1:] if len(re.findall(r"[\u4e00-\u9fff]", asked)) >= 2]
    asks_nothing = [bool(shared) and not metrics_named(t) and not NUMBER_ASK.search(c) for t, c in zip(topics[:-1], clauses)]
    return [t + shared[0] if empty else t for t, empty in zip(topics, asks_nothing)] + topics[-1:]


class Comparer:
    """Answers a comparison side by side, so one bureau's reports never crowd out another's."""

    def __init__(self, store: ReportStore, search: HybridSearch, answerer: ExtractiveAnswerer, pool: int, top_k: int) -> None:
        self.store, self.search, self.answerer = store, search, answerer
        self.pool, self.top_k = pool, top_k

    def compare(self, question: str, topics: list[str], sides: list[list[ReportMeta]], timings: dict[str, float]) -> Answer:
        """A figures table, then one cited answer per side, and the 数据核对 notes, all from the same evidence.

        `topics` holds one topic for all sides, or one per side. A side whose figures the table holds
        is answered by the sentences stating them; citations are numbered in reading order, table first.
        """
        cited = _Citations(self.answerer)
        figures = {side[0].bureau: _first_by_metric(self.store.figures([r.id for r in side]), question) for side in sides}
        if len(topics) > 1:  # "隆化技能培训和梨树教师培训 执行率": each side's figure must be about what its own clause names
            figures = {side[0].bureau: self._about_its_topic(side, topic, figures[side[0].bureau]) for side, topic in zip(sides, topics)}
        table, notes = self._table("".join(dict.fromkeys(topics)), sides, figures, cited)
        side_answers, side_passages = [], []
        for reports, topic in zip(sides, topics * len(sides) if len(topics) == 1 else topics):
            tabled = [row_figure for row in table if (row_figure := figures[reports[0].bureau].get(row.metric))]
            side, passages = self._side(reports, topic, tabled, cited, timings)
            side_answers.append(side)
            side_passages.append(passages)
        checks = tuple(f"{c.bureau}：{c.note}" for c in self._checks(sides, {row.metric for row in table}) if not c.consistent)
        lines = ["关键数据：" + "；".join(_row_text(row) for row in table) + "。"] if table else []
        lines += [f"【{side.bureau}】{side.answer}" for side in side_answers]
        lines += notes
        lines += [f"数据核对：{note}" for note in checks]
        return Answer(
            question=question,
            answer="\n\n".join(lines),
            abstained=all(side.abstained for side in side_answers) and not table,
            citations=tuple(cited.all),
            passages=self._cited_first(cited.all, _interleave(side_passages)),
            timings_ms=timings,
            sides=tuple(side_answers),
            table=tuple(table),
            checks=checks,
        )

    def _side(
        self, reports: list[ReportMeta], topic: str, tabled: list[Figure], cited: _Citations, timings: dict[str, float]
    ) -> tuple[Side, tuple[Passage, ...]]:
        """One bureau's answer: the sentences behind its table figures, else its own search and answer."""
        bureau = reports[0].bureau
        side_query = _side_query(reports, topic)
        asked = side_query.text
        vector = self.search.embed(asked, timings)
        hits = self.search.search(self.answerer.lexical_query(side_query), self.pool, side_query.report_ids, timings, vector)
        ranked = self.answerer.candidates(side_query, hits, vector)
        answer = self.answerer.answer_ranked(side_query, hits, ranked, self.top_k)
        if tabled:
            numbers = list(dict.fromkeys(n for figure in tabled for n in cited.figure_in_words(figure, ranked)))
            text = "".join(f"{sentence_text(cited.by_n[n].quote)}[{n}]" + (f"另有{cited.more[n]}项未列出。" if cited.more.get(n) else "") for n in numbers)
            return Side(bureau, text, False, tuple(cited.by_n[n] for n in numbers)), answer.passages
        if answer.abstained:
            return Side(bureau, f"该单位的报告中没有关于“{topic}”的内容。", True, ()), answer.passages
        mapping = {c.n: cited.add(c) for c in answer.citations}
        text = re.sub(r"\[(\d+)\]", lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", answer.answer)
        return Side(bureau, text, False, tuple(cited.by_n[n] for n in dict.fromkeys(mapping.values()))), answer.passages

    def _about_its_topic(self, reports: list[ReportMeta], topic: str, figures: dict[str, Figure]) -> dict[str, Figure]:
        """A side's figures that are about what its topic names besides the metric (a project's, not the department's)."""
        query = _side_query(reports, topic)
        return {m: f for m, f in figures.items() if self.answerer.key_figures.about_what_is_asked(query, m, [f])}

    def _table(self, topic: str, sides: list[list[ReportMeta]], figures: dict[str, dict[str, Figure]], cited: _Citations) -> tuple[list[TableRow], list[str]]:
        """Rows for the figures the topic names; each cell cites the sentence stating it."""
        stored = dict.fromkeys(m for per in figures.values() for m in per)
        metrics = [m for m in stored if m in topic] or [m for m in metrics_named(topic) if m in stored]  # "自评分" names 自评得分
        stored_flow = flow_named(topic) in (None, *STORED_FLOWS)  # not "年底结转的钱", "年中追加了多少预算"
        if not metrics and basis_named(topic) and stored_flow and any("总支出" in per for per in figures.values()):
            metrics = ["总支出"]  # "年初预算各多少": the whole budget on that basis
        elif not metrics and _MONEY_TOPIC.search(topic) and not metrics_named(topic) and stored_flow:
            # money asked without a metric: the headline rows; but not for a flow no key figure stores ("年底结转的钱")
            metrics = [m for m in _HEADLINE_METRICS if any(m in per for per in figures.values())]
        rows, notes = [], []
        for metric in metrics:
            cells = []
            for side in sides:
                figure = figures[side[0].bureau].get(metric)
                if figure is None:
                    cells.append(TableCell(side[0].bureau, "未列出", "", None, None))
                    continue
                cells.append(TableCell(side[0].bureau, *figure_as_written(figure), figure.basis, cited.figure(figure)))
            rows.append(TableRow(metric, tuple(cells)))
            note = _basis_note(metric, [(side[0], figures[side[0].bureau].get(metric)) for side in sides])
            if note:
                notes.append(note)
        return rows, notes

    def _cited_first(self, citations: list[Citation], passages: tuple[Passage, ...]) -> tuple[Passage, ...]:
        """The passages holding what the answer cites lead, in citation order (a table figure's row included); then the rest."""
        lead: list[Passage] = []
        for citation in citations:
            chunk = next((c for c in self.store.report_chunks(citation.report_id) if c.start <= citation.start < c.end), None)
            if chunk and not any(p.report_id == citation.report_id and p.start == chunk.start for p in lead):
                lead.append(to_passage(self.store.report(citation.report_id), chunk, 1.0))
        rest = [p for p in passages if not any(p.report_id == q.report_id and p.start == q.start for q in lead)]
        return tuple(lead + rest)

    def _checks(self, sides: list[list[ReportMeta]], metrics: set[str]) -> list[Check]:
        """The consistency checks of the compared figures: those whose total or parts the table shows."""
        checks = self.store.checks([r.id for side in sides for r in side])
        return [c for c in checks if metrics & {c.total.metric, *(part.metric for part in c.parts)}]


class _Citations:
    """The citations of one comparison, numbered in the order they are first used; one number per quoted span."""

    def __init__(self, answerer: ExtractiveAnswerer) -> None:
        self.answerer = answerer
        self.all: list[Citation] = []
        self.more: dict[int, int] = {}  # citation number → pieces of its sentence left out of the quote

    @property
    def by_n(self) -> dict[int, Citation]:
        return {c.n: c for c in self.all}

    def add(self, citation: Citation) -> int:
        for known in self.all:
            if (known.report_id, known.start, known.end) == (citation.report_id, citation.start, citation.end):
                return known.n
        self.all.append(replace(citation, n=len(self.all) + 1))
        return len(self.all)

    def figure_in_words(self, figure: Figure, ranked: list[Sentence]) -> list[int]:
        """The numbers citing a figure: a sentence stating it in words first, when it is a table row's."""
        prose = stated_in_prose(figure, ranked)
        return ([self.add(cite([prose])[0])] if prose else []) + [self.figure(figure)]

    def figure(self, figure: Figure) -> int:
        """The number of the sentence stating a figure, reusing one already cited that holds it."""
        for known in self.all:
            if known.report_id == figure.report_id and known.start <= figure.start and figure.end <= known.end:
                return known.n
        citation, more = self.answerer.completed(self.answerer.figure_citation(figure, len(self.all) + 1))
        n = self.add(citation)
        if more:
            self.more[n] = more
        return n


def _side_query(reports: list[ReportMeta], topic: str) -> Query:
    """The question asked of one bureau, as a question about it alone would be ("仁寿…局自评分是多少")."""
    bureau = reports[0].bureau
    return Query(bureau + topic, tuple(reports), (bureau,), (), question_shape(topic), False)


def _first_by_metric(figures: list[Figure], question: str) -> dict[str, Figure]:
    """Each metric's figure that the question asks: on the basis it names (年初预算各多少), on the flow it names
    (谁花的钱多: what was spent), else the first stated."""
    by_metric: dict[str, list[Figure]] = {}
    for figure in figures:
        by_metric.setdefault(figure.metric, []).append(figure)
    basis = basis_named(question)
    if basis:  # a report that states none on the basis asked gives no figure: its own sentences answer for it
        by_metric = {metric: on_basis for metric, found in by_metric.items() if (on_basis := [f for f in found if f.basis == basis])}
    return {metric: on_the_asked_flow(found, metric, question)[0] for metric, found in by_metric.items()}


def _row_text(row: TableRow) -> str:
    cells = [f"{c.bureau}{c.value}{c.unit}" + (f"（{c.basis}）" if c.basis else "") + (f"[{c.citation}]" if c.citation else "") for c in row.cells]
    return f"{row.metric}：" + "，".join(cells)


def _basis_note(metric: str, pairs: list[tuple[ReportMeta, Figure | None]]) -> str | None:
    """Say so when the figures compared differ in year or basis, rather than hide it."""
    present = [(report, figure) for report, figure in pairs if figure]
    years = {report.year for report, _ in present}
    bases = {figure.basis for _, figure in present}
    if len(present) < 2 or (len(years) == 1 and len(bases) == 1):
        return None
    described = "，".join(f"{report.bureau}为{report.year}年度{figure.basis or '报告所列数'}" for report, figure in present)
    return f"注意：{metric}的年度或口径不同（{described}），不宜直接比较。"


def _interleave(per_side: list[tuple[Passage, ...]]) -> tuple[Passage, ...]:
    """Passages alternating between sides, best first within each: no side crowds out another."""
    return tuple(p for rank in zip_longest(*per_side) for p in rank if p is not None)
