"""The figure slot: what a question asks to be counted, and which stated quantity counts it.

Chinese puts the count before the noun ("派出 120 名干部") and the label before the figure
("在职人员 25 人"), so each quantity carries the words before it in its clause (its label) and the
words after its unit (what it counts). A question's slot is the measure word after 多少/几 and the
noun after it, or before it ("在职人员有多少").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from index.figures import BASIS_PATTERNS, basis_named
from index.models import SECTION_SEPARATOR

from ..vocabulary import (
    ADDED,
    APPROX_BEFORE,
    BOUND_BEFORE,
    CHANGE_ASKS,
    CHANGE_BEFORE,
    CHANGE_VERBS,
    CHANGED_FLOWS,
    EARLIER_ASKS,
    EARLIER_BEFORE,
    FLOWS,
    GENERAL_MEASURE,
    JOINERS,
    MEASURE_WORDS,
    MONEY_ASKS,
    MONEY_UNITS,
    NUMBER_ASK,
    PART_OPENS,
    PER_UNIT,
    PERCENT_ASKS,
    PERCENT_NOUNS,
    PERCENT_UNITS,
    QUESTION_WORDS,
    RATE_ENDED,
    SAME_MEASURE,
    STORED_FLOWS,
    TARGET_AFTER,
    TARGET_SECTION,
    TARGET_WORDS,
    TOTAL_ASKED,
    UNITS,
    WHEN_ASKED,
)

# Digits as written, or as a PDF's text layer spaces them ("4 ,215.06", "2 846. 32"): one space at most between pieces.
_DIGITS = r"(?:\d{1,3}(?: ?, ?\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?: ?\. ?\d+)?"
_CN_DIGITS = r"[零〇一二两三四五六七八九十百千]+"
_UNIT_ALTERNATION = "|".join(sorted((*MONEY_UNITS, *PERCENT_UNITS, "％", "倍", *MEASURE_WORDS), key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\d.,])(?P<num>{_DIGITS}|{_CN_DIGITS}(?=(?:多|余)?(?:万|亿)?(?:{'|'.join(MEASURE_WORDS)})))"
    rf"\s*(?P<approx>多|余)?\s*(?P<scale>万(?!元)|亿(?!元))?(?P<unit>{_UNIT_ALTERNATION}|万(?![\u4e00-\u9fff\d]))"
)
# Between a verb that changes a budget and 预算, only the ask ("追加了多少预算").
_ASK_BETWEEN = re.compile(r"了?(?:多少|几)?(?:亿元|万元|元)?的?")
# A part's name after 其中 is kept whole (up to this many characters); other labels keep their last 12.
_PART_NAME = 24
_CLAUSE_BREAK = re.compile(r"[，,；;。：:！!？?、（）()\n]")
# A question's clauses; its 、 enumerates what one ask asks about (see _enumerated_asks).
_QUESTION_BREAK = re.compile(r"[，,；;。：:！!？?（）()\n]")
# What separates the items of one question clause: 、, or a space typed between two words.
_TYPED_SPACE = re.compile(r"(?<=\S)\s+(?=\S)")
_ITEM_BREAK = re.compile(rf"(、|{_TYPED_SPACE.pattern})")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# A plan that its clause goes on to state, with nothing done in between ("全年计划建设5G基站2004个"; not "按计划完成…"),
# however far when the clause opens with it ("计划2024年招聘乡镇卫生院专业技术人员35名").
_PLANNED = re.compile(
    r"(?<!按)(?:计划|目标)(?!生育)(?:(?!完成|实际|累计|已|超)[^，,。；;：:]){0,10}$|^(?:计划|预计)(?!生育)(?:(?!完成|实际|累计|已|超)[^，,。；;：:])*$"
)
# Targets listed after a colon ("绩效目标为：新建蓄水池14座，铺设管网180公里，…"): every figure after it is one.
_TARGETS_LISTED = re.compile(r"(?:目标|指标值|计划(?!生育)|预期)[^，,。；;：:]{0,4}[：:]")
# A count its sentence goes on to say was not done, with no other figure in between ("2座因选址调整，未能在年内完工",
# "2座未完工蓄水池"; not 12座 of "完成12座，未完成2座"), and a question that asks what was not done.
_UNDONE_AFTER = re.compile(r"[^；;。]{0,24}?(?:未能|尚未|未|没有|没)(?:在[^，,；;。]{0,6}?)?(?:完工|完成|建成|开工|实施|达标)")
_UNDONE_ASKED = re.compile(r"未|没")
# A figure its clause says went unspent ("有27.52万元设备款未能在年内支付", "…万元尚未拨付").
_UNSPENT_AFTER = re.compile(r"[^，,；;。]{0,10}?(?:未能|尚未|未|没有|没)(?:在[^，,；;。]{0,6}?)?(?:支付|拨付|使用|用|花|执行|支出)")
# A short note in brackets inside a label, such as a column's unit ("全年执行数（万元）").
_UNIT_NOTE = re.compile(r"[（(][^（）()，,。；;]{1,6}[）)]")
# A target word counts only this close before its figure ("年度目标120场"; not the 计划 of 计划生育家庭…341.52万元).
_TARGET_REACH = 6
# The column of a self-evaluation table that holds the target, as its rows read ("年度指标值≥95%，实际完成值93%").
TARGET_COLUMN = "年度指标值"
# A score named right before the ask ("自评分是多少", "得分多少").
_SCORE_NOUN = re.compile(r"(?:得|评|打)分$")
# A per-unit word counts this close before its figure ("月人均领取基础养老金163元").
_PER_REACH = 12
# A table row as read (index.tables.row_label) names its indicator first: every figure in it is about that.
_ROW_SUBJECT = re.compile(r"^三级指标“([^”]+)”")
# A money table's row as read (index.tables.GridRow.reading) names its line first: "基本支出：年初预算数512.40万元，…",
# after 其中 for a part ("其中：财政拨款：…").
_GRID_SUBJECT = re.compile(r"^(?:其中[：:]?)?([^：:，,。；\d]{2,20})[：:](?=[^，,。；]*?\d)")
# An ask left out after an earlier one ("…多少，基本支出呢"): 呢 asks the same of what it names.
_ELLIPTIC_ASK = re.compile(r"(?<=[\u4e00-\u9fff])(?:的)?呢\s*$")
_FILLER = re.compile(r"^(?:为|是|有|共|共有|达|达到|约|累计|合计|计(?!生|划)|了|到|完成|实现|其中)+|(?:为|是|有|共|达|约|计|了|的)+$")


@dataclass(frozen=True)
class Quantity:
    """A figure stated in a sentence, with what it counts. Offsets index the squashed sentence."""

    text: str
    value: float
    unit: str
    start: int
    end: int
    label: str  # the words before it in its clause ("在职人员")
    counted: str  # the words after its unit ("干部")
    subject: str = ""  # what the whole sentence is about, when it says so apart (a table row's indicator)
    change: bool = False  # it states a change ("增长12%", "减少1.18万元"), not a level
    target: bool = False  # it states a target ("年度指标值≥80公里", "年度目标120场"), not what was done
    bound: bool = False  # it states a bound set for something ("对执行率低于90%的项目", "≥95%"): a target, or a condition
    per: bool = False  # it states an amount per unit ("每人每月1,186元", "亩均1253元", "5元/生·天"), not a total
    earlier: bool = False  # it states the level before a change ("由上年的2.86平方米提高到…"), not the one reached
    flow: str | None = None  # how the money moved, as the words before it say ("全年执行"), or unspent when its clause says so after it
    purpose: str = ""  # what the money was for, as the clause right after it says ("…720.38万元，用于企业扩展生产线")
    undone: bool = False  # its sentence goes on to say it was not done ("2座因选址调整，未能在年内完工")
    part: bool = False  # it is one of the parts a 其中 lists after an earlier figure, the total ("预算1,851万元，其中中央…1,215万元")

    @property
    def kind(self) -> str:
        return "money" if self.unit in MONEY_UNITS else "percent" if self.unit in (*PERCENT_UNITS, "％") else "count"


@dataclass(frozen=True)
class Slot:
    """One figure a question asks for: the clause that asks, what it counts and in what unit."""

    clause: str
    noun: str
    unit: str | None  # a measure word ("家"), "money", "percent", or None when anything fits
    words: tuple[str, ...] = ()  # the words that say what is counted, from the whole asking clause
    head: str = ""  # the word right after 多少 ("多少欠薪"), else right before it ("在职人员多少")
    change: bool = False  # it asks by how much something changed ("比上年少了多少", "提高了几个百分点")
    target: bool = False  # it asks for a target or plan ("目标是多少")
    counted: str = ""  # what the words right after the ask name ("多少案子" → 案子), "" when none
    per: bool = False  # it asks an amount per unit ("每人每月多少钱", "一亩地花了多少")
    context: str = ""  # the clause before it that asks nothing, which says what it is about ("移民后扶项目钱用完没，执行率多少")
    earlier: bool = False  # it asks the level before a change ("原来多少")
    forms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # other forms the asked reports write its words in ("危桥": 危旧桥梁)
    verb: str = ""  # the one-character verb right before the ask ("帮几家企业": 帮), which a figure's label may open a word with

    def forms_of(self, word: str) -> tuple[str, ...]:
        """The word, its synonyms in 同义词词林 (of two characters or more: "出" is no form of 出去, it is in 支出) and the
        forms the asked reports write it in."""
        from .terms import cilin_synonyms

        own = next((found for w, found in self.forms if w == word), ())
        return (word, *(s for s in cilin_synonyms().get(word, ()) if len(s) >= 2), *own)


def beyond_title(slot: Slot, title: str) -> Slot:
    """The slot without the words its one report's title writes (as asked, or as the report writes them): they say which
    report, not which of its figures. Words of money's flow or basis stay ("项目支出" of a project's report), and all
    stay when none would be left."""
    kept = tuple(w for w in slot.words if flow_named(w) or basis_named(w) or not any(f in title for f in (w, *dict(slot.forms).get(w, ()))))
    return replace(slot, words=kept) if kept else slot


def written_as(slots: tuple[Slot, ...], forms: dict[str, tuple[str, ...]]) -> tuple[Slot, ...]:
    """The slots with the forms the asked reports write their words in (a question's `Terms.synonyms`)."""
    return tuple(replace(s, forms=tuple((w, forms[w]) for w in s.words if w in forms)) for s in slots)


# The clause after an amount that says what it was for ("720.38万元，用于企业扩展生产线及科学技术研发；").
_USED_FOR = re.compile(r"\s*(?:主要)?用于[^，,；;。]{1,30}")
# "为5,846名…奖励扶助对象和312名…成员": the words before 和 are what the earlier count counts, not a label of the later.
_NEXT_COUNTED = re.compile(r"[\u4e00-\u9fff]+(?:和|及|与)$")
# Between an earlier level and the level a change reached ("由2.86平方米提高到3.12平方米").
_REACHED = re.compile(r"[^,，;；。]{0,8}?(?:到|至)")


def quantities(text: str) -> list[Quantity]:
    """The quantities a sentence states, in order: amounts, percentages, 百分点 and counts (digits or 十二)."""
    found = []
    row = _ROW_SUBJECT.match(text) or _GRID_SUBJECT.match(text)
    subject = row.group(1) if row else ""
    masked = _UNIT_NOTE.sub(lambda m: "_" * len(m.group(0)), text)  # "全年执行数（万元）6212.38": the note cuts no clause
    for match in _QUANTITY.finditer(text):
        number, unit = match.group("num"), match.group("unit")
        value = _number_value(number)
        if value is None:
            continue
        scale = {"万": 1e4, "亿": 1e8}.get(match.group("scale") or "", 1.0)
        clause_start = _listed_start(masked, max((m.end() for m in _CLAUSE_BREAK.finditer(masked, 0, match.start())), default=0), match.start())
        after = _CLAUSE_BREAK.search(text, match.end())
        label = _strip_approx(re.sub(r"[\s≥≤＞＜>=<]+$", "", text[clause_start : match.start()]))
        following = _QUANTITY.search(text, match.end())  # "五个镇三十二个村": 五个 counts 镇, not 村
        counted_end = min(after.start() if after else len(text), following.start() if following else len(text))
        counted = "".join(_CJK_RUN.findall(text[match.end() : counted_end]))[:8]
        bound = bool(BOUND_BEFORE.search(text[clause_start : match.start()]))
        earlier = not CHANGE_BEFORE.search(label) and bool(EARLIER_BEFORE.search(label))
        if found and found[-1].kind == "count" and found[-1].end >= clause_start and _NEXT_COUNTED.fullmatch(text, found[-1].end, match.start()):
            label = ""
        if found and found[-1].earlier and _REACHED.fullmatch(text, found[-1].end, match.start()):
            label = found[-1].label  # "由上年的2.86平方米提高到3.12平方米": the level reached is of what the earlier one was
        per = bool(PER_UNIT.search(label[-_PER_REACH:]) or PER_UNIT.search(subject) or text[match.end() : match.end() + 1] == "/")
        clause_end = after.start() if after else len(text)
        flow = "unspent" if _UNSPENT_AFTER.match(text, match.end(), clause_end) else flow_named(label)
        used_for = _USED_FOR.match(text, after.end()) if after else None
        found.append(
            Quantity(
                re.sub(r"\s+", "", match.group(0)),
                value * scale,
                {"％": "%", "万": "万元"}.get(unit, unit),  # "公用经费57.38万。": 万 alone ends an amount in 万元
                match.start(),
                match.end(),
                label[-_PART_NAME:] if label.startswith(PART_OPENS) else label[-12:],  # "其中中央自然灾害…补助资金": all its name
                counted,
                subject,
                bool(CHANGE_BEFORE.search(label) or ADDED.search(label)),
                bool(
                    TARGET_WORDS.search(label[-_TARGET_REACH:])
                    or label.startswith(TARGET_COLUMN)  # a table row read with its columns: "年度指标值≥每人每月690元"
                    or _PLANNED.search(label)
                    or TARGET_AFTER.match(text, match.end())
                    or _TARGETS_LISTED.search(text, 0, match.start())
                )
                or bound,
                bound,
                per,
                earlier,
                flow,
                "".join(_CJK_RUN.findall(used_for.group(0))) if used_for else "",
                _undone(text, match.end()),
                _is_part(text, found, match.start()),
            )
        )
    return found


def _undone(text: str, end: int) -> bool:
    """Whether the sentence says the figure ending at `end` was not done (see _UNDONE_AFTER)."""
    said = _UNDONE_AFTER.match(text, end)
    if said is None:
        return False
    clause_end = found.start() if (found := _CLAUSE_BREAK.search(text, said.end())) else len(text)
    return not _QUANTITY.search(text, end, said.end()) and not _QUANTITY.search(text, said.end(), clause_end)  # "未完成2座": its own


def _is_part(text: str, earlier: list[Quantity], start: int) -> bool:
    """Whether a figure stands after a 其中 that follows an earlier figure of its sentence, its total."""
    opened = text.rfind(PART_OPENS, 0, start)
    return opened >= 0 and any(q.end <= opened for q in earlier) and not any(mark in text[opened:start] for mark in "。；;")


def _listed_start(text: str, start: int, end: int) -> int:
    """Where a figure's label starts when it sums a list ("追加乡村振兴衔接资金、村级组织运转经费等685.55万元"): the
    list's first item, so the label holds the verb before it; otherwise `start`."""
    if not text[start:end].rstrip().endswith("等"):
        return start
    while start > 0 and text[start - 1] == "、":
        earlier = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start - 1)), default=0)
        if _QUANTITY.search(text, earlier, start - 1):
            break  # "A 10万元、B等20万元": the earlier item has its own figure
        start = earlier
    return start


