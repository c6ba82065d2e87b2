"""Shared fixtures: the shipped corpus ingested once per test session into a real on-disk index."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
        corpus_dir = overrides.pop("corpus_dir", CORPUS)
        return Settings(corpus_dir=corpus_dir, index_dir=index_dir, **overrides)

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


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(argv: list[str], log_path: Path, is_up: Callable[[], bool], timeout_s: float, **popen) -> Iterator[subprocess.Popen]:
    """Run a server process until `is_up()` answers; stop it afterwards. Failures show its log."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **popen)
    try:
        deadline = time.monotonic() + timeout_s
        while not is_up():
            if process.poll() is not None:
                raise RuntimeError(f"{argv[:2]} exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-4000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{argv[:2]} did not answer within {timeout_s} s:\n{log_path.read_text(errors='replace')[-4000:]}")
            time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answers_http(url: str) -> bool:
    """Whether a GET of `url` succeeds."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
