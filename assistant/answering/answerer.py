"""Extractive answers: pick the report sentences that answer the question and cite each one exactly."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

import numpy as np

from index.cleaning import match_key, squash_spaces
from index.figures import basis_named
from index.lexical import pos_tags, tokenize
from index.models import SECTION_SEPARATOR, Chunk, Figure, ReportMeta
from index.search import Hit
from index.store import ReportStore
from index.tables import row_label

from ..models import Answer, Citation, Passage
from ..query import Query
from ..vocabulary import FLOWS, NUMBER_ASK, RATE_NOUNS, SHORTFALL_ASKS, STORED_FLOWS, TOTAL_ASKED, TOTAL_ROW
from . import sections
from .candidates import Sentence, following, gather, signals_of
from .enumerations import asked_noun, enumerating
from .key_figures import KeyFigures, figure_as_written, other_years
from .parts import LISTED_PARTS, MOST, heading_names_part, part_answers
from .quantities import (
    Quantity,
    Slot,
    adjacent,
    asked_slots,
    best_quantity,
    beyond_title,
    changes_as_asked,
    flow_named,
    of_the_asked_kind,
    slot_fit,
    stated_basis,
    states_asked_basis,
    unit_fit,
    verb_fit,
    written_as,
)
from .sections import asked_section
from .selection import Scorer
from .shortfalls import shortfall_rows
from .signals import SIGNALS, coverage
from .terms import Terms, Vocabulary, is_verb, qualified_nouns, question_terms, word_pieces, written_somehow

# Abbreviations are looked up in the asked reports' texts when a question is about at most this many (a bureau or a
# comparison named); a question about every report of a large index is matched on its words as written.
ABBREVIATED_IN_REPORTS = 5


class ExtractiveAnswerer:
    """Answers from the retrieved chunks' sentences; abstains when none is likely enough to answer."""

    def __init__(self, store: ReportStore, scorer: Scorer) -> None:
        self.store = store
        self.scorer = scorer
        self._vocabulary: Vocabulary | None = None
        self._last_terms: tuple[Query, Terms] | None = None
        self._last_slots: tuple[Query, tuple[Slot, ...]] | None = None
        self.key_figures = KeyFigures(store, self.terms, lambda: self.vocabulary)

    @property
    def vocabulary(self) -> Vocabulary:
        """The indexed reports' terms; rebuilt after the index changes."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.of(self.store.chunk_tokens())
        return self._vocabulary

    def index_changed(self) -> None:
        self._vocabulary = None
        self._last_terms = None
        self._last_slots = None

    def terms(self, query: Query) -> Terms:
        """The question's weighted terms; kept for the query being answered, which asks for them several times."""
        last = self._last_terms
        if last is None or last[0] is not query:
            texts = [self.store.report_text(r.id) for r in query.reports] if len(query.reports) <= ABBREVIATED_IN_REPORTS else []
            last = self._last_terms = (query, question_terms(query.asked, query.reports, self.vocabulary, texts))
        return last[1]

    def lexical_query(self, query: Query) -> str:
        """The question as the lexical retriever reads it: with the forms the reports write for the words they never
        write ("没花完": 结余, 结转), so that a colloquial question finds the passage that says it formally."""
        terms = self.terms(query)
        forms = dict.fromkeys(form for term in terms.unwritten for form in terms.synonyms.get(term, ()) if form not in query.text)
        return " ".join((query.text, *forms))

    def slots(self, query: Query) -> tuple[Slot, ...]:
        """The figures a 多少 question asks, with the forms the asked reports write their words in; none for another shape."""
        last = self._last_slots
        if last is None or last[0] is not query:
            slots = written_as(asked_slots(query.asked), self.terms(query).synonyms) if query.shape == "number" else ()
            if len(query.reports) == 1:  # "岚县地灾项目中央的钱": 地灾项目 names the report, 中央 the figure
                slots = tuple(beyond_title(slot, self.key_figures.title_of(query.reports[0].id)) for slot in slots)
            last = self._last_slots = (query, slots)
        return last[1]

    def candidates(self, query: Query, hits: list[Hit], question_vector: list[float] | None) -> list[Sentence]:
        """Every sentence of the retrieved chunks, scored, best first."""
        terms = self.terms(query)
        slots = self.slots(query)
        found = gather(self.store, hits, terms)
        texts = {c.report.id: self.store.report_text(c.report.id) for c in found}
        vector = None if question_vector is None else np.asarray(question_vector, dtype=np.float32)
        rows = signals_of(found, texts, terms, slots, vector)
        scored = [
            Sentence(c.report, c.chunk, c.start, c.end, texts[c.report.id][c.start : c.end], self.scorer.probability(row), c.rank, tuple(row), c.read)
            for c, row in zip(found, rows)
        ]
        return sorted(scored, key=lambda s: (-s.score, s.rank))

    def answer(self, query: Query, hits: list[Hit], top_k: int, question_vector: list[float] | None = None) -> Answer:
        """A cited answer, or an abstention that shows the closest passages as possibly related."""
        if query.missing:
            return Answer(query.text, query.missing, True, (), ())
        return self.answer_ranked(query, hits, self.candidates(query, hits, question_vector), top_k)

    def answer_ranked(self, query: Query, hits: list[Hit], ranked: list[Sentence], top_k: int) -> Answer:
        """The answer from candidates already scored (a comparison side also reads them for its table figures)."""
        passages = self.rerank(hits, ranked)[:top_k]
        terms = self.terms(query)
        if SHORTFALL_ASKS.search(query.text) and "原因" not in terms.parts and (rows := shortfall_rows(self.store, query.reports)):
            # "哪些没完成" lists the indicators that lost points; "为啥没完成" asks the reason, which sentences give.
            return Answer(query.text, self.compose(query, rows, as_list=True), False, cite(rows), self._cited_first(rows, passages, top_k))
        asked = self.key_figures.asked_metric(query)
        figure = self.key_figures.key_figure(query, asked) if not other_years(query) else None
        figures = self.key_figures.each_figure(query, asked) or ([figure] if figure else self.key_figures.slot_figures(query))
        if figures:
            return self._answer_from_figures(query, figures, ranked, passages, top_k)
        unstated = self.key_figures.unstated_metric(query, asked, ranked)
        if unstated:
            names = "、".join(r.bureau for r in query.reports)
            return Answer(query.text, f"{names}的报告没有单独列出{unstated}的数额。下列段落可能相关，仅供参考。", True, (), passages)
        items, more = self.section_items(query, ranked)
        if not items and query.shape in ("list", "what") and (listing := enumerating(ranked, asked_noun(query.asked))):
            items = [listing]  # "哪几所学校": the sentence that lists them ("…、…、…5所直属学校")
        # A part asked in other words ("咋降下来的") is answered by a sentence on its topic that gives it, however its
        # colloquial words score.
        explained = not items and query.shape != "number" and bool(part_answers(terms, ranked))
        if not items and not explained and (not ranked or not self.scorer.answers(ranked[0].score)):
            return Answer(query.text, abstention(query), True, (), passages)
        chosen, more = (items, more) if items else self.whole(self.select(query, ranked))
        if not items and not (
            (query.shape != "number" or self._about_the_asked(query, chosen))
            and states_asked_kind(self.slots(query), chosen)
            and states_asked_year(query, chosen)
        ):
            return Answer(query.text, abstention(query), True, (), passages)
        text = self.compose(query, chosen, as_list=query.shape == "list", more=more)
        return Answer(query.text, text, False, cite(chosen), self._cited_first(chosen, passages, top_k))

    def _about_the_asked(self, query: Query, chosen: list[Sentence]) -> bool:
        """Whether the leading sentence is about what a 多少 question asks: it shares a word with it, and its report
        writes the question's qualifiers and the rate it names."""
        terms = self.terms(query)
        text = self.store.report_text(chosen[0].report.id)
        return shares_a_word(terms, chosen) and qualifiers_written(query, terms, chosen[0], text) and rate_written(self.slots(query), terms, chosen[0], text)

    # -- answering from a stored key figure -------------------------------------------------

    def _answer_from_figures(self, query: Query, figures: list[Figure], ranked: list[Sentence], passages: tuple[Passage, ...], top_k: int) -> Answer:
        """Lead with the stored figures, in the question's order, and cite the sentences that state them."""
        chosen, leads, more = [], [], 0
        for figure in figures:
            report = self.store.report(figure.report_id)
            chunk = next(c for c in self.store.report_chunks(report.id) if c.start <= figure.start < c.end)
            (stated,), left = self.whole([self._sentence(report, chunk, figure.start, figure.end, 1.0, 0)])
            in_prose = stated_in_prose(figure, ranked)
            chosen += [s for s in (in_prose, stated) if s and all((s.start, s.end) != (c.start, c.end) for c in chosen)]
            basis = f"（{figure.basis}）" if figure.basis else ""
            value, unit = figure_as_written(figure)
            project = self.key_figures.project_of(figure) if len(figures) > 1 else ""
            leads.append(f"{project}{figure.metric.removeprefix('项目支出:')}：{value}{unit}{basis}")
            more = max(more, left)
        rest = f"另有{more}项未列出。" if more else ""
        text = "；".join(leads) + "。" + "".join(f"{s.display}[{i}]" for i, s in enumerate(chosen, 1)) + rest
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
        slots = self.slots(query)
        likely = [s for s in ranked[:10] if s.report.id == ranked[0].report.id and self.scorer.answers(s.score)]
        if slots:
            # A 多少 question is answered by the first likely sentence that states a figure it may ask; of those, one
            # whose figure is of the asked kind (per unit for "亩均财政投资", a target, 结余 rather than what was spent),
            # and a level when a level is asked (not the change of "三公经费减少0.58万元", for "三公多少 比上年少了多少").
            fitting = [(s, q) for s in likely if (q := best_quantity(slots[0], s.stated, query.text)) and slot_fit(slots[0], q) > 0]
            fitting = [(s, q) for s, q in fitting if of_the_asked_kind(slots[0], q)] or fitting
            # "公用经费多少": not the sentence about its sibling 三公经费 when another states what is asked
            asked = Terms(dict.fromkeys(slots[0].words, 1.0), {})
            fitting = [(s, q) for s, q in fitting if not sibling_compounds(asked, (d := match_key(s.display)), tokenize(d))] or fitting
            if slots[0].head.endswith(RATE_NOUNS):  # a rate is named by its noun: the 执行率 asked, not a 完成率 beside it
                fitting = [(s, q) for s, q in fitting if adjacent(slots[0], q)] or fitting
            if (flow := flow_named(slots[0].clause)) not in (None, *STORED_FLOWS):  # "没花完的钱还剩多少": a 结余, not an asset
                fitting = [(s, q) for s, q in fitting if q.flow == flow] or fitting
            if slots[0].unit == "money" and (basis := basis_named(slots[0].clause)):  # "全年预算数是多少": not what was used
                fitting = [(s, q) for s, q in fitting if stated_basis(q.label) == basis] or fitting
            if TOTAL_ASKED.search(slots[0].clause):  # "累计结余一共多少": a table's 合计 row, not its first line; or prose
                fitting = [(s, q) for s, q in fitting if not q.subject or TOTAL_ROW.fullmatch(q.subject)] or fitting
            # "执行率多少 结余多少": the sentence that states the first ask and the later ones by name, not a part's rate beside it
            fitting = sorted(fitting, key=lambda sq: -adjacent(slots[0], sq[1]) * sum(_states_by_name(later, sq[0], query.text) for later in slots[1:]))
            # A figure that answers a later ask better is kept for it ("执行率多少 基本支出执行率呢": not the 基本支出 row's).
            fitting = [(s, q) for s, q in fitting if not any(_taken_by(slots[0], later, q, s, query.text) for later in slots[1:])] or fitting
            best = next((s for s, q in fitting if changes_as_asked(slots[0], q)), fitting[0][0]) if fitting else ranked[0]
        elif stating := part_answers(self.terms(query), ranked):
            # "为啥" is answered by the two sentences on its topic that state a cause, "咋办" by the measures.
            return sorted([stating[0], *(s for s in stating[1:2] if _apart(s, stating[0]))], key=lambda s: (s.chunk.ordinal, s.start))
        else:
            best = ranked[0]
        chosen = [best]
        same_report = [s for s in likely if s is not best]
        pool = same_report + [s for s in following(best, ranked) if s not in same_report]
        for slot in slots[1:]:
            if _fit_in(slot, best, query.text) >= 1.0:
                continue
            # "三公多少，降了百分之几": the later ask may be answered by the sentence that goes on about the first one
            fitting = max(pool, key=lambda s: (_fit_in(slot, s, query.text), s.score), default=None)
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
        chunks, text = self.store.report_chunks(best.report.id), self.store.report_text(best.report.id)
        listed = sections.listed_section(query.asked, chunks)
        if not listed and (row := sections.part_row(sections.asked_part_names(query.asked, terms.parts), text, chunks)):
            return self._items(best, chunks, row)  # a 自评表 writes its 主要问题 in a row, not under a heading
        heading, share = asked_section(terms, chunks)
        if terms.parts and not any(heading_names_part(p, heading) or p in LISTED_PARTS for p in terms.parts):
            return [], 0  # "为啥没花完" asks the causes, not the items of the section its topic names
        likely = self.scorer.answers(best.score) and share >= coverage(terms, terms.written_with_parts, best.quote)
        if listed:
            heading = listed  # "自己说有哪些问题": the part it lists, whatever else it says
        elif not heading or share == 0 or not (likely or share > 0.5):
            return [], 0
        found = sections.section_items(text, chunks, heading)
        return self._items(best, chunks, found) if found else ([], 0)

    def _items(self, best: Sentence, chunks: list[Chunk], found: sections.Items) -> tuple[list[Sentence], int]:
        """A part's items as sentences of the best sentence's report, and how many more it has."""
        by_id = {c.id: c for c in chunks}
        return [self._sentence(best.report, by_id[cid], s, e, best.score, best.rank) for cid, s, e in found.spans], found.more

    def _sentence(self, report: ReportMeta, chunk: Chunk, start: int, end: int, score: float, rank: int) -> Sentence:
        return Sentence.at(report, chunk, self.store.report_text(report.id), start, end, score, rank)

    def whole(self, chosen: list[Sentence]) -> tuple[list[Sentence], int]:
        """The chosen sentences read on to their ends (never a dangling "…如下："), and how many pieces were left out."""
        completed, left = [], 0
        for sentence in chosen:
            text = self.store.report_text(sentence.report.id)
            spans = sections.section_spans(self.store.report_chunks(sentence.report.id), sentence.chunk)
            end, more = sections.whole_end(text, spans, sentence.start, sentence.end)
            left += more
            completed.append(sentence if end == sentence.end else replace(sentence, end=end, quote=text[sentence.start : end], read=""))
        return _without_nested(completed), left

    # -- the reply -------------------------------------------------------------------------

    def compose(self, query: Query, chosen: list[Sentence], as_list: bool = False, more: int = 0) -> str:
        """Answer text: the asked figures first for 多少, a numbered list for items, else the sentences; each cited.

        A list or sentence cut short says how much is left out ("另有3项未列出。").
        """
        lead = ""
        if query.shape == "number":
            lead = lead_figures(self.slots(query), chosen, query.text)
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


