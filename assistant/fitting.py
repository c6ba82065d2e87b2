"""Fits the answerer's signal weights and abstention threshold on development questions.

For every answerable question, each candidate sentence is labelled by whether it holds the
question's evidence; a logistic regression over the signals (`signals.SIGNALS`) learns the weights.
The threshold is then chosen over the best candidate of every question: answerable questions
should clear it, unanswerable ones should not, and a wrong figure costs twice a wrong abstention.
Run (questions over the corpus, then `--with QUESTIONS REPORTS` for sets about other report folders):
python -m assistant fit tests/data/qa_shared.jsonl tests/data/qa_heldout.jsonl --with tests/data/dev_shapes/qa.jsonl tests/data/dev_shapes/reports --with tests/data/dev_fresh/qa.jsonl tests/data/dev_fresh/reports --with tests/data/dev_fresh2/qa.jsonl tests/data/dev_fresh2/reports --write
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .answering.signals import SIGNALS
from .evaluate import Question, normalise

WRONG_FIGURE_COST = 2.0
_SETTINGS = Path(__file__).with_name("settings.py")


@dataclass(frozen=True)
class Example:
    """One question's candidates: their signals and whether each holds the evidence."""

    question: Question
    signals: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True)
class Fit:
    weights: tuple[float, ...]
    bias: float
    abstain_below: float
    top1_cross_validated: float  # share of questions whose best candidate holds the evidence, held out by fold
    top1_training: float
    threshold_accuracy: float


def collect(assistant, questions: Iterable[Question], progress: Callable[[Iterable], Iterable] = iter) -> list[Example]:
    """Signals and labels of every candidate sentence of every single-report, non-comparison question."""
    from .service import RERANK_POOL

    examples = []
    for question in progress(list(questions)):
        if question.kind == "compare":
            continue
        query = assistant.understand(question.question)
        if query.missing or query.compare:
            continue
        vector = assistant.search.embed(query.text)
        hits = assistant.search.search(assistant.answerer.lexical_query(query), RERANK_POOL, query.report_ids, None, vector)
        ranked = assistant.answerer.candidates(query, hits, vector)
        if not ranked:
            continue
        labels = np.array([_holds_evidence(question, s.report.bureau + s.report.title, s.quote) for s in ranked], dtype=float)
        examples.append(Example(question, np.array([s.signals for s in ranked]), labels))
    return examples


def _holds_evidence(question: Question, owner: str, quote: str) -> bool:
    text = normalise(quote)
    return any(bureau in owner and normalise(snippet) in text for bureau, snippet in question.evidence)


def fit(examples: list[Example], folds: int = 5) -> Fit:
    """Weights by logistic regression, checked by question-grouped cross-validation, then the threshold."""
    trainable = [e for e in examples if e.question.kind != "unanswerable" and e.labels.any()]
    model = _logistic(trainable)
    held_out = []
    for k in range(folds):
        train = [e for i, e in enumerate(trainable) if i % folds != k]
        test = [e for i, e in enumerate(trainable) if i % folds == k]
        fold_model = _logistic(train)
        held_out += [e.labels[int(np.argmax(fold_model.decision_function(e.signals)))] == 1 for e in test]
    training = [e.labels[int(np.argmax(model.decision_function(e.signals)))] == 1 for e in trainable]
    threshold, accuracy = _threshold(model, examples)
    return Fit(
        tuple(round(float(w), 4) for w in model.coef_[0]),
        round(float(model.intercept_[0]), 4),
        round(threshold, 4),
        float(np.mean(held_out)),
        float(np.mean(training)),
        accuracy,
    )


def _logistic(examples: list[Example]):
    from sklearn.linear_model import LogisticRegression

    signals = np.vstack([e.signals for e in examples])
    labels = np.concatenate([e.labels for e in examples])
    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(signals, labels)


def _threshold(model, examples: list[Example]) -> tuple[float, float]:
    """The cut on the best candidate's probability that costs least: midway in the best gap."""
    best = [(float(model.predict_proba(e.signals)[:, 1].max()), e.question.kind != "unanswerable") for e in examples]
    cuts = sorted({p for p, _ in best})
    candidates = [0.0] + [(a + b) / 2 for a, b in zip(cuts, cuts[1:])] + [1.0]

    def cost(t: float) -> float:
        return sum(1.0 for p, ok in best if ok and p < t) + sum(WRONG_FIGURE_COST for p, ok in best if not ok and p >= t)

    chosen = min(candidates, key=lambda t: (cost(t), -t))
    correct = sum((p >= chosen) == ok for p, ok in best)
    return chosen, correct / len(best) if best else 0.0


def report(result: Fit) -> str:
    """The fitted values, as the settings file keeps them, and how well they fit."""
    named = ", ".join(f"{name}={w:+.3f}" for name, w in zip(SIGNALS, result.weights))
    return (
        f"weights: {named}\nbias: {result.bias:+.3f}\nabstain_below: {result.abstain_below:.4f}\n"
        f"best candidate holds the evidence: {result.top1_cross_validated:.3f} cross-validated, {result.top1_training:.3f} on training\n"
        f"abstention decision right on {result.threshold_accuracy:.3f} of the questions"
    )


def write_settings(result: Fit, path: Path = _SETTINGS) -> None:
    """Rewrite the FITTED_* constants in settings.py."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^FITTED_WEIGHTS = .*$", f"FITTED_WEIGHTS = {result.weights!r}", text, flags=re.M)
    text = re.sub(r"^FITTED_BIAS = .*$", f"FITTED_BIAS = {result.bias!r}", text, flags=re.M)
    text = re.sub(r"^FITTED_ABSTAIN_BELOW = .*$", f"FITTED_ABSTAIN_BELOW = {result.abstain_below!r}", text, flags=re.M)
    path.write_text(text, encoding="utf-8")
