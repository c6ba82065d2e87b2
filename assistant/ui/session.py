"""What one browser session keeps: its chat turns, its conversation, its latest comparison and its note.

Held in a gr.State, so each session gets its own deep copy; nothing here is shared between users.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..brief import Brief
from ..models import Answer
from ..service import Conversation


@dataclass
class Turn:
    """One question and what came back: an answer, or an error message."""

    question: str
    bureau: str | None = None
    year: int | None = None
    answer: Answer | None = None
    error: str | None = None
    in_conversation: bool = False  # whether the assistant recorded it as conversation history


@dataclass
class ChatSession:
    turns: list[Turn] = field(default_factory=list)
    conversation: Conversation = field(default_factory=Conversation)
    comparison: Answer | None = None
    brief: Brief = field(default_factory=Brief)

    def last_answer(self) -> Answer | None:
        for turn in reversed(self.turns):
            if turn.answer is not None:
                return turn.answer
        return None

    def pop_turn(self) -> Turn | None:
        """Take back the last turn, and its place in the conversation history."""
        if not self.turns:
            return None
        turn = self.turns.pop()
        if turn.in_conversation and self.conversation.queries:
            self.conversation.queries.pop()
        return turn

    def clear_chat(self) -> None:
        self.turns.clear()
        self.conversation = Conversation()