def lead_figures(slots: tuple[Slot, ...], chosen: list[Sentence], question: str) -> str:
    """The figure each slot asks for, in the question's order, from the chosen sentences: the first ask's from the
    sentence chosen for it, when that one states a figure of the asked kind by the asked name ("执行率92.02%") among others."""
    figures, previous, used = [], None, set()
    for n, slot in enumerate(slots or (Slot("", "", None),)):
        options = [
            (slot_fit(slot, q, purpose=True), verb_fit(slot, q), -i, -_distance(previous, (i, q)), q)
            for i, s in enumerate(chosen)
            for q in s.stated
            if q.text not in re.sub(r"\s+", "", question) and (i, q.start) not in used  # one figure answers one ask
        ]
        own = [o for o in options if o[2] == 0 and o[0] > 0] if n == 0 else []
        options = own if any(adjacent(slot, o[-1]) for o in own) else options
        if options:
            fit, _, i, _, figure = max(options, key=lambda o: o[:4])
            if fit == 0 and slot.unit is not None:
                continue  # no figure of the asked kind (多少钱 and only 公里 stated): lead with none rather than a wrong one
            previous = (-i, figure)
            used.add((-i, figure.start))
            label = _NUMBERED.sub("", slot.noun)  # "头一批纾困钱发": a reader would take 一 for the first figure
            figures.append(f"{label}：{figure.text}" if len(slots) > 1 and label else figure.text)
    return "；".join(figures) + "。" if figures else ""


