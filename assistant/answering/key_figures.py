"""Key figures stored at ingest, as answers: which metric a question asks, which of the report's figures of it
(the basis named, the project named), and when the report does not state it for what is asked."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from index.cleaning import match_key
from index.figures import BASIS_PATTERNS, TABLE_MONEY, basis_named, metric_pattern, metrics_named
from index.gazetteer import leading_division
from index.metadata import PROJECT_KINDS
from index.models import Figure
from index.store import ReportStore
from index.tables import caption_start, row_label

from ..query import Query, abbreviates
from ..vocabulary import EACH_ASKED, MONEY_ASKS, MONEY_UNITS, NEXT_YEAR, PERCENT_UNITS, PERIOD_WORDS, QUESTION_WORDS, TOTAL_ASKS, YEAR_TYPED, typed_year
from .candidates import Sentence
from .quantities import Slot, answered_from_sentences, asked_slots, bases_differ, flow_named, is_planned, stated_basis
from .signals import coverage, focus_weights
from .terms import Terms, Vocabulary, is_verb

# Metrics a self-evaluation table states once per project: which project is named decides which figure answers.
PER_PROJECT = (*TABLE_MONEY, "预算执行率", "自评得分")
# After a metric, a word that goes inside it to a part ("项目支出里基本公卫补助", "三公经费中的公务接待费").
_INSIDE = re.compile(r"(?:里面|里头|当中|里|中)的?\s*[\u4e00-\u9fff]{2}")
# A self-evaluation table names its project on a line of its own ("项目名称：农机购置补贴项目").
_PROJECT_NAMED = re.compile(r"项目名称[:：]\s*([^\s:：]{2,30})")
# How far before a stored table row its setting reaches when its table has no caption: a 项目名称 line and header rows.
SETTING_CHARS = 300

Asked = tuple[str, dict[str, list[Figure]]]


class KeyFigures:
    """The stored key figures of the report a 多少 question is about, read against the question."""

    def __init__(self, store: ReportStore, terms: Callable[[Query], Terms], vocabulary: Callable[[], Vocabulary]) -> None:
        self.store, self.terms, self.vocabulary = store, terms, vocabulary

    def asked_metric(self, query: Query) -> Asked | None:
        """The key metric a 多少 question about one report names, with that report's stored figures by metric.

        A question that names a key metric and nothing else ("常宁的项目支出呢") asks for its figure too.
        """
        if len(query.reports) != 1 or (query.shape != "number" and not names_only_a_metric(query.asked)):
            return None
        slots = asked_slots(query.asked)
        if len(slots) > 1 or any(answered_from_sentences(slot) for slot in slots):
            return None  # two figures asked (see slot_figures), a change, an amount per unit, what was left: from sentences
        stored = self._stored(query)
        metric = self._slot_metric(query, slots[0] if slots else None, stored)
        return (metric, stored) if metric else None

    def each_figure(self, query: Query, asked: Asked | None) -> list[Figure]:
        """For a question that asks the metric of each ("两个项目自评各打了几分"), every stored figure of it, in the
        report's order; none when it asks one or one is stored."""
        if not asked or not EACH_ASKED.search(query.asked) or asked[0] not in PER_PROJECT:
            return []
        figures = asked[1].get(asked[0], [])
        return sorted(figures, key=lambda f: f.start) if len(figures) > 1 else []

    def project_of(self, figure: Figure) -> str:
        """The project a self-evaluation table's figure belongs to, as the last 项目名称 line before it names it; "" when none does."""
        named = _PROJECT_NAMED.findall(self.store.report_text(figure.report_id), 0, figure.start)
        return named[-1] if named else ""

    def slot_figures(self, query: Query) -> list[Figure]:
        """For a 多少 question about one report that asks two figures or more ("雪亮工程预算多少 实际花了多少"),
        the stored figure of each, in the question's order; none unless each one is stored for what is named."""
        slots = asked_slots(query.asked) if len(query.reports) == 1 and query.shape == "number" else ()
        if len(slots) < 2 or any(answered_from_sentences(slot) for slot in slots) or other_years(query):
            return []
        stored = self._stored(query)
        figures = []
        for slot in slots:
            metric = self._slot_metric(query, slot, stored)
            figure = self._figure_of(query, slot, metric, stored, slot.clause) if metric else None
            if figure is None or figure in figures:
                return []
            figures.append(figure)
        return figures

    def _stored(self, query: Query) -> dict[str, list[Figure]]:
        stored: dict[str, list[Figure]] = {}
        for figure in self.store.figures([query.reports[0].id]):
            stored.setdefault(figure.metric, []).append(figure)
        return stored

    def _slot_metric(self, query: Query, slot: Slot | None, stored: dict[str, list[Figure]]) -> str | None:
        """The key metric one ask names ("执行率"), or the total it asks by how the money moved (花了: 总支出)."""
        clause = slot.clause if slot else query.text
        named = [m for m in metrics_named(clause) if not _part_asked(m, clause)]
        if len(named) > 1 and named[0] in TABLE_MONEY:
            named = named[1:] + named[:1]  # "项目支出全年预算数": the row is the metric, the self-evaluation table's column its basis
        if named and named[0] in TABLE_MONEY and named[0] not in stored and slot:
            return self._total_asked(query, slot, stored)  # "全年预算多少" of a report with no self-evaluation table: its whole budget
        if named:
            return named[0]
        if slot and slot.unit == "分" and "自评得分" in stored:
            return "自评得分"  # "自评各打了几分": the score a report gives is its self-evaluation score
        return self._total_asked(query, slot, stored) if slot else None

    def _total_asked(self, query: Query, slot: Slot, stored: dict[str, list[Figure]]) -> str | None:
        """The total a money question asks when it names only how the money moved and, at most, what the
        total's setting names (花了多少钱: 总支出; 营养餐项目实际花了多少: that project's 全年执行数)."""
        if slot.unit == "percent":
            spent = flow_named(slot.clause) == "spent" and "预算执行率" in stored  # "钱用了百分之多少": the execution rate
            return "预算执行率" if spent and self.about_what_is_asked(query, "预算执行率", stored["预算执行率"]) else None
        if slot.unit not in ("money", None) or (slot.counted and not MONEY_ASKS.search(slot.counted)):
            return None  # "收了多少案子" counts cases, not money
        if any(term in slot.clause and not is_verb(term) for term in self.terms(query).unwritten):
            return None  # "监理费花了多少": it names something, which no report writes ("调完" says only what was done)
        for totals, verbs in TOTAL_ASKS:
            if verbs.search(slot.clause):
                return next(
                    (t for t in totals if (figures := _of_the_flow(stored.get(t, []), t, slot.clause)) and self.about_what_is_asked(query, t, figures)), None
                )
        return None

    def key_figure(self, query: Query, asked: Asked | None) -> Figure | None:
        """The key figure extracted at ingest that a 多少 question about one report asks for: on the basis the
        question names (年初预算, 决算, 实际…), else the first the report states."""
        if not asked:
            return None
        slots = asked_slots(query.asked)
        return self._figure_of(query, slots[0] if slots else None, *asked, query.text)

    def _figure_of(self, query: Query, slot: Slot | None, metric: str, stored: dict[str, list[Figure]], asking: str) -> Figure | None:
        """The metric's stored figure in the asked unit, on the basis the asking text names, for what the question names."""
        figures = [f for f in stored.get(metric, []) if _unit_fits(slot, f.unit)]
        basis = basis_named(asking) if metric not in TABLE_MONEY else None
        if basis:
            figures = [f for f in figures if f.basis == basis]
        elif metric not in TABLE_MONEY:
            figures = on_the_asked_flow(figures, metric, asking)
        return self.about_what_is_asked(query, metric, figures) if figures else None

    def about_what_is_asked(self, query: Query, metric: str, figures: list[Figure]) -> Figure | None:
        """The figure whose setting (its section and the lines before it, where a self-evaluation table names
        its project) holds what else the question names ("农村公路养护" of several projects' tables); None when
        none holds most of it: then the sentences answer, or the question is not answered."""
        terms = self.terms(query)
        rest = self._named_beyond_title(query, metric, figures[0].report_id)
        if not rest:
            return figures[0]
        scored = [
            (coverage(terms, rest, setting, expanded=True), -_last_named_distance(terms, rest, setting), -i)
            for i, setting in enumerate(map(self._setting, figures))
        ]
        share, _, at = max(scored)
        return figures[-at] if share >= 0.5 else None

    def _named_beyond_title(self, query: Query, metric: str, report_id: str) -> dict[str, float]:
        """The setting terms the report's title does not write: the title names what all its figures are about
        ("高标准农田" of a project's report), the rest says which of them is meant ("县级配套"). A report on one project
        may name it on a line of its own before its first section ("项目名称：2021年天然林保护工程补助资金项目")."""
        terms, title = self.terms(query), self.title_of(report_id)
        return {t: w for t, w in self._setting_terms(query, metric).items() if not any(f in title for f in terms.forms(t, True))}

    def title_of(self, report_id: str) -> str:
        """What a report's title names, with a project report's 项目名称 line before its first section."""
        report = self.store.report(report_id)
        return report.title + (_project_named(self.store.report_text(report_id)) if report.kind in PROJECT_KINDS else "")

    def _setting_terms(self, query: Query, metric: str) -> dict[str, float]:
        """The asking clause's terms that may say which of the metric's figures is meant ("农村公路养护"): words the
        reports use (in some form: "职专" as 职业中专), of two characters or more, with weight (a term in every chunk tells nothing), that are neither the metric's nor another key metric's, nor its
        basis's ("年初预算"), nor how the money moved (支出, 收入), nor the period (全年) or year, nor a bureau's short name ("住建", "残联")."""
        terms = self.terms(query)
        bases = [m.group(0) for _, pattern in BASIS_PATTERNS for m in pattern.finditer(query.text)]
        own_names = [r.bureau[leading_division(r.bureau)[1] :] for r in self.store.reports() if r.bureau]
        vocabulary = self.vocabulary()

        def names_a_setting(term: str) -> bool:
            return (
                len(term) > 1  # a project or an item is named by a word, not by a verb's one character ("打了几分")
                and (term in vocabulary or term in terms.shortened)
                and not any(form in metric for form in terms.forms(term, True))
                and not metrics_named(term)  # "花了多少 执行率多少": another ask's metric says nothing of this one's setting
                and not any(term in b for b in bases)
                and not any(verbs.fullmatch(term) for _, verbs in TOTAL_ASKS)
                and not PERIOD_WORDS.fullmatch(term)
                and not re.fullmatch(r"(?:19|20)\d{2}", term)  # a year picks the report, not one of its figures
                and not abbreviates(term, own_names)
            )

        return {t: w for t, w in focus_weights(terms, asked_slots(query.asked)).items() if w > 0 and names_a_setting(t)}

    def _setting(self, figure: Figure) -> str:
        """What a figure is about besides its own line: its report's title, its section path and, for a table's row,
        its table from the caption on (where the table names its project); a sentence says itself what it is about."""
        report = self.store.report(figure.report_id)
        chunk = next((c for c in self.store.report_chunks(figure.report_id) if c.start <= figure.start < c.end), None)
        return report.title + (chunk.section if chunk else "") + self._table_setting(figure)

    def _table_setting(self, figure: Figure) -> str:
        """A table row's table from its caption (and the line introducing it) down to the row, or the text just before
        it when no caption is found; a sentence's own quote."""
        if row_label(figure.quote) is None:
            return figure.quote
        text = self.store.report_text(figure.report_id)
        start = caption_start(text, figure.start)
        return text[max(figure.start - SETTING_CHARS, 0) if start is None else start : figure.end]

    def unstated_metric(self, query: Query, asked: Asked | None, ranked: list[Sentence]) -> str | None:
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
            if asked[0] in PER_PROJECT and not self.about_what_is_asked(query, asked[0], stored) and not other_years(query):
                setting, terms = self._named_beyond_title(query, asked[0], stored[0].report_id), self.terms(query)
                if self._stated_in(ranked, asked[0], basis, lambda text: coverage(terms, setting, text, expanded=True) >= 0.5):
                    return None  # a sentence states it for what is named ("防火项目…执行率44.83%"): answer from the text
                return f"{asked[0]}（{'、'.join(setting)}）"  # the report states it, but for something else than what is named
            return None
        if self._stated_in(ranked, asked[0], basis):
            return None  # the extractor missed it, but the text does state it: answer from the text
        return f"{asked[0]}（{basis}）" if stored else asked[0]

    @staticmethod
    def _stated_in(ranked: list[Sentence], metric: str, basis: str | None, about: Callable[[str], bool] = lambda text: True) -> bool:
        """Whether a likely sentence that is `about` what is asked states a figure right after the metric's name as
        reports write it, on the asked basis."""
        pattern = metric_pattern(metric) or re.compile(re.escape(metric[:4]))
        for sentence in ranked[:10]:
            text = sentence.display
            if not about(sentence.chunk.section + _with_neighbours(sentence)):  # "（三）乡镇卫生院能力提升项目" heads the sentence
                continue
            names = [m.end() for m in pattern.finditer(text) if m.group(0)]
            if any(0 <= q.start - end <= 8 and not bases_differ(basis, stated_basis(q.label)) for end in names for q in sentence.stated):
                return True
        return False