def quantities_in(text: str, section: str) -> list[Quantity]:
    """The quantities of a sentence under its section path: under a heading that sets targets, all are targets."""
    found = quantities(text)
    heading = section.split(SECTION_SEPARATOR)[-1]
    return [replace(q, target=True) for q in found] if TARGET_SECTION.search(heading) else found


def _number_value(number: str) -> float | None:
    if number[0].isdigit():
        return float(re.sub(r"[,\s]", "", number))
    return float(_cn_number(number)) if _cn_number(number) is not None else None


@cache
def _cn_number(text: str) -> int | None:
    import cn2an

    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def _strip_approx(label: str) -> str:
    for word in sorted(APPROX_BEFORE, key=len, reverse=True):
        if label.endswith(word):
            return label[: -len(word)]
    return label


@cache
def asked_slots(question: str) -> tuple[Slot, ...]:
    """The figures a question asks for, in its order ("收入和支出各多少" asks two); a question that ends on a rate
    and asks nothing else asks its figure ("河道治理 执行率")."""
    if not NUMBER_ASK.search(question) and RATE_ENDED.search(question):
        question = RATE_ENDED.sub(lambda m: m.group(0).rstrip("？?。！! ") + "多少", question)
    slots, previous = [], ""
    for clause in (c for part in _QUESTION_BREAK.split(question) for c in _enumerated_asks(part) if c):
        if slots and not NUMBER_ASK.search(clause) and _ELLIPTIC_ASK.search(clause):
            clause = _ELLIPTIC_ASK.sub("多少", clause)  # "执行率多少 基本支出执行率呢": the same ask of another thing
        ask = NUMBER_ASK.search(clause)
        if not ask:
            previous = clause
            continue
        context, previous = previous, ""
        after = clause[ask.end() :]
        unit, after = _asked_unit(clause, ask, after)
        noun = _content(after) or _content(clause[: ask.start()])
        # "一共多少钱？" names nothing itself: the clause before it says what is counted; "原来多少" after
        # "面积现在多少" asks of what the ask before it named.
        # "砍了多少", "压减了多少": what was cut is by how much it fell
        change, target = bool(CHANGE_ASKS.search(clause) or ADDED.search(clause)) or flow_named(clause) == "cut", bool(TARGET_WORDS.search(clause))
        own = tuple(w for w in _words(clause) if not (change and EARLIER_ASKS.fullmatch(w)))  # "比上年涨了多少": 上年 is the base
        # "…多少公里，原计划多少", "计划建多少个 实际建了多少": asks the same thing's target, earlier level or actual
        elliptic = slots and all(TARGET_WORDS.fullmatch(w) or WHEN_ASKED.fullmatch(w) or (slots[-1].target and basis_named(w)) for w in own)
        words = (own if not elliptic else ()) or _words(context) or (slots[-1].words if slots else ())
        if (change or elliptic) and unit is None and slots:
            unit = slots[-1].unit  # "三公花了多少，比上年涨了多少": the change of what was just asked, in its unit
        after_words, before_words = _words(after), _words(clause[: ask.start()])
        head = _head_noun(after) or (after_words[0] if after_words else _last_noun(before_words))
        parts = _joined_items(clause[: ask.start()], noun)
        for part in parts:
            part_words = _words(part) if len(parts) > 1 else words
            counted = _content(after)
            per = bool(PER_UNIT.search(clause[: ask.start()])) or (not own and bool(slots) and slots[-1].per)
            earlier = bool(EARLIER_ASKS.search(clause)) and not change  # "比上年少了多少" asks the change, not last year's level
            slots.append(
                Slot(
                    clause,
                    part,
                    unit,
                    part_words,
                    part_words[-1] if len(parts) > 1 and part_words else head,
                    change,
                    target,
                    counted,
                    per,
                    context,
                    earlier=earlier,
                    verb=_asked_verb(clause[: ask.start()]),
                )
            )
    if slots and (trailing := _words(previous)):  # "人头多少 在职的": a last clause that asks nothing says of what
        slots[-1] = replace(slots[-1], words=tuple(dict.fromkeys((*slots[-1].words, *trailing))))
    return tuple(slots)