# A number in the words a question asks with ("头一批", "6条产业链").
_NUMBERED = re.compile(r"[头第]?(?:\d+|[一二三四五六七八九十两百千]+)[条批家名项个次]")


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
    for sentence in ranked:
        if sentence.report.id != figure.report_id or sentence.start <= figure.start < sentence.end or row_label(sentence.quote):
            continue
        if name in sentence.display and any(q.unit == figure.unit and abs(q.value - figure.value) < 0.005 for q in sentence.stated):
            return sentence
    return None


def shares_a_word(terms: Terms, chosen: list[Sentence]) -> bool:
    """Whether the leading sentence holds any of the question's terms (or a synonym): a figure in one that shares
    none answers a neighbouring question its section is about, not this one ("移交办工作经费50万元" for 项目支出决算数).
    A question with no terms has none to share; one whose terms all name a flow of money shares them with a sentence
    that names that flow ("比去年多花了多少" and "比上年支出…增加407.46万元"), but a thing it names must be there
    ("高标准农田项目花了多少" is not answered by another project's 实际支出). A sentence under a heading that names
    most of what is asked shares it ("项目预算1250.00万元，实际支出1186.30万元" under （二）地质灾害防治项目)."""
    if not terms.weights or not chosen[0].signals or chosen[0].signals[SIGNALS.index("synonyms")] > 0:
        return True
    if coverage(terms, terms.weights, chosen[0].chunk.section.split(SECTION_SEPARATOR)[-1], expanded=True) > MOST:
        return True
    flows = {flow_named(term) for term in terms.weights}
    return None not in flows and any(pattern.search(chosen[0].display) for flow, pattern in FLOWS if flow in flows)


