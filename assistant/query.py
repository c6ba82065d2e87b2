"""Query understanding: which bureaus and years a question names, its shape, and follow-ups."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from index.gazetteer import leading_division, places_in
from index.lexical import tokenize
from index.metadata import PROJECT_KINDS
from index.models import ReportMeta

from .errors import BadQuestionError, UnknownBureauError
from .vocabulary import COMPARE_WORDS, QUESTION_WORDS, RATE_ENDED, SHAPE_HOW, SHAPE_LIST, SHAPE_NUMBER, WHOLE_DEPARTMENT, YEAR_TYPED, typed_year

_CJK = r"\u4e00-\u9fff"
# An organisation word right after a place ("株洲市工信局", "会宁县人民医院", "敦化一中", "某某疾控中心", "赛罕区昭乌达路街道",
# "歙县雄村镇"; not 城镇, 城乡, 乡镇 or 乡村):
# the place names a body.
_ORG_AFTER_PLACE = re.compile(
    rf"[{_CJK}]{{0,6}}?(?:局|委员会|委|厅|办公室|医院|法院|检察院|学校|中学|小学)|[一二三四五六七八九十]中(?![心央间期])|[{_CJK}]{{2,6}}?中心"
    rf"|[{_CJK}]{{2,6}}?街道(?:办事处|办)?|[{_CJK}]{{2,4}}?(?<![城乡镇])[镇乡](?:人民政府|政府)?(?![村镇])"
)
# Words that ask, which no organisation's name holds ("内设哪些办公室").
_ASKING = re.compile(r"哪|什么|啥|多少|几")
# The last character of a place's name that may begin the next word instead ("漠河市场监管": 市场).
_PLACE_SUFFIXES = "市县区"
# A body of the same rank as a bureau (a 财政局 beside a 工信局), never a unit under one (一中, 卫生院, 中心).
_PEER_BODY = re.compile(r"(?:局|委员会|委|厅|办公室|法院|检察院)$")
# Kinds of bodies below a bureau (and towns below a county): one of the same kind as an indexed body is its peer, not a
# unit under it.
_BODY_KINDS = (
    re.compile(r"(?:学校|中学|小学|[一二三四五六七八九十]中)$"),
    re.compile(r"(?:医院|卫生院)$"),
    re.compile(r"中心$"),
    re.compile(r"[镇乡](?:人民政府|政府)?$"),
)
_TOWN_KIND = len(_BODY_KINDS) - 1
# An organisation named without a place ("火星局"); 该局/两个局 and the like refer, they do not name.
_ORG_NAMED = re.compile(rf"([{_CJK}]{{1,6}}?)(?:局|委员会|厅|集团|公司|中心|街道(?:办事处)?)")
# "两个工信局", "这两家医院": a pair named by what kind of body they are.
_TWO_OF_A_KIND = re.compile(rf"两(?:个|家|所)?([{_CJK}]{{1,6}}?(?:局|委|院|中心|站|所|镇|乡|街道|学校))")
_REFERRING = re.compile(r"^(?:.*[该本此这那哪每各两俩几我贵咱们]个?|全|.*[的在和与跟及、])$")
_FOLLOW_UP = re.compile(r"^(?:那|那么|那个|还有|再看看?|换成)?(?P<rest>.{0,12}?)(?:呢|的呢|怎么样呢|又如何|如何呢)?[？?。!！]*$")


@dataclass(frozen=True)
class Mention:
    """A bureau named in a question: the alias used, where, and every report of that bureau."""

    alias: str
    start: int
    reports: tuple[ReportMeta, ...]

    @property
    def bureau(self) -> str:
        return self.reports[0].bureau


@dataclass(frozen=True)
class Query:
    """A question with its scope resolved against the indexed reports."""

    text: str
    reports: tuple[ReportMeta, ...]
    named_bureaus: tuple[str, ...]
    years: tuple[int, ...]
    shape: str
    compare: bool
    missing: str | None = None  # why no report can answer, when a named bureau or year is not indexed

    @property
    def report_ids(self) -> set[str]:
        return {r.id for r in self.reports}

    @cached_property
    def asked(self) -> str:
        """The question without its bureaus' names: what is asked about them (slots and terms read this)."""
        return without_names(self.text, self.reports)


_ORG_END = "局委厅办院站所"
# What may follow a bureau's short name typed on its own: a joiner, 的, punctuation, a year or the end.
_NAME_END = r"(?:[和与及跟、的，,。？?！!\s\d]|$)"


