"""Extractive answering in small parts: candidates, signals, the figure slot, selection, composition."""

from .answerer import ExtractiveAnswerer, abstention, cite, figure_as_written, stated_in_prose, to_passage
from .candidates import Sentence
from .selection import Scorer

__all__ = ["ExtractiveAnswerer", "Scorer", "Sentence", "abstention", "cite", "figure_as_written", "stated_in_prose", "to_passage"]
