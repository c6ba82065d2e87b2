"""Shared fixtures: the shipped corpus ingested once per test session into a real on-disk index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
WANGCHENG = CORPUS / "wangcheng-industry-it-bureau-2021-self-evaluation.txt"
CHANGNING = CORPUS / "changning-sci-tech-industry-it-bureau-2022-performance-statement.txt"


@pytest.fixture(scope="session")
def settings_factory(tmp_path_factory):
    """Settings for a fresh index directory (tests never touch the project's own .index)."""
    from assistant.settings import Settings

    def make(**overrides) -> Settings:
        index_dir = overrides.pop("index_dir", None) or tmp_path_factory.mktemp("index")
        return Settings(corpus_dir=CORPUS, index_dir=index_dir, **overrides)

    return make


@pytest.fixture(scope="session")
def shipped_assistant(settings_factory):
    """An Assistant over the two shipped reports, ingested once (real Chroma, real bm25s, e5)."""
    from assistant.service import Assistant

    assistant = Assistant(settings_factory())
    result = assistant.ingest()
    assert not result.failed and len(result.added) == 2
    return assistant


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the shipped corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