def _part_asked(metric: str, clause: str) -> bool:
    """Whether the clause asks a part inside the metric it names ("项目支出里基本公卫补助那块花了多少"), not the metric."""
    pattern = metric_pattern(metric)
    return pattern is not None and any(_INSIDE.match(clause, m.end()) for m in pattern.finditer(clause))


def _project_named(text: str) -> str:
    """The project a report names on a line of its own before its first numbered section ("项目名称：…"); "" when it
    names none there (a report on several projects names each in its own section)."""
    first = _FIRST_SECTION.search(text)
    return "".join(m.group(1) for m in _PROJECT_NAME.finditer(text, 0, first.start() if first else len(text)))


_FIRST_SECTION = re.compile(r"^\s*一[、.．]", re.MULTILINE)
_PROJECT_NAME = re.compile(r"^\s*项目名称\s*[:：]\s*([^\n]{2,60})", re.MULTILINE)


def _with_neighbours(sentence: Sentence) -> str:
    """A sentence with the sentences right before and after it in its chunk: what it is about may be said beside it
    ("全年实际支出2,198.64万元，执行率93.56%。全年完成河道治理长度8.6公里")."""
    spans = sentence.chunk.sentences
    at = next((i for i, (s, e) in enumerate(spans) if s <= sentence.start < e), None)
    if at is None:
        return sentence.display
    start, end = spans[max(at - 1, 0)][0], spans[min(at + 1, len(spans) - 1)][1]
    return sentence.chunk.text[start - sentence.chunk.start : end - sentence.chunk.start]


