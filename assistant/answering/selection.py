"""Turning signals into a decision: a fitted logistic score per sentence, and the abstention threshold."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .signals import SIGNALS


@dataclass(frozen=True)
class Scorer:
    """P(sentence answers the question) = σ(w·signals + b); abstain when the best is below `abstain_below`."""

    weights: tuple[float, ...]
    bias: float
    abstain_below: float

    def __post_init__(self) -> None:
        if len(self.weights) != len(SIGNALS):
            raise ValueError(f"the scorer needs {len(SIGNALS)} weights ({', '.join(SIGNALS)}), got {len(self.weights)}")

    def probability(self, signals: np.ndarray) -> float:
        """The fitted probability that a sentence with these signals answers the question."""
        z = float(np.dot(self.weights, signals)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def answers(self, probability: float) -> bool:
        return probability >= self.abstain_below
