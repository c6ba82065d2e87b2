"""The index's error tree: every message says what went wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class ReportIndexError(Exception):
    """Base of every error the index raises on purpose."""


class UnreadableFileError(ReportIndexError):
    """A file could not be turned into report text."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class EmbedderMismatchError(ReportIndexError):
    """The index on disk was built with another embedder than the one configured."""


class StoreError(ReportIndexError):
    """The vector store or the registry could not be reached or written."""