def _enumerated_asks(clause: str) -> list[str]:
    """A clause cut after each ask that a 、 or a typed space separates ("基本支出多少、项目支出多少", "预算多少
    执行了多少"); items enumerated before one ask stay together ("在编、临聘、退休各多少人", "去年 基本支出多少")."""
    pieces, current = [], ""
    for item, separator in zip(*[iter(_ITEM_BREAK.split(clause) + [""])] * 2):
        current += item
        if NUMBER_ASK.search(item):
            pieces.append(current)
            current = ""
        else:
            current += separator
    return pieces + ([current] if current.strip() else [])


def _words(text: str) -> tuple[str, ...]:
    from index.lexical import tokenize

    return tuple(
        dict.fromkeys(
            t
            for t in tokenize(text)
            if t not in QUESTION_WORDS
            and not (t[0] in MEASURE_WORDS and re.search(f"(?:多少|几){re.escape(t)}", text))  # "多少眼井": 眼 counts 井
            and not t.isdigit()
            and len(t) > 1
            and not NUMBER_ASK.search(t)
            and "几" not in t
            and not any(t in unit for unit in UNITS)
            and not CHANGE_VERBS.fullmatch(t)
            and not t.endswith("了")
            and not WHEN_ASKED.fullmatch(t)
        )
    )


