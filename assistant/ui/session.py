"""What one browser session keeps: its chat turns, its conversation, its latest comparison and its note.

Held in a gr.State, so each session gets its own deep copy; nothing here is shared between users.
What must survive a reload (the conversations and the note) is also written, as plain JSON, to
the browser's own storage (gr.BrowserState): `to_store` and `from_store` translate.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..brief import Brief
from ..models import Answer
from ..service import Conversation

STORE_VERSION = 1
MAX_CONVERSATIONS = 30  # kept in the browser, newest first; older ones drop off
TITLE_CHARS = 24


@dataclass
class Turn:
    """One question and what came back: an answer, or an error message."""

    question: str
    bureau: str | None = None
    year: int | None = None
    answer: Answer | None = None
    error: str | None = None
    in_conversation: bool = False  # whether the assistant recorded it as conversation history


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass
class ChatSession:
    turns: list[Turn] = field(default_factory=list)
    conversation: Conversation = field(default_factory=Conversation)
    comparison: Answer | None = None
    brief: Brief = field(default_factory=Brief)
    conversation_id: str = field(default_factory=_new_id)
    started: float = field(default_factory=time.time)
    # The browser's other conversations, as stored (plain JSON), newest first.
    archive: list[dict] = field(default_factory=list)

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

    # -- conversations ---------------------------------------------------------------------

    def current_record(self) -> dict | None:
        """The conversation on screen as stored; None while it has no turns."""
        if not self.turns:
            return None
        return {
            "id": self.conversation_id,
            "title": conversation_title(self.turns[0].question),
            "started": self.started,
            "turns": [turn_to_json(t) for t in self.turns],
        }

    def conversations(self) -> list[dict]:
        """Every conversation of this browser, the one on screen first."""
        current = self.current_record()
        return ([current] if current else []) + [c for c in self.archive if c["id"] != self.conversation_id]

    def start_new(self) -> None:
        """Put the conversation on screen aside and begin an empty one."""
        self.archive = self.conversations()[:MAX_CONVERSATIONS]
        self.turns = []
        self.conversation = Conversation()
        self.conversation_id = _new_id()
        self.started = time.time()

    def open(self, conversation_id: str) -> bool:
        """Bring back an earlier conversation; False when this browser has none by that id."""
        stored = {c["id"]: c for c in self.conversations()}
        record = stored.get(conversation_id)
        if record is None:
            return False
        self.archive = [c for c in stored.values() if c["id"] != conversation_id]
        self.turns = turns_from_json(record.get("turns", []))
        self.conversation = Conversation()
        self.conversation_id = conversation_id
        self.started = record.get("started") or time.time()
        return True

    def delete(self, conversation_id: str) -> None:
        """Forget a conversation; deleting the one on screen opens the next, or an empty one."""
        self.archive = [c for c in self.archive if c["id"] != conversation_id]
        if conversation_id == self.conversation_id:
            self.turns = []
            self.conversation = Conversation()
            self.conversation_id = _new_id()
            self.started = time.time()
            if self.archive:
                self.open(self.archive[0]["id"])

    # -- the browser's storage -------------------------------------------------------------

    def to_store(self) -> dict:
        """What this browser keeps across reloads: its conversations and its note, as plain JSON."""
        return {
            "version": STORE_VERSION,
            "current": self.conversation_id,
            "conversations": self.conversations()[:MAX_CONVERSATIONS],
            "brief": {
                "title": self.brief.title,
                "entries": [{"answer": a.to_dict(), "heading": h} for a, h in zip(self.brief.answers, self.brief.headings)],
            },
        }

    @classmethod
    def from_store(cls, stored: Any) -> ChatSession:
        """A session restored from the browser's storage; anything unreadable is left out, never fatal."""
        session = cls()
        if not isinstance(stored, dict) or stored.get("version") != STORE_VERSION:
            return session
        conversations = [c for c in stored.get("conversations") or [] if _is_record(c)]
        session.archive = conversations[:MAX_CONVERSATIONS]
        current = stored.get("current")
        if not (isinstance(current, str) and session.open(current)) and session.archive:
            session.open(session.archive[0]["id"])
        brief = stored.get("brief") or {}
        if isinstance(brief, dict):
            answers, headings = [], []
            for entry in brief.get("entries") or []:
                answer = Answer.from_dict(entry.get("answer")) if isinstance(entry, dict) else None
                if answer is not None:
                    answers.append(answer)
                    headings.append(str(entry.get("heading") or "") or None)
            session.brief = Brief(answers)
            for i, heading in enumerate(headings):
                if heading:
                    session.brief.headings[i] = heading
            session.brief.set_title(str(brief.get("title") or ""))
        return session


def conversation_title(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS] + "…"


def conversation_label(record: dict) -> str:
    """How a conversation is listed: its first question, when it began and how many questions it has."""
    when = time.strftime("%m-%d %H:%M", time.localtime(record.get("started") or 0))
    return f"{record.get('title') or '（空）'} · {when} · {len(record.get('turns') or [])}问"


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), str) and isinstance(value.get("turns"), list)


def turn_to_json(turn: Turn) -> dict:
    return {
        "question": turn.question,
        "bureau": turn.bureau,
        "year": turn.year,
        "answer": turn.answer.to_dict() if turn.answer else None,
        "error": turn.error,
        "in_conversation": turn.in_conversation,
    }


def turns_from_json(items: list) -> list[Turn]:
    turns = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            continue
        answer = Answer.from_dict(item.get("answer"))
        error = item.get("error")
        year = item.get("year")
        turns.append(
            Turn(
                item["question"],
                item.get("bureau") if isinstance(item.get("bureau"), str) else None,
                year if isinstance(year, int) else None,
                answer,
                error if isinstance(error, str) else (None if answer else "（这条回答没有保存下来。）"),
                bool(item.get("in_conversation")),
            )
        )
    return turns
