"""Extractive answering in small parts: candidates, signals, the figure slot, stored key figures, selection, composition."""

from .answerer import ExtractiveAnswerer, abstention, cite, stated_in_prose, to_passage
from .candidates import Sentence
from .key_figures import figure_as_written, on_the_asked_flow
from .selection import Scorer

__all__ = ["ExtractiveAnswerer", "Scorer", "Sentence", "abstention", "cite", "figure_as_written", "on_the_asked_flow", "stated_in_prose", "to_passage"]