def _asked_unit(clause: str, ask: re.Match[str], after: str) -> tuple[str | None, str]:
    """The unit asked for right after 多少/几, and the rest of the clause after it."""
    money_words = (*MONEY_UNITS, "钱", "万", "亿")
    for word in sorted((*money_words, *MEASURE_WORDS, *PERCENT_UNITS), key=len, reverse=True):
        if after.startswith(word):
            unit = "money" if word in money_words else "percent" if word in PERCENT_UNITS else word
            return unit, after[len(word) :]
    if _SCORE_NOUN.search(clause[: ask.start()].rstrip("是为有")):
        return "分", after  # "自评分是多少", "得分多少": a score
    if ask.group(0) in ("占比", "比例", "百分之几") or clause[: ask.start()].endswith("百分之") or PERCENT_NOUNS.search(clause[: ask.start()]):
        return "percent", after  # "执行率多少": the noun right before the ask is a rate
    if _counts_people(after) and not NUMBER_ASK.search(after):
        return "人", after  # "多少老百姓干活": people, counted in 人 (or 名, 位); "帮多少群众挽回多少钱" asks the money
    if MONEY_ASKS.search(clause):
        return "money", after
    if PERCENT_ASKS.search(clause):
        return "percent", after
    return None, after


def _last_noun(words: tuple[str, ...]) -> str:
    """The last of the words before the ask that names a thing or how money moved ("技改投资完成了多少": 投资, not the
    verb 完成; "配套资金实际执行了多少": 执行, as reports label what was spent), else the last word."""
    from .terms import is_verb

    return next((w for w in reversed(words) if not is_verb(w) or flow_named(w)), words[-1] if words else "")