def on_the_asked_flow(figures: list[Figure], metric: str, asking: str) -> list[Figure]:
    """The department's 总支出 figures, stored for its whole budget and for its spending, for a question that names
    no basis, ordered by the flow it asks: what was budgeted first for 预算/拿到, else what was spent. Other metrics'
    figures stay in the order the report states them."""
    if metric != "总支出":
        return figures
    budget = _asks_a_budget(asking)
    return sorted(figures, key=lambda f: 1 if f.basis is None else 0 if is_planned(f.basis) == budget else 2)


def _of_the_flow(figures: list[Figure], metric: str, asking: str) -> list[Figure]:
    """The stored figures of a total that a question naming only how the money moved asks: the department's 总支出
    stored on a budget basis answers a budget ask (预算给了多少), on any other basis a spending ask."""
    if metric != "总支出":
        return figures
    budget = _asks_a_budget(asking)
    return on_the_asked_flow([f for f in figures if is_planned(f.basis) == budget], metric, asking)


def _asks_a_budget(asking: str) -> bool:
    """Whether a question asks what was budgeted or given (预算给了多少, 拿到多少) rather than what was spent."""
    return flow_named(asking) in ("budgeted", "received")


def _last_named_distance(terms: Terms, weights: dict[str, float], setting: str) -> int:
    """How far from the end of a figure's setting its nearest mention of what the question names stands: of two
    tables that both follow the words, the one right under its own 项目名称 is meant."""
    key = match_key(setting).lower()
    found = [key.rfind(form) for t in weights for form in terms.forms(t, True)]
    return len(key) - max(found, default=-1)


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