def without_names(text: str, reports: tuple[ReportMeta, ...]) -> str:
    """The text with each report's bureau name blanked: an alias, and the short name typed right after it.

    Officers write a place then their own short form of the organisation ("弋阳文广旅局", "当阳卫健局"):
    a run after the alias whose characters follow the bureau's name in order is part of the name when
    it ends on an organisation word, is three characters or more, is the whole name but its organisation word
    ("永泰司法自评…" of 司法局), stands alone before 和/的, a year,
    a question word or the end ("临朐水利和宁城应急的…", "会宁疾控2023年", "盐池残联有啥问题"), or is a word of
    its own that opens like the name ("库车市监编制多少").
    """
    spans = []
    for report in reports:
        own = report.bureau[leading_division(report.bureau)[1] :] if report.bureau else ""
        for alias in sorted(report.aliases, key=len, reverse=True):
            start = text.find(alias)
            while start >= 0:
                end = start + len(alias)
                run = re.match(rf"[{_CJK}]{{1,8}}", text[end:])
                for k in range(len(run.group(0)) if run and own else 0, 0, -1):
                    piece = run.group(0)[:k]
                    if abbreviates(piece, [own]) and (
                        piece[-1] in _ORG_END
                        or k >= 3
                        or piece == own.rstrip(_ORG_END)
                        or re.match(_NAME_END, text[end + k :])
                        or _word_of_its_own(piece, text[end:], own)
                    ):
                        end += k
                        break
                spans.append((start, end))
                start = text.find(alias, end)
    chars = list(text)
    for start, end in spans:
        chars[start:end] = [" "] * (end - start)
    return "".join(chars)


@lru_cache(maxsize=1024)
def _first_words(text: str) -> tuple[str, ...]:
    """jieba's words of a short text, cut once for every piece of a name tried against it."""
    import jieba

    return tuple(jieba.lcut(text))


def _word_of_its_own(piece: str, rest: str, own: str) -> bool:
    """Whether `rest` opens with `piece` as a word of its own, then a question word ("残联|有|啥问题"), or `piece`
    opens like the bureau's own name and skips some of its characters, whatever follows ("市监编制", "人社基本支出",
    "住建花了多少", which jieba cuts 住|建花; not "文化|活动" of 文化广电…局, a word of the name itself, nor "政府|性基金"
    of 人民政府)."""
    if piece[0] == own[:1] and piece not in own:
        return len(rest) > len(piece)
    words = _first_words(rest[:12])
    return len(words) > 1 and words[0] == piece and words[1] in QUESTION_WORDS


def check_question(text: str, max_chars: int) -> str:
    """The question stripped, or BadQuestionError saying why it cannot be asked."""
    stripped = (text or "").strip()
    if not stripped:
        raise BadQuestionError("问题为空：请输入一个关于绩效自评报告的问题。(empty question)")
    if all(unicodedata.category(c)[0] in "PZSC" for c in stripped):
        raise BadQuestionError("问题只有标点或符号：请用文字提问。(question has no words)")
    if len(stripped) > max_chars:
        raise BadQuestionError(f"问题过长（{len(stripped)} 字），请缩短到 {max_chars} 字以内。(question longer than {max_chars} characters)")
    return stripped


def question_shape(text: str) -> str:
    """'number' for 多少/几, 'list' for 哪些, 'how' for 怎么样/如何, else 'what'; the first ask wins."""
    number, listing = SHAPE_NUMBER.search(text), SHAPE_LIST.search(text)
    # "分别多少", "各是多少": two figures asked, not a list
    asks_each = listing and listing.group(0) == "分别" and number and 0 <= number.start() - listing.end() <= 2
    if (number and (not listing or number.start() < listing.start() or asks_each)) or (not listing and RATE_ENDED.search(text)):
        return "number"
    if listing:
        return "list"
    if SHAPE_HOW.search(text):
        return "how"
    return "what"


