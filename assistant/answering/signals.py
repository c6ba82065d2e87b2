"""Scoring signals: each measures one way a sentence may answer a question, as a number in [0, 1]-ish.

The signals are combined by `selection.Scorer` with weights fitted on the development questions
(`python -m assistant fit`); none of them holds a tuned constant of its own.
"""

from __future__ import annotations

import numpy as np

from index.cleaning import match_key

from .quantities import Quantity, Slot, answering, aspect_fit, best_quantity, noun_fit, unit_fit
from .terms import Terms

SIGNALS = (
    "semantic",  # cosine of the question's and the sentence's embeddings
    "semantic_gap",  # how far below the best candidate's cosine (0 for the best)
    "lexical",  # share of the question's term weight found in the sentence, as written
    "synonyms",  # the same, counting synonyms from the reports' vocabulary
    "focus",  # the same over the clause that asks the figure (the whole question when none)
    "section",  # share found in the sentence's section path, the parts asked in other words included
    "context",  # share found in the sentences around it
    "unit_fit",  # the best quantity's unit and aspect (change, target, basis) against the asked ones (number questions)
    "noun_fit",  # the best quantity's counted noun against the asked noun (number questions)
    "no_quantity",  # a number question, and the sentence states no quantity
    "retrieval",  # 1 / (1 + the fused retrieval rank of its chunk)
)


def coverage(terms: Terms, weights: dict[str, float], text: str, expanded: bool = False) -> float:
    """Share of the given term weights whose term (or a synonym, when expanded) occurs in the text."""
    total = sum(weights.values())
    if not total:
        return 0.0
    key = match_key(text).lower()
    return sum(w for t, w in weights.items() if any(form in key for form in terms.forms(t, expanded))) / total


def focus_weights(terms: Terms, slots: tuple[Slot, ...]) -> dict[str, float]:
    """The terms of the clauses that ask a figure, and of a clause before one that says what it is about; all terms
    when none does."""
    clauses = "".join(slot.context + slot.clause for slot in slots)
    focus = {t: w for t, w in terms.weights.items() if t in clauses}
    return focus or terms.weights


def cosine(question_vector: np.ndarray | None, sentence_vector: np.ndarray | None) -> float:
    """Cosine similarity of two embeddings; 0 when either is missing."""
    if question_vector is None or sentence_vector is None:
        return 0.0
    norm = float(np.linalg.norm(question_vector) * np.linalg.norm(sentence_vector))
    return float(question_vector @ sentence_vector) / norm if norm else 0.0


def quantity_signals(slots: tuple[Slot, ...], found: list[Quantity]) -> tuple[float, float, float]:
    """(unit fit, noun fit, no quantity) of the quantity that best answers the first slot."""
    if not slots:
        return 0.0, 0.0, 0.0
    found = answering(slots[0], found)
    if not found:
        return 0.0, 0.0, 1.0
    best = best_quantity(slots[0], found)
    return unit_fit(slots[0], best) * aspect_fit(slots[0], best), noun_fit(slots[0], best), 0.0


def signal_vector(
    terms: Terms,
    focus: dict[str, float],
    slots: tuple[Slot, ...],
    sentence: str,
    section: str,
    context: str,
    semantic: float,
    best_semantic: float,
    found: list[Quantity],
    rank: int,
) -> np.ndarray:
    """All signals for one sentence, in `SIGNALS` order."""
    unit, noun, none = quantity_signals(slots, found)
    return np.array(
        [
            semantic,
            best_semantic - semantic,
            coverage(terms, terms.weights, sentence),
            coverage(terms, terms.weights, sentence, expanded=True),
            coverage(terms, focus, sentence, expanded=True),
            coverage(terms, terms.with_parts, section, expanded=True),
            coverage(terms, terms.weights, context, expanded=True),
            unit,
            noun,
            none,
            1.0 / (1.0 + rank),
        ]
    )
