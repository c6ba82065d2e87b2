"""The assistant's error tree. Messages say what to do; the CLI and UI only translate them."""

from __future__ import annotations

from index.errors import ReportIndexError


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class ConfigError(AssistantError):
    """Settings that cannot work."""


class BadQuestionError(AssistantError):
    """A question that cannot be asked: empty, punctuation only, or too long."""


class UnknownBureauError(AssistantError):
    """A bureau name that matches no indexed report, or more than one."""


class BadCorrectionError(AssistantError):
    """A metadata correction that cannot be applied: no such report, or a value out of range."""


class UploadError(AssistantError):
    """An upload that cannot enter the index; the message names the file and says why."""


class ConfirmationNeeded(AssistantError):
    """An action on a shipped report that the user must confirm first."""


__all__ = [
    "AssistantError",
    "BadCorrectionError",
    "BadQuestionError",
    "ConfigError",
    "ConfirmationNeeded",
    "ReportIndexError",
    "UnknownBureauError",
    "UploadError",
]