class QueryAnalyzer:
    """Resolves bureau aliases and years in questions against the indexed reports."""

    def __init__(self, reports: list[ReportMeta], report_text: Callable[[str], str] | None = None) -> None:
        self.reports = list(reports)
        self._report_text = report_text
        by_alias: dict[str, list[ReportMeta]] = {}
        for report in self.reports:
            for alias in report.aliases:
                by_alias.setdefault(alias, []).append(report)
        # Longest first, so 望城区工信局 is one mention rather than 望城 plus leftovers.
        self._aliases = sorted(((alias, tuple(reports)) for alias, reports in by_alias.items()), key=lambda a: -len(a[0]))

    def bureaus(self) -> list[str]:
        """Every indexed bureau, once each."""
        return list(dict.fromkeys(r.bureau for r in self.reports))

    def kind_named(self, question: str) -> list[str]:
        """The bureaus "两个工信局" or "两家医院" points at: exactly two whose own name the words abbreviate, else none."""
        said = _TWO_OF_A_KIND.search(question)
        if not said:
            return []
        short = said.group(1)
        found = [b for b in self.bureaus() if abbreviates(short, [b[leading_division(b)[1] :]])]
        return found if len(found) == 2 else []

    def resolve_bureau(self, name: str) -> list[ReportMeta]:
        """The reports of the bureau a user named by any alias; unknown or ambiguous names list the choices."""
        name = name.strip()
        matches = [r for r in self.reports if name and (name in r.aliases or name == r.bureau or name == r.id)]
        bureaus = {r.bureau for r in matches}
        if len(bureaus) == 1:
            return matches
        known = "、".join(self.bureaus()) or "（尚无报告，请先导入）"
        problem = "不唯一，可能指多个单位" if bureaus else "没有对应的报告"
        raise UnknownBureauError(f"“{name}”{problem}。已收录的单位：{known}")

    def named_in(self, text: str) -> list[Mention]:
        """The bureaus mentioned, in order, longest alias first, without overlaps."""
        found, taken = [], [False] * len(text)
        for alias, reports in self._aliases:
            start = text.find(alias)
            while start >= 0:
                end = start + len(alias)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * len(alias)
                    found.append(Mention(alias, start, reports))
                start = text.find(alias, end)
        return sorted(found, key=lambda m: m.start)

    def analyze(self, text: str, bureau: str | None = None, year: int | None = None) -> Query:
        """Scope a question: explicit filters first, then the bureaus and years it names."""
        named = self.named_in(text)
        scope = self.resolve_bureau(bureau) if bureau else [r for m in named for r in m.reports] or self.reports
        scope = list(dict.fromkeys(scope))
        named_bureaus = tuple(dict.fromkeys(m.bureau for m in named))
        query = Query(text, tuple(scope), named_bureaus, (), question_shape(text), self._is_comparison(text, named_bureaus))
        unknown = self._unknown_place(text, named)
        if unknown and not bureau and (holders := self._unnamed_holders(unknown)):
            # The bureau may be one whose name could not be read: ask the reports that mention it.
            query = replace(query, reports=holders)
        elif unknown and not bureau:
            return replace(query, reports=(), missing=f"没有收录“{unknown}”的报告。已收录的单位：{'、'.join(self.bureaus())}")
        years = [year] if year else self._report_years(text, named)
        if years:
            in_year = [r for r in scope if r.year in years]
            if not in_year:
                names = "、".join(dict.fromkeys(r.bureau for r in scope)) or "所选单位"
                have = "、".join(f"{r.year}年度" for r in scope if r.year) or "无"
                return replace(query, years=tuple(years), reports=(), missing=f"没有收录{names}{'、'.join(map(str, years))}年度的报告（已收录：{have}）。")
            query = replace(query, years=tuple(years), reports=tuple(in_year))
        if WHOLE_DEPARTMENT.search(text) and query.reports and all(r.kind in PROJECT_KINDS for r in query.reports):
            names = "、".join(dict.fromkeys(r.bureau for r in query.reports))
            kinds = "、".join(dict.fromkeys(r.kind for r in query.reports))
            return replace(query, reports=(), missing=f"收录的{names}报告是{kinds}，只评价项目资金，没有部门整体支出的情况。")
        return query

    def _is_comparison(self, text: str, named_bureaus: tuple[str, ...]) -> bool:
        return len(named_bureaus) >= 2 or (bool(COMPARE_WORDS.search(text)) and len(self.bureaus()) >= 2 and len(named_bureaus) != 1)

    def _report_years(self, text: str, named: list[Mention]) -> list[int]:
        """Years that say which report is meant: next to a bureau name, or opening the question.

        A year elsewhere usually dates a fact inside a report ("兑现了2020年度…奖补资金"), so it
        does not filter.
        """
        years = []
        # the bureau's name as typed, its short form after the place included ("湄潭交通局2023年")
        blanked = without_names(text, tuple(r for m in named for r in m.reports))
        for found in YEAR_TYPED.finditer(text):
            before, after = blanked[: found.start()], blanked[found.end() :]
            near_name = bool(named) and (before.rstrip("的在").endswith(" ") or after.lstrip("度的").startswith(" "))
            if near_name or (found.start() == 0 and len(found.group(1)) == 4):  # "20年度制造业…奖补" dates a fact
                years.append(typed_year(found))
        return years

    def _unknown_place(self, text: str, named: list[Mention]) -> str | None:
        """An organisation the question names that no indexed report is from.

        Either a real place (from the gazetteer) followed by an organisation word ("株洲市工信局",
        "长沙县工信局": another bureau than 长沙市望城区's), or, when no indexed bureau is named at
        all, an organisation name that matches none ("火星局"). A place inside a fact ("长沙市万名
        干部进企业活动") names no organisation and is left alone.
        """
        if (other := self._other_organisation_at(text, named)) and not self._body_within(other, named):
            return other
        for mention in named:
            text = text.replace(mention.alias, "|" * len(mention.alias))
        own_places = self._bureau_places
        for name, start, _ in places_in(text):
            if name in own_places:
                continue
            end = start + len(name)
            organisation = _ORG_AFTER_PLACE.match(text, end)
            if organisation and not _ASKING.search(organisation.group(0)):
                return text[start : organisation.end()]
            for at in (end, end - 1) if name[-1] in _PLACE_SUFFIXES else (end,):  # "漠河市场监管": 漠河 and 市场监管
                if not named and (short := self._kind_short_name_at(text, at)):
                    return text[start:at] + short
        if named:
            return None
        if (place := self._unwritten_place_first(text)) is not None:
            return place
        for name, before in _organisations_named(text):
            if _REFERRING.match(before) or any(self._abbreviates_a_kind(name[-k:]) for k in range(2, len(name) + 1)):
                continue
            if not self._mentioned_in_a_report(name):  # a company a report writes about is a fact in it
                return name
        return None

    def _unwritten_place_first(self, text: str) -> str | None:
        """A county the question opens with ("岚县高标准农田…") that no indexed bureau sits in and no report writes of:
        the question is about that county's reports, which are not indexed."""
        found = places_in(text)
        if not found or found[0][1] != 0:
            return None
        name, _, divisions = found[0]
        if name in self._bureau_places or any(d.level != "county" for d in divisions) or self._mentioned_in_a_report(name):
            return None
        return name

    @cached_property
    def _own_names(self) -> list[str]:
        """The indexed bureaus' names without their places (工业和信息化局, 住房和城乡建设局)."""
        return list(dict.fromkeys(b[leading_division(b)[1] :] for b in self.bureaus() if b))

    def _abbreviates_a_kind(self, short: str) -> bool:
        """Whether `short` is the short form of an indexed bureau's own name, from its first character (住建, 工信局; not 务局)."""
        return any(short[0] == own[0] and abbreviates(short, [own]) for own in self._own_names)

    def _kind_short_name_at(self, text: str, at: int) -> str | None:
        """The longest short name of a kind of bureau that is indexed, typed at `at` ("凤城|住建老旧小区")."""
        run = re.match(rf"[{_CJK}]{{2,4}}", text[at:])
        pieces = [run.group(0)[:k] for k in range(len(run.group(0)), 1, -1)] if run else []
        return next((piece for piece in pieces if self._abbreviates_a_kind(piece)), None)

    def _mentioned_in_a_report(self, name: str) -> bool:
        return self._report_text is not None and any(name in self._report_text(r.id) for r in self.reports)

    @staticmethod
    def _other_organisation_at(text: str, named: list[Mention]) -> str | None:
        """A place an indexed bureau sits in, followed by another organisation ("望城区财政局" when 工信局 is indexed)."""
        for mention in named:
            if _ORG_AFTER_PLACE.search(mention.alias):
                continue  # the bureau named whole ("桃江教育局下面公办学校"): what follows is within it
            end = mention.start + len(mention.alias)
            organisation = _ORG_AFTER_PLACE.match(text, end)
            if not organisation or _REFERRING.match(organisation.group(0)[:-1] or "-") or _ASKING.search(organisation.group(0)):
                continue  # "甘棠乡政府内设哪些办公室" asks about the bureau's own offices
            own = [bureau[leading_division(bureau)[1] :] for bureau in {r.bureau for r in mention.reports}]
            typed = organisation.group(0)
            if not abbreviates(typed, own) and not (len(body := typed.rstrip(_ORG_END)) >= 2 and abbreviates(body, own)):
                return text[mention.start : organisation.end()]  # "医保局" is 医疗保障事务中心 by another type word
        return None

    def _body_within(self, name: str, named: list[Mention]) -> bool:
        """Whether a body typed after an indexed bureau's place is one that bureau's report writes about, as a
        unit below the bureau rather than a bureau beside it ("临湘二中" in 临湘市教育局's "临湘市第二中学", "洛川石头镇" in
        洛川县交通运输局's "石头镇1座危桥")."""
        holders = {r for m in named if name.startswith(m.alias) for r in m.reports}
        if _PEER_BODY.search(name) or any(_kind_of_body(name) == _kind_of_body(r.bureau) for r in holders):
            return False  # a bureau beside it, or a body of its own kind ("敦化一中" where 敦化市第三中学 is indexed)
        bodies = {name}
        if _kind_of_body(name) == _TOWN_KIND:  # a town a county bureau's report writes of is where its work was done
            bodies |= {name[len(m.alias) :] for m in named if name.startswith(m.alias) and len(name) - len(m.alias) >= 3}
        written = [re.compile("[^\\s，。；、]{0,2}".join(map(re.escape, body))) for body in bodies]  # "洛川石头镇": 石头镇
        return self._report_text is not None and any(w.search(self._report_text(r.id)) for w in written for r in holders)

    def _unnamed_holders(self, name: str) -> tuple[ReportMeta, ...]:
        """Reports whose bureau could not be read but whose text names this place or organisation."""
        place = next((written for written, start, _ in places_in(name) if start == 0), name)
        unnamed = [r for r in self.reports if not r.bureau]
        return tuple(r for r in unnamed if self._report_text and place in self._report_text(r.id))

    @cached_property
    def _bureau_places(self) -> set[str]:
        """The places indexed bureaus sit in, full and short (望城区, 望城); read once per index, not per question."""
        places = set()
        for report in self.reports:
            own = report.county or report.city
            if own:
                places |= {own, *(d.short for _, _, found in places_in(own) for d in found if d.name == own)}
        return places