def _asked_verb(before_ask: str) -> str:
    """The one-character verb right before 多少/几 (了 or 过 between), as jieba's tagger reads it ("帮几家", "派了多少人");
    "" when there is none, or it only says there is some (有, 是)."""
    from index.lexical import pos_tags

    tagged = pos_tags(re.sub(r"[了过]$", "", before_ask.strip()))
    word, flag = tagged[-1] if tagged else ("", "")
    return word if len(word) == 1 and flag == "v" and word not in "有是为在要" else ""


def verb_fit(slot: Slot, quantity: Quantity) -> bool:
    """Whether the figure's label ends on a word that opens with the asked verb ("帮助13家企业" for "帮几家企业")."""
    return bool(slot.verb) and slot.verb in quantity.label[-4:]


def _counts_people(after: str) -> bool:
    """Whether the noun phrase right after 多少 counts people: its last word that names a thing names a kind of
    person ("多少老百姓干活", "多少在职人员"; not "多少学生食堂")."""
    from .terms import names_people

    return next((found for w in reversed(_noun_run(after)) if (found := names_people(w)) is not None), False)


def _noun_run(after: str) -> list[str]:
    """The words right after 多少/几 up to the first verb or non-Chinese word, as jieba's tagger reads them."""
    from index.lexical import pos_tags

    words = []
    for word, flag in pos_tags(after.strip()):
        if flag.startswith("v") or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
            break
        words.append(word)
    return words