def qualifiers_written(query: Query, terms: Terms, sentence: Sentence, report_text: str) -> bool:
    """Whether the sentence's report writes what qualifies a noun the question asks about: a report that never mentions
    forests does not answer "森林防火经费" with its 三公经费, nor one that never mentions family farms "家庭农场补贴"
    with its 种粮补贴, nor one that never mentions orphans "孤儿基本生活费" with its 低保资金. Where the sentence does
    not state the noun, a verb before it ("讨回欠薪") qualifies nothing."""
    stated = match_key(sentence.display).lower()
    written = _written_key(sentence.report.title, report_text)
    for head, modifiers in qualified_nouns(query.asked) + compound_phrases(terms):
        if not any(form in stated for form in terms.forms(head, True)):
            if NUMBER_ASK.search(head):
                continue  # "讨回多少钱": the ask, not a noun
            modifiers = tuple(m for m in modifiers if not is_verb(m))  # "孤儿基本生活费" the report never writes of
        if not all(written_somehow(m, head, terms.forms(m, True), written) for m in modifiers):
            return False
    return not sibling_compounds(terms, written)  # "医疗保险" of a report that writes only 养老保险 and 失业保险


def compound_phrases(terms: Terms) -> list[tuple[str, tuple[str, ...]]]:
    """The question's compound words read as noun phrases, (last word, the words before it): "抽样调查" qualifies
    调查 with 抽样, which a report that never writes 抽样 does not answer with its 常规统计调查."""
    return [(pieces[-1], tuple(pieces[:-1])) for term in terms.weights if len(pieces := word_pieces(term)) > 1 and len(pieces[-1]) >= 2]