def _kind_of_body(name: str) -> int | None:
    """Which of `_BODY_KINDS` a body's name ends with (a school, a hospital, a centre), if any."""
    return next((i for i, kind in enumerate(_BODY_KINDS) if kind.search(name)), None)


def _organisations_named(text: str) -> Iterator[tuple[str, str]]:
    """Organisation names typed without a place ("火星局", "机关事务服务中心", "人防办"), each with what comes before
    its organisation word. A 办 ends a name only as the tokenizer reads a word of three characters or more
    (人防办, 扶贫办; not 举办, 交办 or 怎么办)."""
    for found in _ORG_NAMED.finditer(text):
        yield found.group(0), found.group(1)
    for token in tokenize(text):
        if len(token) >= 3 and token.endswith("办") and token[:-1] not in QUESTION_WORDS:
            yield token, token[:-1]


def abbreviates(short: str, names: list[str]) -> bool:
    """Whether `short` abbreviates one of the names the Chinese way, keeping characters in order (市监局 ⊂ 市场监督管理局)."""
    for name in names:
        chars = iter(name)
        if all(c in chars for c in short):
            return True
    return False


def is_bare_follow_up(question: str, analyzer: QueryAnalyzer) -> bool:
    """A question that only names a bureau, like "那常宁呢？", which needs an earlier question."""
    found = _FOLLOW_UP.match(question.strip())
    named = analyzer.named_in(question)
    if not found or not named or not re.match(r"^(?:那|那么|那个|还有|再看看?|换成)", question.strip()):
        return False
    leftover = found.group("rest")
    for mention in named:
        leftover = leftover.replace(mention.alias, "")
    return not re.sub(r"[的年度\d\s]", "", leftover)


def rewrite_follow_up(question: str, previous: Query | None, analyzer: QueryAnalyzer) -> str:
    """'那常宁呢？' after a question about 望城 becomes that question about 常宁."""
    if previous is None:
        return question
    found = _FOLLOW_UP.match(question.strip())
    named = analyzer.named_in(question)
    if not found or not named:
        return question
    leftover = found.group("rest")
    for mention in named:
        leftover = leftover.replace(mention.alias, "")
    if re.sub(r"[的年度\d\s]", "", leftover):
        return question  # it says something new, not just another bureau
    new_names = "和".join(m.alias for m in named)
    text, pieces, cursor = previous.text, [], 0
    for mention in analyzer.named_in(text):
        end = mention.start + len(mention.alias)
        # The old report's own year goes with it: the new bureau's report has its own year.
        years = "|".join(str(r.year) for r in mention.reports if r.year)
        own_year = re.match(rf"\s*(?:{years})\s*年度?", text[end:]) if years else None
        end += own_year.end() if own_year else 0
        pieces += [text[cursor : mention.start], "" if pieces else new_names]
        cursor = end
    return "".join(pieces) + text[cursor:] if pieces else new_names + text