def other_years(query: Query) -> list[int]:
    """Years a 多少 question names that are not the year of any report it asks ("营养餐项目2022年执行率" of a 2023 report)."""
    if query.shape != "number":
        return []
    own = {r.year for r in query.reports}
    next_year = [y + 1 for y in own if y] if NEXT_YEAR.search(query.text) else []  # "明年的预算" of a 2023 report asks 2024's
    return [y for y in (*map(typed_year, YEAR_TYPED.finditer(query.text)), *next_year) if y not in own]


def figure_value(figure: Figure) -> str:
    """A figure's value as stored: two decimals at most (an amount in 元 read as 万元 is rounded half up), no trailing zeros."""
    return str(Decimal(str(figure.value)).quantize(Decimal("0.01"), ROUND_HALF_UP)).rstrip("0").rstrip(".")


# An amount is stored in 万元; a report may write it in 元 or 亿元 (the factor from 万元 to it).
_WRITTEN_SCALES = ((1.0, "万元"), (10000.0, "元"), (0.0001, "亿元"))
_WRITTEN_NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d,])")


def figure_as_written(figure: Figure) -> tuple[str, str]:
    """A figure's value and unit as its sentence writes them ("38,642.50", "元"; "1,200.00", "万元"; "92.50", "分"): a reader
    checks the answer against the report, and an amount in 元 rounded to 万元 would state a figure the report
    never writes."""
    numbers = _WRITTEN_NUMBER.findall(re.sub(r"\s+", " ", figure.quote))
    for scale, unit in _WRITTEN_SCALES if figure.unit == "万元" else ((1.0, figure.unit),):
        for number in numbers:
            if abs(float(number.replace(",", "")) - figure.value * scale) < 0.005:
                return number, unit
    return figure_value(figure), figure.unit


def _unit_fits(slot: Slot | None, unit: str) -> bool:
    """Whether a key figure's unit is what the ask counts in (多少家 wants 家, 多少钱 wants 万元)."""
    asked = slot.unit if slot else None
    if asked is None:
        return True
    if asked == "money":
        return unit in MONEY_UNITS or unit == "万"
    if asked == "percent":
        return unit in PERCENT_UNITS
    return asked == unit
