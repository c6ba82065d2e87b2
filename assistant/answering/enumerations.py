"""A list asked of things a report names in one sentence ("哪几所学校": "…市第一中学、市第二中学、…5所直属学校").

Reports often list what a question asks for in a single enumerating sentence rather than in a section
of their own: the schools a bureau runs, the units it sets up, what a fund pays for. Such a sentence
answers when it enumerates three items or more, joined by 、, and names the asked noun right by the
enumeration ("5个股室", "项目4个，分别是", "公用经费…主要包括") or in its own section's heading
("（三）产业发展" above "全年发展烤烟…、猕猴桃…、油茶…").
"""

from __future__ import annotations

import re

from index.lexical import tokenize
from index.models import SECTION_SEPARATOR

from ..vocabulary import QUESTION_WORDS
from .candidates import Sentence

# The ask of a list question, and what follows it ("哪几所学校", "哪些股室", "啥产业").
_LIST_ASK = re.compile(r"哪些|哪几|什么|啥")
# An ask with nothing named after it ("公用经费都花哪儿了", "包括哪些"): the noun is the one before it.
# "是什么" asks what a thing is, not what it lists ("主要职责是什么").
_ASK_WITHOUT_NOUN = re.compile(r"(?:都|主要|具体)?(?:花|用|包括|包含|有)(?:在|到|了)?(?:哪儿|哪里|哪些|什么|啥)[了呢吗？?]*$")
# Three items or more, each short, joined by 、 (the last may follow 和/及).
_ENUMERATION = re.compile(r"[^、，,；;。：:\s]{1,24}(?:、[^、，,；;。：:\s]{1,24}){2,}")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
# What a list says its items are, right after it ("…、电话回访等方式", "…等5所直属学校").
_NAMED_AFTER = re.compile(r"等[\u4e00-\u9fff]{1,8}")
# How far from the enumeration the asked noun may stand: after it ("5所直属学校"), before it ("项目4个，分别是").
_AFTER_REACH = 12
_BEFORE_REACH = 20
# An item that is a sum of money ("省级资金470.00万元"): items all such are the parts of an amount.
_AMOUNT_PART = re.compile(r"\d\s*(?:万元|亿元|元)(?:[和及与]|$)")
# How many of the best candidates are looked at.
_LOOKED_AT = 10


def asked_noun(question: str) -> str:
    """The thing a list question asks for: the first word after its ask ("哪几所学校" → 学校), else the last word before an
    ask that names nothing ("公用经费都花哪儿了" → 公用经费); "" when there is none."""
    ask = _LIST_ASK.search(question)
    if ask:
        after = _words(question[ask.end() :])
        if after:
            return after[0]
    bare = _ASK_WITHOUT_NOUN.search(question)
    if bare:
        before = _words(question[: bare.start()])
        if before:
            return before[-1]
    return ""


def enumerating(ranked: list[Sentence], noun: str) -> Sentence | None:
    """The best candidate of the leading report that enumerates the asked noun's items; None when none does."""
    if not noun or not ranked:
        return None
    report = ranked[0].report.id
    return next((s for s in ranked[:_LOOKED_AT] if s.report.id == report and enumerates(s.display, s.chunk.section, noun)), None)


def enumerates(sentence: str, section: str, noun: str) -> bool:
    """Whether the sentence lists three items or more with the noun right by the list or in its own section's heading."""
    heading = section.split(SECTION_SEPARATOR)[-1] if section else ""
    sentence = _THOUSANDS.sub("", sentence)  # "烤烟3,200亩、猕猴桃1,150亩": a figure's comma parts no items
    for found in _ENUMERATION.finditer(sentence):
        if all(_AMOUNT_PART.search(item) for item in found.group(0).split("、")):
            continue  # "中央资金1,645.00万元、省级资金470.00万元、…": the parts of an amount, not things by name
        named_after = _NAMED_AFTER.search(found.group(0).rsplit("、", 1)[-1] + sentence[found.end() : found.end() + 9])
        if named_after and noun not in named_after.group(0):
            continue  # "采取查阅台账、系统数据比对、电话回访等方式": a list of 方式, whatever stands before it
        near = sentence[max(found.start() - _BEFORE_REACH, 0) : found.start()] + found.group(0)[-4:] + sentence[found.end() : found.end() + _AFTER_REACH]
        if noun in near or noun in heading:
            return True
    return False


def _words(text: str) -> list[str]:
    """The content words of a question fragment, longest reading of each (jieba's search mode lists pieces too)."""
    tokens = [t for t in tokenize(re.sub(r"[^\u4e00-\u9fff]", " ", text)) if len(t) > 1 and t not in QUESTION_WORDS]
    return [t for t in tokens if not any(t != other and t in other for other in tokens)]
