"""Questions that ask for a part of a report in other words: 为啥 asks for a cause, 咋办 for the measures.

The sentence that answers "祁门油茶改造为啥钱没花完" rarely shares the question's colloquial words; it is
the sentence about the same topic that states a cause ("资金于9月才下达，受施工季节限制…"). A sentence
states a part when its section heading names it (改进措施, 原因分析), or, for a cause, when it says why
with a causal connective (由于, 因, 受…影响, 导致).
"""

from __future__ import annotations

from index.models import SECTION_SEPARATOR

from ..vocabulary import CAUSE_MARKERS, PART_ASKS, PURPOSE_MARKERS
from .candidates import Sentence, following
from .signals import SIGNALS, coverage
from .terms import Terms

# Parts that a section's items give as well as the sentences that state them: where the money went is a list of
# projects or spending lines as much as a "主要用于…" sentence.
LISTED_PARTS = ("用途",)
# How a sentence states a part that no heading names: a cause by its connective, a use of money by 用于.
_PART_MARKERS = {"原因": CAUSE_MARKERS, "用途": PURPOSE_MARKERS}
# A sentence is about the question's topic when it, with its section path, holds at least this share of the
# weight of the question's terms that the reports write (the same majority a stored figure's setting needs).
MOST = 0.5


def part_names(part: str) -> tuple[str, ...]:
    """The heading words of an asked part ("措施" → 措施, 改进, 下一步)."""
    return next((names for names, _ in PART_ASKS if names[0] == part), (part,))


def heading_names_part(part: str, section: str) -> bool:
    """Whether a heading of the section path names the asked part (改进措施, 存在的问题及原因)."""
    return any(name in heading for heading in section.split(SECTION_SEPARATOR) for name in part_names(part))


def states_part(part: str, sentence: str, section: str) -> bool:
    """Whether a sentence gives the asked part: its section heading names it, or it states a cause (what money was
    for) when one is asked."""
    markers = _PART_MARKERS.get(part)
    return heading_names_part(part, section) or bool(markers and markers.search(sentence))


def on_topic(terms: Terms, sentence: Sentence) -> bool:
    """Whether a sentence with its section path holds most of the weight of the question's terms a report writes;
    any sentence is, when the question names nothing else ("下一步打算咋整")."""
    return not terms.written or coverage(terms, terms.written, sentence.chunk.section + sentence.quote, expanded=True) >= MOST


def part_answers(terms: Terms, ranked: list[Sentence]) -> list[Sentence]:
    """For a question that asks a part in other words, the best report's sentences about the question's topic
    that give it, the closest in meaning first (the question's words are colloquial: "钱为啥没花完" shares few
    with "执行率偏低的主要原因是…"); empty when the question asks no part."""
    if not terms.parts or not ranked:
        return []
    report = ranked[0].report.id
    own = [s for s in ranked if s.report.id == report]
    stating = [s for s in own if any(states_part(p, s.display, s.chunk.section) for p in terms.parts) and on_topic(terms, s)]
    if not stating and "原因" in terms.parts:
        # "三公经费咋降下来的": the cause is often the next sentence, which names nothing ("主要原因是深入落实过紧日子要求…")
        stating = [n for s in own if on_topic(terms, s) for n in following(s, own, 1) if states_part("原因", n.display, n.chunk.section)]
    return sorted(dict.fromkeys(stating), key=lambda s: -s.signals[SIGNALS.index("semantic")] if s.signals else 0.0)