def _head_noun(after: str) -> str:
    """The head of the noun phrase right after 多少/几: its last noun before a verb ("几个乡镇医保工作站": 工作站,
    "多少家企业获得补贴": 企业), or the one character it is ("多少个村": 村); "" when a verb comes first ("多少人参加培训")."""
    nouns = _noun_run(after)
    if nouns == [after.strip()] and len(after.strip()) == 1 and after.strip() not in QUESTION_WORDS:
        return nouns[0]
    return next((w for w in reversed(nouns) if len(w) > 1 and w not in QUESTION_WORDS), "")


def _content(text: str) -> str:
    """The words of a question fragment that name something: question words and fillers dropped."""
    from index.lexical import tokenize

    words = [t for t in tokenize(text) if t not in QUESTION_WORDS and not t.isdigit()]
    kept = "".join(w for w in words if not any(w != other and w in other for other in words))
    return _FILLER.sub("", kept)


def _joined_items(before_ask: str, noun: str) -> list[str]:
    """Two items asked together ("收入和支出各多少", "基本支出 项目支出各是多少") each get a slot; else the one noun."""
    if not re.search(r"(?:各|分别)(?:是|为|有)?$", before_ask.rstrip("是为有")) and not re.search(r"各|分别", before_ask[-4:]):
        return [noun]
    head = re.split(r"(?:各|分别)", before_ask)[0]
    parts = [_content(p) for joined in JOINERS.split(head) for p in _TYPED_SPACE.split(joined)]
    parts = [p for p in parts if p]
    return parts if len(parts) >= 2 else [noun]


def unit_fit(slot: Slot, quantity: Quantity) -> float:
    """How well a quantity's unit answers the slot: 1 for the asked unit, less for a near one, 0 for another kind."""
    if slot.unit is None:
        return 0.5
    if slot.unit == "money":
        return 1.0 if quantity.kind == "money" else 0.0
    if slot.unit == "percent":
        return 1.0 if quantity.kind == "percent" else 0.0
    if quantity.unit == slot.unit or any({quantity.unit, slot.unit} <= same for same in SAME_MEASURE):
        return 1.0
    if quantity.kind == "count" and (quantity.unit.startswith(slot.unit) or slot.unit.startswith(quantity.unit)):
        return 0.5  # 人次 for 人
    if quantity.kind == "count" and slot.unit == GENERAL_MEASURE:
        return 0.5  # "几个研究生" is answered by "11名"
    if quantity.kind == "count" and quantity.unit == GENERAL_MEASURE and slot.head and slot.head in quantity.counted:
        return 0.5  # "多少家医疗卫生单位" by "27个下属医疗卫生单位": 个 counts anything, so what it counts must be the asked noun
    return 0.0


