"""Extractive answers: pick the report sentences that answer the question and cite each one exactly."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from index.cleaning import squash_spaces
from index.figures import BASIS_PATTERNS, TABLE_MONEY, basis_named, metrics_named
from index.gazetteer import leading_division
from index.models import Chunk, Figure, ReportMeta
from index.search import Hit
from index.store import ReportStore
from index.tables import row_label

from ..models import Answer, Citation, Passage
from ..query import Query, abbreviates
from ..vocabulary import MONEY_UNITS, PERCENT_UNITS, QUESTION_WORDS, SHORTFALL_ASKS, TOTAL_ASKS
from . import sections
from .candidates import Sentence, gather, signals_of
from .quantities import Quantity, Slot, asked_slots, bases_differ, best_quantity, quantities, slot_fit, stated_basis, states_asked_basis, unit_fit
from .sections import asked_section
from .selection import Scorer
from .shortfalls import shortfall_rows
from .signals import SIGNALS, coverage, focus_weights
from .terms import Terms, Vocabulary, question_terms

_YEAR = re.compile(r"((?:19|20)\d{2})年")
# Metrics a self-evaluation table states once per project: which project is named decides which figure answers.
PER_PROJECT = (*TABLE_MONEY, "预算执行率", "自评得分")
# How far before a stored figure its setting reaches: a self-evaluation table's 项目名称 line and header rows.
SETTING_CHARS = 300


class ExtractiveAnswerer:
    """Answers from the retrieved chunks' sentences; abstains when none is likely enough to answer."""

    def __init__(self, store: ReportStore, scorer: Scorer) -> None:
        self.store = store
        self.scorer = scorer
        self._vocabulary: Vocabulary | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        """The indexed reports' terms; rebuilt after the index changes."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.of(self.store.chunk_tokens())
        return self._vocabulary

    def index_changed(self) -> None:
        self._vocabulary = None

    def terms(self, query: Query) -> Terms:
        return question_terms(query.asked, query.reports, self.vocabulary)

    def candidates(self, query: Query, hits: list[Hit], question_vector: list[float] | None) -> list[Sentence]:
        """Every sentence of the retrieved chunks, scored, best first."""
        terms = self.terms(query)
        slots = asked_slots(query.asked) if query.shape == "number" else ()
        found = gather(self.store, hits, terms)
        texts = {c.report.id: self.store.report_text(c.report.id) for c in found}
        vector = None if question_vector is None else np.asarray(question_vector, dtype=np.float32)
        rows = signals_of(found, texts, terms, slots, vector)
        scored = [
            Sentence(c.report, c.chunk, c.start, c.end, texts[c.report.id][c.start : c.end], self.scorer.probability(row), c.rank, tuple(row))
            for c, row in zip(found, rows)
        ]
        return sorted(scored, key=lambda s: (-s.score, s.rank))

    def answer(self, query: Query, hits: list[Hit], top_k: int, question_vector: list[float] | None = None) -> Answer:
        """A cited answer, or an abstention that shows the closest passages as possibly related."""
        if query.missing:
            return Answer(query.text, query.missing, True, (), ())
        ranked = self.candidates(query, hits, question_vector)
        passages = self.rerank(hits, ranked)[:top_k]
        if SHORTFALL_ASKS.search(query.text) and (rows := shortfall_rows(self.store, query.reports)):
            return Answer(query.text, self.compose(query, rows, as_list=True), False, cite(rows), self._cited_first(rows, passages, top_k))
        asked = self._asked_metric(query)
        figure = self.key_figure(query, asked) if not other_years(query) else None
        if figure:
            return self._answer_from_figure(query, figure, ranked, passages, top_k)
        unstated = self.unstated_metric(query, asked, ranked)
        if unstated:
            names = "、".join(r.bureau for r in query.reports)
            return Answer(query.text, f"{names}的报告没有单独列出{unstated}的数额。下列段落可能相关，仅供参考。", True, (), passages)
        items, more = self.section_items(query, ranked)
        if not items and (not ranked or not self.scorer.answers(ranked[0].score)):
            return Answer(query.text, abstention(query), True, (), passages)
        chosen, more = (items, more) if items else self.whole(self.select(query, ranked))
        if not items and not ((query.shape != "number" or shares_a_word(chosen)) and states_asked_kind(query, chosen) and states_asked_year(query, chosen)):
            return Answer(query.text, abstention(query), True, (), passages)
        text = self.compose(query, chosen, as_list=query.shape == "list", more=more)
        return Answer(query.text, text, False, cite(chosen), self._cited_first(chosen, passages, top_k))

    # -- stored key figures ----------------------------------------------------------------

    def _asked_metric(self, query: Query) -> tuple[str, dict[str, list[Figure]]] | None:
        """The key metric a 多少 question about one report names, with that report's stored figures by metric.

        A question that names a key metric and nothing else ("常宁的项目支出呢") asks for its figure too.
        """
        if len(query.reports) != 1 or (query.shape != "number" and not names_only_a_metric(query.asked)):
            return None
        slots = asked_slots(query.asked)
        if len(slots) > 1 or any(slot.change for slot in slots):
            return None  # two figures asked, or a change: answered from sentences, each in its slot
        named = metrics_named(slots[0].clause if slots else query.text)
        if len(named) > 1 and named[0] in TABLE_MONEY:
            named = named[1:] + named[:1]  # "项目支出全年预算数": the row is the metric, the self-evaluation table's column its basis
        stored: dict[str, list[Figure]] = {}
        for figure in self.store.figures([query.reports[0].id]):
            stored.setdefault(figure.metric, []).append(figure)
        if not named:
            total = self._total_asked(query, slots, stored)
            return (total, stored) if total else None
        return named[0], stored

    def _total_asked(self, query: Query, slots: tuple[Slot, ...], stored: dict[str, list[Figure]]) -> str | None:
        """The total a money question asks when it names only how the money moved and, at most, what the
        total's setting names (花了多少钱: 总支出; 营养餐项目实际花了多少: that project's 全年执行数)."""
        if len(slots) != 1 or slots[0].unit not in ("money", None):
            return None
        for totals, verbs in TOTAL_ASKS:
            if verbs.search(slots[0].clause):
                return next((t for t in totals if t in stored and self._about_what_is_asked(query, t, stored[t])), None)
        return None

    def key_figure(self, query: Query, asked: tuple[str, dict[str, list[Figure]]] | None) -> Figure | None:
        """The key figure extracted at ingest that a 多少 question about one report asks for: on the basis the
        question names (年初预算, 决算, 实际…), else the first the report states."""
        figures = [f for f in asked[1].get(asked[0], []) if _unit_fits(query.asked, f.unit)] if asked else []
        basis = basis_named(query.text) if asked and asked[0] not in TABLE_MONEY else None
        if basis:
            figures = [f for f in figures if f.basis == basis]
        return self._about_what_is_asked(query, asked[0], figures) if figures else None

    def _about_what_is_asked(self, query: Query, metric: str, figures: list[Figure]) -> Figure | None:
        """The figure whose setting (its section and the lines before it, where a self-evaluation table names
        its project) holds what else the question names ("农村公路养护" of several projects' tables); None when
        none holds most of it: then the sentences answer, or the question is not answered."""
        terms, rest = self.terms(query), self._setting_terms(query, metric)
        if not rest:
            return figures[0]
        scored = [(coverage(terms, rest, self._setting(figure), expanded=True), -i) for i, figure in enumerate(figures)]
        share, at = max(scored)
        return figures[-at] if share >= 0.5 else None

    def _setting_terms(self, query: Query, metric: str) -> dict[str, float]:
        """The asking clause's terms that say which of the metric's figures is meant ("农村公路养护")."""
        terms = self.terms(query)
        focus = focus_weights(terms, asked_slots(query.asked))
        return {t: w for t, w in focus.items() if w > 0 and self._names_a_setting(t, terms, metric, query.text)}  # a term in every chunk tells nothing

    def _names_a_setting(self, term: str, terms: Terms, metric: str, question: str) -> bool:
        """A term of the asking clause that may say which figure is meant: a word the reports use that is
        neither the metric's, nor its basis's ("年初预算"), nor a bureau's short name ("住建", "残联")."""
        bases = [m.group(0) for _, pattern in BASIS_PATTERNS for m in pattern.finditer(question)]
        if term not in self.vocabulary or any(form in metric for form in terms.forms(term, True)) or any(term in b for b in bases):
            return False
        if any(verbs.fullmatch(term) for _, verbs in TOTAL_ASKS):
            return False  # 支出, 收入: how the money moved, not where
        return not abbreviates(term, self._own_names())

    def _own_names(self) -> list[str]:
        """Every indexed bureau's name without its place ("住房和城乡建设局")."""
        return [r.bureau[leading_division(r.bureau)[1] :] for r in self.store.reports() if r.bureau]

    def _setting(self, figure: Figure) -> str:
        """What a figure is about besides its own line: its report's title, its section path and the text just before it."""
        report = self.store.report(figure.report_id)
        chunk = next((c for c in self.store.report_chunks(figure.report_id) if c.start <= figure.start < c.end), None)
        before = self.store.report_text(figure.report_id)[max(figure.start - SETTING_CHARS, 0) : figure.end]
        return report.title + (chunk.section if chunk else "") + before

    def unstated_metric(self, query: Query, asked: tuple[str, dict[str, list[Figure]]] | None, ranked: list[Sentence]) -> str | None:
        """A key metric a 多少 question asks for that its one report never states with a figure, states only on
        the other basis ("项目支出决算数" where the report gives only its 年初预算数), or, for a metric stated per
        project, states only for other projects than the one named ("智慧交通项目执行率" where the one table is 雪亮工程's).

        Then a sentence that merely mentions it ("基本支出…包括人员经费") must not lend its figure.
        """
        if not asked:
            return None
        basis = basis_named(query.text) if asked[0] not in TABLE_MONEY else None
        stored = asked[1].get(asked[0], [])
        if stored and not (basis and all(bases_differ(basis, f.basis) for f in stored)):
            named = self._setting_terms(query, asked[0])
            if asked[0] in PER_PROJECT and not self._about_what_is_asked(query, asked[0], stored) and not other_years(query):
                return f"{asked[0]}（{'、'.join(named)}）"  # the report states it, but for something else than what is named
            return None
        for sentence in ranked[:10]:
            text = sentence.display
            at = text.find(asked[0][:4])
            if at >= 0 and any(0 <= q.start - at - len(asked[0][:4]) <= 8 and not bases_differ(basis, stated_basis(q.label)) for q in quantities(text)):
                return None  # the extractor missed it, but the text does state it: answer from the text
        return f"{asked[0]}（{basis}）" if stored else asked[0]

    def _answer_from_figure(self, query: Query, figure: Figure, ranked: list[Sentence], passages: tuple[Passage, ...], top_k: int) -> Answer:
        """Lead with the stored figure and cite its sentence."""
        report = self.store.report(figure.report_id)
        chunk = next(c for c in self.store.report_chunks(report.id) if c.start <= figure.start < c.end)
        (stated,), more = self.whole([Sentence(report, chunk, figure.start, figure.end, figure.quote, 1.0, 0)])
        in_prose = stated_in_prose(figure, ranked)
        chosen = [in_prose, stated] if in_prose else [stated]
        basis = f"（{figure.basis}）" if figure.basis else ""
        value, unit = figure_as_written(figure)
        lead = f"{figure.metric.removeprefix('项目支出:')}：{value}{unit}{basis}。"
        rest = f"另有{more}项未列出。" if more else ""
        text = lead + "".join(f"{s.display}[{i}]" for i, s in enumerate(chosen, 1)) + rest
        return Answer(query.text, text, False, cite(chosen), self._cited_first(chosen, passages, top_k))

    def figure_citation(self, figure: Figure, n: int) -> Citation:
        """Citation [n] of the sentence that states a key figure."""
        report = self.store.report(figure.report_id)
        chunks = self.store.report_chunks(report.id)
        section = next((c.section for c in chunks if c.start <= figure.start < c.end), "")
        return Citation(
            n,
            report.title,
            report.id,
            report.bureau,
            report.year,
            section,
            figure.quote,
            report.source,
            figure.start,
            figure.end,
            report.page_at(figure.start),
            report.read_by_ocr(figure.start),
        )

    def completed(self, citation: Citation) -> tuple[Citation, int]:
        """A citation read on to the end of its sentence (never a dangling "…如下："), and how many pieces were left out."""
        chunk = next((c for c in self.store.report_chunks(citation.report_id) if c.start <= citation.start < c.end), None)
        if chunk is None:
            return citation, 0
        text = self.store.report_text(citation.report_id)
        end, more = sections.whole_end(text, sections.section_spans(self.store.report_chunks(citation.report_id), chunk), citation.start, citation.end)
        return (replace(citation, quote=text[citation.start : end], end=end) if end != citation.end else citation), more

    # -- choosing sentences ----------------------------------------------------------------

    def select(self, query: Query, ranked: list[Sentence]) -> list[Sentence]:
        """The best sentence; for a question asking several figures, the best one for each further figure;
        for list and how questions, runners-up from the same report that are also likely answers."""
        slots = asked_slots(query.asked) if query.shape == "number" else ()
        likely = [s for s in ranked[:10] if s.report.id == ranked[0].report.id and self.scorer.answers(s.score)]
        # A 多少 question is answered by a likely sentence that states a figure of the asked kind.
        best = next((s for s in likely if _fit_in(slots[0], s, query.text) > 0), ranked[0]) if slots else ranked[0]
        chosen = [best]
        same_report = [s for s in likely if s is not best]
        for slot in slots[1:]:
            if _fit_in(slot, best, query.text) >= 1.0:
                continue
            fitting = max(same_report, key=lambda s: (_fit_in(slot, s, query.text), s.score), default=None)
            if fitting and _fit_in(slot, fitting, query.text) > _fit_in(slot, best, query.text) and all(_apart(fitting, c) for c in chosen):
                chosen.append(fitting)
        if query.shape in ("list", "how"):
            chosen += [s for s in same_report if all(_apart(s, c) for c in chosen)][: 3 - len(chosen)]
        return chosen if slots else sorted(chosen, key=lambda s: (s.chunk.ordinal, s.start))

    def section_items(self, query: Query, ranked: list[Sentence]) -> tuple[list[Sentence], int]:
        """For a question about a part of the report (问题, 措施, 职责, 成效…): that section's items, each cited,
        and how many more it has than the answer lists.

        The section is the one whose own heading covers most of the question's terms. Its items answer
        when the heading covers at least as much as the best sentence does and the sentences are likely
        answers, or, whatever the sentences score, when the heading covers most of the question's terms
        (more than half their weight): "存在什么问题" is answered by the 存在的问题 section in any wording.
        """
        if query.shape == "number" or not ranked:
            return [], 0
        best = ranked[0]
        terms = self.terms(query)
        chunks = self.store.report_chunks(best.report.id)
        heading, share = asked_section(terms, chunks)
        likely = self.scorer.answers(best.score) and share >= coverage(terms, terms.with_parts, best.quote)
        if not heading or share == 0 or not (likely or share > 0.5):
            return [], 0
        text = self.store.report_text(best.report.id)
        found = sections.section_items(text, chunks, heading)
        if found is None:
            return [], 0
        by_id = {c.id: c for c in chunks}
        items = [Sentence(best.report, by_id[cid], s, e, text[s:e], best.score, best.rank) for cid, s, e in found.spans]
        return items, found.more

    def whole(self, chosen: list[Sentence]) -> tuple[list[Sentence], int]:
        """The chosen sentences read on to their ends (never a dangling "…如下："), and how many pieces were left out."""
        completed, left = [], 0
        for sentence in chosen:
            text = self.store.report_text(sentence.report.id)
            spans = sections.section_spans(self.store.report_chunks(sentence.report.id), sentence.chunk)
            end, more = sections.whole_end(text, spans, sentence.start, sentence.end)
            left += more
            completed.append(
                Sentence(sentence.report, sentence.chunk, sentence.start, end, text[sentence.start : end], sentence.score, sentence.rank, sentence.signals)
            )
        return _without_nested(completed), left

    # -- the reply -------------------------------------------------------------------------

    def compose(self, query: Query, chosen: list[Sentence], as_list: bool = False, more: int = 0) -> str:
        """Answer text: the asked figures first for 多少, a numbered list for items, else the sentences; each cited.

        A list or sentence cut short says how much is left out ("另有3项未列出。").
        """
        lead = ""
        if query.shape == "number":
            lead = lead_figures(asked_slots(query.asked), chosen, query.text)
        if len(query.reports) > 1 or not query.named_bureaus:
            report = chosen[0].report
            who = f"据《{report.title}》" if len({s.report.id for s in chosen}) == 1 else ""
            lead = f"{who}：{lead}" if who else lead
        if as_list and len(chosen) > 1:
            lines = [f"{i}. {_strip_number(s.display)} [{i}]" for i, s in enumerate(chosen, 1)]
            return (lead + "\n" if lead else "") + "\n".join(lines) + (f"\n另有{more}项未列出。" if more else "")
        return lead + "".join(f"{s.display}[{i}]" for i, s in enumerate(chosen, 1)) + (f"另有{more}项未列出。" if more else "")

    def _cited_first(self, chosen: list[Sentence], passages: tuple[Passage, ...], top_k: int) -> tuple[Passage, ...]:
        """The evidence actually cited leads the passages, in citation order; then the rest by score."""
        by_chunk = {s.chunk.id: s for s in chosen}
        lead = [to_passage(s.report, s.chunk, s.score) for s in by_chunk.values()]
        rest = [p for p in passages if not any(p.report_id == s.report.id and p.start == s.chunk.start for s in by_chunk.values())]
        return tuple(lead + rest)[:top_k]

    def rerank(self, hits: list[Hit], ranked: list[Sentence]) -> tuple[Passage, ...]:
        """Passages ordered by their best sentence's score; fused retrieval rank breaks ties."""
        best: dict[str, float] = {}
        for sentence in ranked:
            best.setdefault(sentence.chunk.id, sentence.score)
        order = sorted(enumerate(hits), key=lambda rh: (-round(best.get(rh[1].chunk.id, 0.0), 3), rh[0]))
        return tuple(to_passage(self.store.report(h.chunk.report_id), h.chunk, h.score) for _, h in order)


def names_only_a_metric(question: str) -> bool:
    """Whether a question is a key metric's name and question words only ("常宁的项目支出呢？")."""
    named = metrics_named(question)
    if not named:
        return False
    rest = question
    for metric in named:
        rest = rest.replace(metric, " ")
    from index.lexical import tokenize

    return not [t for t in tokenize(re.sub(r"[^\u4e00-\u9fff]", " ", rest)) if t not in QUESTION_WORDS]


def lead_figures(slots: tuple[Slot, ...], chosen: list[Sentence], question: str) -> str:
    """The figure each slot asks for, in the question's order, from the chosen sentences."""
    figures, previous = [], None
    for slot in slots or (Slot("", "", None),):
        options = [
            (slot_fit(slot, q), -i, -_distance(previous, (i, q)), q)
            for i, s in enumerate(chosen)
            for q in quantities(s.display)
            if q.text not in re.sub(r"\s+", "", question)
        ]
        if options:
            fit, i, _, figure = max(options, key=lambda o: o[:3])
            if fit == 0 and slot.unit is not None:
                continue  # no figure of the asked kind (多少钱 and only 公里 stated): lead with none rather than a wrong one
            previous = (-i, figure)
            figures.append(f"{slot.noun}：{figure.text}" if len(slots) > 1 and slot.noun else figure.text)
    return "；".join(figures) + "。" if figures else ""


def _without_nested(chosen: list[Sentence]) -> list[Sentence]:
    """The sentences less any that another one already quotes whole (a sentence read on over its next pieces)."""
    return [
        s
        for i, s in enumerate(chosen)
        if not any(
            j != i and o.report.id == s.report.id and o.start <= s.start and s.end <= o.end and (o.start, o.end) != (s.start, s.end)
            for j, o in enumerate(chosen)
        )
    ]


def stated_in_prose(figure: Figure, ranked: list[Sentence]) -> Sentence | None:
    """A likely sentence of the figure's report that states it in words ("整体预算执行率97.55%"): a reader
    quotes that rather than the table row ("合计：7,982.36，8,756.39，97.55%"), which is cited beside it.
    None when the figure's own sentence already says in words what it is."""
    name = figure.metric.removeprefix("项目支出:")[-2:]
    if not row_label(figure.quote) and name in squash_spaces(figure.quote):
        return None
    for sentence in ranked[:10]:
        if sentence.report.id != figure.report_id or sentence.start <= figure.start < sentence.end or row_label(sentence.quote):
            continue
        if name in sentence.display and any(q.unit == figure.unit and abs(q.value - figure.value) < 0.005 for q in quantities(sentence.display)):
            return sentence
    return None


def shares_a_word(chosen: list[Sentence]) -> bool:
    """Whether the leading sentence holds any of the question's terms (or a synonym): a figure in one that shares
    none answers a neighbouring question its section is about, not this one ("移交办工作经费50万元" for 项目支出决算数)."""
    return not chosen[0].signals or chosen[0].signals[SIGNALS.index("synonyms")] > 0


def other_years(query: Query) -> list[int]:
    """Years a 多少 question names that are not the year of any report it asks ("营养餐项目2022年执行率" of a 2023 report)."""
    if query.shape != "number":
        return []
    own = {r.year for r in query.reports}
    return [y for y in map(int, _YEAR.findall(query.text)) if y not in own]


def states_asked_year(query: Query, chosen: list[Sentence]) -> bool:
    """A figure of another year than its report's is answered only by a sentence that names that year (or
    上年, for the year before): a report's own figures are not the other year's."""
    years = other_years(query)
    return not years or any(str(y) in s.display or (y == s.report.year - 1 and "上年" in s.display) for y in years for s in chosen)


def states_asked_kind(query: Query, chosen: list[Sentence]) -> bool:
    """Whether the sentences state a figure of the kind a 多少 question asks (分, 人, 万元, %); any figure
    when it names no kind. A question about a score is not answered by a sentence without one, nor one
    about what was spent (决算) by sentences that name only a budget."""
    slots = asked_slots(query.asked) if query.shape == "number" else ()
    if not slots or slots[0].unit is None:
        return True
    if any(not states_asked_basis(slots[0], s.display) for s in chosen):
        return False
    return any(unit_fit(slots[0], q) > 0 for s in chosen for q in quantities(s.display))


def _distance(previous: tuple[int, Quantity] | None, current: tuple[int, Quantity]) -> int:
    """How far a figure stands after the previous slot's figure: the next ask usually follows it closely."""
    if previous is None or previous[0] != current[0] or current[1].start < previous[1].end:
        return 10_000
    return current[1].start - previous[1].end


def _fit_in(slot: Slot, sentence: Sentence, question: str) -> float:
    best = best_quantity(slot, quantities(sentence.display), question)
    return slot_fit(slot, best) if best else 0.0


def figure_value(figure: Figure) -> str:
    """A figure's value as stored: two decimals at most (an amount in 元 read as 万元 is rounded half up), no trailing zeros."""
    return str(Decimal(str(figure.value)).quantize(Decimal("0.01"), ROUND_HALF_UP)).rstrip("0").rstrip(".")


# An amount is stored in 万元; a report may write it in 元 or 亿元 (the factor from 万元 to it).
_WRITTEN_SCALES = ((1.0, "万元"), (10000.0, "元"), (0.0001, "亿元"))
_WRITTEN_NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d,])")