def sibling_compounds(terms: Terms, text: str, words: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The question's compound words (医疗保险) that the text does not write while it writes their last word (保险)
    in other compounds (养老保险, 失业保险), each with that last word: the text is about siblings of what is asked.
    Another compound is one of the text's `words` that ends with it, or, for a noun, any two characters before it
    (a verb's "入企业检查" is no sibling of 安全检查)."""
    words = set(words)
    found = []
    for term in terms.weights:
        pieces = word_pieces(term)
        head = pieces[-1] if pieces else ""
        if len(head) < 2 or written_somehow(term, head, terms.forms(term, True), text):
            continue
        noun = pos_tags(head)[0][1].startswith("n")
        if any(w != head and w.endswith(head) for w in words) or (noun and re.search(f"[\u4e00-\u9fff]{{2}}{re.escape(head)}", text)):
            found.append((term, head))
    return found


@lru_cache(maxsize=8)
def _written_key(title: str, report_text: str) -> str:
    """A report's title and text as matched against a question's words (read once per report, not per check)."""
    return match_key(f"{title}\n{report_text}").lower()


def rate_written(slots: tuple[Slot, ...], terms: Terms, sentence: Sentence, report_text: str) -> bool:
    """Whether the sentence's report writes the rate a question names (普惠率, 上线率), in some form: a report that
    never names it does not answer it with another rate (学生体质健康达标率)."""
    rates = [w for w in (slots[0].words if slots else ()) if w.endswith(RATE_NOUNS) and w not in RATE_NOUNS]
    written = _written_key(sentence.report.title, report_text) if rates else ""
    return all(written_somehow(rate, rate, terms.forms(rate, True), written) for rate in rates)


def states_asked_year(query: Query, chosen: list[Sentence]) -> bool:
    """A figure of another year than its report's is answered only by a sentence that names that year (or
    上年, for the year before): a report's own figures are not the other year's."""
    years = other_years(query)
    return not years or any(str(y) in s.display or (y == s.report.year - 1 and "上年" in s.display) for y in years for s in chosen)


def states_asked_kind(slots: tuple[Slot, ...], chosen: list[Sentence]) -> bool:
    """Whether the sentences state a figure of the kind a 多少 question asks (分, 人, 万元, %); any figure
    when it names no kind. A question about a score is not answered by a sentence without one, nor one
    about what was spent (决算) by sentences that name only a budget, nor one per unit by totals, nor one about a
    target by what was done."""
    if not slots:
        return True
    if slots[0].target and not any(q.target for s in chosen for q in s.stated):
        return False  # "演练场次目标是多少" is not answered by the 四十六场次 held
    if slots[0].unit is None and not slots[0].per:
        return True
    if not states_asked_basis(slots[0], chosen[0].display):
        return False  # the first sentence answers the first ask; a later one ("实际花了多少") may name another basis
    stated = [q for s in chosen for q in s.stated]
    if slots[0].per and not any(q.per for q in stated):
        return False  # "每人每月多少钱" is not answered by a total (低保金186.40万元)
    return any(unit_fit(slots[0], q) > 0 for q in stated)


def _distance(previous: tuple[int, Quantity] | None, current: tuple[int, Quantity]) -> int:
    """How far a figure stands after the previous slot's figure: the next ask usually follows it closely."""
    if previous is None or previous[0] != current[0] or current[1].start < previous[1].end:
        return 10_000
    return current[1].start - previous[1].end


def _taken_by(first: Slot, later: Slot, figure: Quantity, sentence: Sentence, question: str) -> bool:
    """Whether a later ask would take this very figure of the sentence, and fits it better than the first ask does."""
    best = best_quantity(later, sentence.stated, question)
    return best is not None and best.start == figure.start and slot_fit(later, best) > slot_fit(first, figure)


def _states_by_name(slot: Slot, sentence: Sentence, question: str) -> bool:
    """Whether the sentence states a figure of the asked kind with the asked head word right by it ("结余74.58万元"),
    a target when a target is asked ("原来计划几座" is not stated by "2座…计划于6月底前建成")."""
    best = best_quantity(slot, sentence.stated, question)
    return best is not None and unit_fit(slot, best) > 0 and adjacent(slot, best) > 0 and best.target == slot.target


def _fit_in(slot: Slot, sentence: Sentence, question: str) -> float:
    best = best_quantity(slot, sentence.stated, question)
    return slot_fit(slot, best) if best else 0.0


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