def noun_fit(slot: Slot, quantity: Quantity, purpose: bool = False) -> float:
    """How well what the quantity counts matches what is asked: the share of the slot's words (or a synonym
    of each, and the flow of money it asks) found in its label, what it counts or its sentence's subject, three quarters; a quarter
    more when the asked head word stands right by it ("追讨欠薪2,046.5万元", "派出120名干部")."""
    if not slot.words:
        return 0.5
    around = quantity.label + quantity.counted + quantity.subject + (quantity.purpose if purpose else "")
    found = sum(any(form in around for form in slot.forms_of(word)) for word in slot.words)
    asked_flow = flow_named(slot.clause)
    if asked_flow:  # the flow of money asked ("花了") counts as one more word, found when the label names it ("全年执行")
        found, named = found + (quantity.flow == asked_flow), len(slot.words) + 1
    share = found / named if asked_flow else found / len(slot.words)
    return 0.75 * share + 0.25 * adjacent(slot, quantity) if slot.head else share


def adjacent(slot: Slot, quantity: Quantity) -> float:
    """1 when the asked head word (or another form of it) ends the quantity's label or starts what it counts, else 0."""
    if not slot.head:
        return 0.0
    forms = slot.forms_of(slot.head)
    return 1.0 if any(f in quantity.label[-(len(f) + 3) :] or quantity.counted.startswith(f) or f in quantity.subject for f in forms) else 0.0


def of_the_asked_kind(slot: Slot, quantity: Quantity) -> bool:
    """Whether a quantity is of the kind asked, whatever it counts: per unit or a total, a target or what was done,
    on the asked basis and of the asked flow of money."""
    return slot.per == quantity.per and slot.target == quantity.target and not _basis_or_flow_differs(slot, quantity)


def aspect_fit(slot: Slot, quantity: Quantity) -> float:
    """A change answers a question about change, a level one about a level; a target answers only a question
    about targets; a budget does not answer a question about what was spent, nor the reverse."""
    fit = 1.0 if changes_as_asked(slot, quantity) else (0.3 if slot.change else 0.6)
    fit *= 0.5 if quantity.target != slot.target else 1.0  # what was done does not answer "目标是多少", nor the reverse
    fit *= 0.3 if slot.per != quantity.per else 1.0  # a total does not answer "每人每月多少", nor a rate per head a total
    fit *= 0.5 if slot.earlier != quantity.earlier else 1.0  # "现在多少" is the level reached, "原来多少" the one before
    fit *= 0.3 if quantity.undone and not _UNDONE_ASKED.search(slot.clause) else 1.0  # "建成几座" is not the 2座 未能完工
    return fit * (0.3 if _basis_or_flow_differs(slot, quantity) else 1.0)


def changes_as_asked(slot: Slot, quantity: Quantity) -> bool:
    """Whether a figure is a change when a change is asked and a level when a level is, what was newly built
    answering what was built ("新建蓄水池12座" for "蓄水池建成几座")."""
    return slot.change == quantity.change or _asked_as_done(slot, quantity)


def _asked_as_done(slot: Slot, quantity: Quantity) -> bool:
    """Whether a figure of what was newly built, opened or set up ("新建蓄水池12座") answers a question that asks, with
    the same verb, what was done ("蓄水池建成几座"), not how much a stock grew."""
    added = [m.group(0)[-1] for m in ADDED.finditer(quantity.label)]
    return bool(added) and not CHANGE_BEFORE.search(quantity.label) and added[-1] in slot.clause


def _basis_or_flow_differs(slot: Slot, quantity: Quantity) -> bool:
    """A budget stated where what was spent is asked (or the reverse), or another flow of money than the asked one: the
    one the item it asks of names, as the question writes it ("收入合计和支出合计分别多少" asks 收入 first), else the one
    its clause names ("钱用了多少")."""
    changed = flow_named(slot.clause) in CHANGED_FLOWS  # "追加了多少预算" asks what was added, whatever its noun
    asked = slot.noun if slot.noun in slot.clause and flow_named(slot.noun) and not changed else slot.clause
    return bases_differ(basis_named(slot.clause), stated_basis(quantity.label)) or flows_differ(asked, quantity.flow)