def figure_as_written(figure: Figure) -> tuple[str, str]:
    """A figure's value and unit as its sentence writes them ("38,642.50", "元"): a reader checks the answer
    against the report, and an amount in 元 rounded to 万元 would state a figure the report never writes."""
    if figure.unit == "万元":
        numbers = _WRITTEN_NUMBER.findall(re.sub(r"\s+", " ", figure.quote))
        for scale, unit in _WRITTEN_SCALES:
            for number in numbers:
                if abs(float(number.replace(",", "")) - figure.value * scale) < 0.005:
                    return (figure_value(figure) if scale == 1.0 else number), unit
    return figure_value(figure), figure.unit


def _unit_fits(question: str, unit: str) -> bool:
    """Whether a key figure's unit is what the question counts in (多少家 wants 家, 多少钱 wants 万元)."""
    slots = asked_slots(question)
    asked = slots[0].unit if slots else None
    if asked is None:
        return True
    if asked == "money":
        return unit in MONEY_UNITS or unit == "万"
    if asked == "percent":
        return unit in PERCENT_UNITS
    return asked == unit


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
            page=s.report.page_at(s.start),
            ocr=s.report.read_by_ocr(s.start),
        )
        for i, s in enumerate(chosen, 1)
    )


def to_passage(report: ReportMeta, chunk: Chunk, score: float) -> Passage:
    """A chunk shown as evidence, with its report's identity."""
    return Passage(report.title, report.id, report.bureau, report.year, chunk.section, chunk.text, round(score, 4), chunk.start, chunk.end)


def abstention(query: Query) -> str:
    """The plain statement that the reports in scope do not answer the question.

    It does not point at passages: there may be none, and each front end says where its own are
    (the CLI lists them below, the web page beside the chat).
    """
    names = "、".join(dict.fromkeys(r.bureau for r in query.reports)) or "已收录报告"
    return f"在{names}的报告中没有找到能回答这个问题的内容。"


def _apart(a: Sentence, b: Sentence) -> bool:
    return a.end <= b.start or b.end <= a.start


def _strip_number(text: str) -> str:
    return re.sub(r"^(?:\d{1,2}[、.．]|[（(][\d一二三四五六七八九十]{1,3}[）)])\s*", "", text)
