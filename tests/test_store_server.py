"""The index with its vectors on a real Chroma server (`chroma run` on 127.0.0.1)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from conftest import answers_http, free_port, serving
from test_ingest import CHANGNING_SMALL, WANGCHENG_SMALL

from index.errors import StoreError
from index.store import COLLECTION, ReportStore

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT_S = 60


def _chroma_cli() -> str:
    beside_python = Path(sys.executable).parent / "chroma"
    found = str(beside_python) if beside_python.exists() else shutil.which("chroma")
    if not found:
        pytest.fail("the `chroma` CLI is not installed (it comes with the chromadb package)")
    return found


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A Chroma server on a free port, persisted in a temporary directory; stopped afterwards."""
    directory = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    argv = [_chroma_cli(), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(directory / "data")]
    heartbeat = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    with serving(argv, directory / "server.log", lambda: answers_http(heartbeat), STARTUP_TIMEOUT_S):
        yield port


@pytest.fixture(scope="module")
def server_corpus(tmp_path_factory) -> Path:
    """Two small reports (a few chunks each): the server's mechanics, not the embedder's speed."""
    corpus = tmp_path_factory.mktemp("server-corpus")
    (corpus / "wangcheng.txt").write_text(WANGCHENG_SMALL, encoding="utf-8")
    (corpus / "changning.txt").write_text(CHANGNING_SMALL, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def server_assistant(chroma_server, settings_factory, server_corpus):
    from assistant.service import Assistant
    from assistant.settings import StoreSettings

    settings = settings_factory(store=StoreSettings(mode="server", host="127.0.0.1", port=chroma_server))
    assistant = Assistant(settings)
    result = assistant.ingest([server_corpus])
    assert not result.failed and len(result.added) == 2
    return assistant


def test_vectors_live_on_the_server(server_assistant, chroma_server):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server, settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_collection(COLLECTION)
    registry = {row[0] for row in server_assistant.store.db.execute("SELECT id FROM chunks")}
    assert collection.count() == len(registry) > 0
    assert set(collection.get(include=[])["ids"]) == registry == set(server_assistant.store.lexical._chunk_ids)
    assert collection.metadata["embedder"] == server_assistant.embedder.signature
    # Nothing went to an embedded Chroma beside the registry.
    assert not (Path(server_assistant.settings.index_dir) / "chroma").exists()


def test_ask_through_the_server_gives_a_cited_answer(server_assistant):
    answer = server_assistant.ask("望城区工信局2021年一般公共预算拨款收入是多少？")
    assert not answer.abstained
    assert "2284.43" in answer.answer
    citation = answer.citations[0]
    assert (citation.bureau, citation.year) == ("长沙市望城区工业和信息化局", 2021)
    assert "2284.43 万元" in citation.quote
    assert WANGCHENG_SMALL[citation.start : citation.end] == citation.quote


def test_search_through_the_server_is_filtered_by_report(server_assistant):
    changning = next(m.id for m in server_assistant.reports() if m.bureau == "常宁市科技和工业信息化局")
    hits = server_assistant.search.search("总支出 基本支出", 5, {changning})
    assert hits and all(h.chunk.report_id == changning for h in hits)
    assert "我局总支出5252.64万元" in hits[0].chunk.text
    dense = server_assistant.store.dense_search(server_assistant.embedder.get_query_embedding("总支出"), 5, {changning})
    assert dense and set(server_assistant.store.chunks(i for i, _ in dense)) <= {c.id for c in server_assistant.store.report_chunks(changning)}


def test_reingest_through_the_server_changes_nothing(server_assistant, server_corpus):
    result = server_assistant.ingest([server_corpus])
    assert sorted(result.unchanged) == sorted(str(p.resolve()) for p in server_corpus.iterdir())
    assert not result.changed and not result.failed


def test_an_unreachable_server_is_a_clear_error(tmp_path):
    port = free_port()  # nothing listens there
    with pytest.raises(StoreError, match=f"127.0.0.1:{port}"):
        ReportStore(tmp_path, "e5:multilingual-e5-small-q4", 384, chroma_host="127.0.0.1", chroma_port=port)