@lru_cache(maxsize=4096)
def flow_named(text: str) -> str | None:
    """How money moved as the text names it last (spent, received, budgeted): the words right before a figure
    ("年初预算…，全年执行" names what was spent), the words that ask ("项目支出预算数" asks a budget)."""
    named = sorted((m.end(), len(m.group(0)), flow) for flow, pattern in FLOWS for m in pattern.finditer(text))
    if not named:
        return None
    end, length, flow = named[-1]  # the longer word on the same end: "没花" leaves unspent, "花" spends
    before = [n for n in named if n[2] in CHANGED_FLOWS and _ASK_BETWEEN.fullmatch(text, n[0], end - length)]
    return before[-1][2] if flow == "budgeted" and before else flow  # "追加(了多少)预算" is what was added, not a budget


def answered_from_sentences(slot: Slot) -> bool:
    """Whether no stored key figure answers the slot: it asks a change, an amount per unit, or a flow that no
    key figure is stored for ("剩了多少没花" asks what was left, "追加了多少" what was added)."""
    return slot.change or slot.per or flow_named(slot.clause) not in (None, *STORED_FLOWS)


def flows_differ(asked: str, stated: str | None) -> bool:
    """A figure of another flow than the one asked ("花了多少" and "基金收入3.62亿元"). What was budgeted for a
    unit is what it was given: it answers "拿到多少" ("项目全年预算1,150.00万元")."""
    wanted = flow_named(asked)
    return bool(wanted and stated) and wanted != stated and (wanted, stated) != ("received", "budgeted")


def stated_basis(label: str) -> str | None:
    """The basis the words right before a figure name ("年初预算数为…，决算数为" → 决算): the last one named."""
    named = sorted((m.start(), m.end(), basis) for basis, pattern in BASIS_PATTERNS for m in pattern.finditer(label))
    # Of two overlapping or one character apart, the first is the whole phrase ("全年预算数", "调整后预算": 全年预算).
    kept = [n for i, n in enumerate(named) if not any(o[0] < n[0] <= o[1] + 1 for o in named[:i])]
    return kept[-1][2] if kept else None


def states_asked_basis(slot: Slot, sentence: str) -> bool:
    """False when the slot asks for one basis (决算) and the sentence names only the other kind (年初预算数):
    a budget does not tell what was spent, and the question is not answered."""
    asked = basis_named(slot.clause)
    named = {basis for basis, pattern in BASIS_PATTERNS if pattern.search(sentence)}
    return not asked or not named or any(not bases_differ(asked, basis) for basis in named)


def is_planned(basis: str | None) -> bool:
    """Whether a basis is a planned amount (年初预算, 全年预算, 预计) rather than a spent one (决算, 实际) or none named."""
    return basis is not None and basis not in _SPENT


def bases_differ(asked: str | None, stated: str | None) -> bool:
    """A planned amount (年初预算, 全年预算, 预计) asked and a spent one (决算, 实际) stated, or the reverse."""
    return bool(asked and stated) and is_planned(asked) != is_planned(stated)


_SPENT = ("决算", "实际")


def slot_fit(slot: Slot, quantity: Quantity, purpose: bool = False) -> float:
    """How well a quantity answers a slot: unit, noun and aspect (change, target) together. With `purpose`, what the
    money was for counts toward its noun: it tells which of a sentence's figures is asked, not how likely the sentence answers."""
    return unit_fit(slot, quantity) * (0.5 + 0.5 * noun_fit(slot, quantity, purpose)) * aspect_fit(slot, quantity)


def answering(slot: Slot, found: list[Quantity]) -> list[Quantity]:
    """The quantities that may answer the slot: a bound ("低于90%的项目") only a question about targets."""
    return [q for q in found if slot.target or not q.bound]


def best_quantity(slot: Slot, found: list[Quantity], question: str = "") -> Quantity | None:
    """The quantity that answers the slot best; the earlier one on a tie.

    A figure the question itself states ("6条产业链…产值多少") is what the user already knows, not the answer.
    """
    asked = re.sub(r"\s+", "", question)
    found = [q for q in answering(slot, found) if not (asked and q.text in asked)]
    if not found:
        return None
    total = bool(TOTAL_ASKED.search(slot.clause))  # "一共多少": the total before 其中, not a part that shares more words
    return max(found, key=lambda q: (total and not q.part, slot_fit(slot, q, purpose=True), verb_fit(slot, q), -q.start))
