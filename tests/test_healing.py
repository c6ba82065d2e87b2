"""An index that heals itself: kill -9 at any moment of an ingest, renames, copies, one file's failure.

The crash tests run a real `python -m assistant ingest` in a child process that SIGKILLs itself at a
named moment, over a real on-disk index (Chroma, bm25s, SQLite) in tmp_path, then restart it and run
`check`. The other tests use small reports in fresh indexes, like test_ingest.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_ingest import CHANGNING_SMALL, WANGCHENG_SMALL, _chroma_ids, _registry_chunk_ids, assert_consistent

from index.store import ReportStore

NEWCOMER_SMALL = CHANGNING_SMALL.replace("常宁市", "耒阳市").replace("2022年度", "2021年度")
EDITED_WANGCHENG = WANGCHENG_SMALL.replace("2284.43", "2300.00")

# A child that ingests and kills itself (SIGKILL, no clean-up of any kind) at the named moment.
CRASHING_INGEST = r"""
import os, signal, sys

moment, corpus = sys.argv[1], sys.argv[2]


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def then_die(original):
    def wrapped(*args, **kwargs):
        original(*args, **kwargs)
        die()
    return wrapped


if moment == "embedding":  # the first report's chunks are being embedded
    from index.embedding import E5Embedder
    E5Embedder._get_text_embeddings = die
elif moment == "vectors-written":  # Chroma holds the first report's vectors, the registry does not
    from llama_index.vector_stores.chroma import ChromaVectorStore
    ChromaVectorStore.add = then_die(ChromaVectorStore.add)
elif moment == "lexical-save":  # the old BM25 folder moved aside, the new one not yet in place
    real_replace = os.replace
    def replace(src, dst):
        if str(src).endswith(".new"):
            die()
        return real_replace(src, dst)
    os.replace = replace
elif moment == "before-lexical":  # the registry holds the new reports, BM25 not rebuilt
    from index.store import ReportStore
    ReportStore.rebuild_lexical = die
elif moment == "near-end":  # BM25 saved, its stale mark not yet cleared
    from index.lexical import LexicalIndex
    LexicalIndex.build = then_die(LexicalIndex.build)
elif moment == "old-vectors":  # the replaced report is out of the registry, its vectors not yet gone
    from llama_index.vector_stores.chroma import ChromaVectorStore
    ChromaVectorStore.delete = die
else:
    raise SystemExit(f"unknown moment {moment}")

from assistant.cli import main

sys.exit(main(["ingest", corpus]))
"""

# A child that opens the index (which mends it), reports the check, ingests again and reports again.
RESTART = r"""
import json, sys
from pathlib import Path

from assistant.service import Assistant
from assistant.settings import load_settings

assistant = Assistant(load_settings())
opened = assistant.check().to_json()
result = assistant.ingest([Path(sys.argv[1])])
store = assistant.store
print(json.dumps({
    "opened": opened,
    "ingest": {"added": len(result.added), "replaced": len(result.replaced), "unchanged": len(result.unchanged), "failed": result.failed},
    "after": assistant.check().to_json(),
    "bureaus": sorted(m.bureau for m in assistant.reports()),
    "ids": {
        "registry": sorted(r[0] for r in store.db.execute("SELECT id FROM chunks")),
        "vectors": sorted(store.vectors._collection.get(include=[])["ids"]),
        "lexical": sorted(store.lexical._chunk_ids),
    },
    "texts": [c.text for m in assistant.reports() for c in store.report_chunks(m.id)],
}, ensure_ascii=False))
"""

MOMENTS = ("embedding", "vectors-written", "lexical-save", "before-lexical", "near-end", "old-vectors")


def _env(index_dir: Path, corpus: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {"ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_CORPUS_DIR": str(corpus)}
    return env


def _python(args: list[str], index_dir: Path, corpus: Path, cwd: Path) -> subprocess.CompletedProcess:
    """Python in a child process over this index. No folder in `cwd` may be called `index` (it would shadow the package)."""
    return subprocess.run([sys.executable, *args], cwd=cwd, env=_env(index_dir, corpus), capture_output=True, text=True, timeout=300)


def _check_cli(index_dir: Path, corpus: Path, cwd: Path, *flags: str) -> tuple[int, dict]:
    done = _python(["-m", "assistant", "check", "--json", *flags], index_dir, corpus, cwd)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def _write_small_corpus(corpus: Path) -> Path:
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "wangcheng.txt").write_text(WANGCHENG_SMALL, encoding="utf-8")
    (corpus / "changning.txt").write_text(CHANGNING_SMALL, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> tuple[Path, Path]:
    """The two small reports ingested by the CLI once, kept pristine, and the folder they were built in."""
    root = tmp_path_factory.mktemp("healing")
    work, pristine = root / "work", root / "pristine"
    corpus, index_dir = _write_small_corpus(work / "corpus"), work / "index-dir"
    done = _python(["-m", "assistant", "ingest", str(corpus)], index_dir, corpus, root)
    assert done.returncode == 0, done.stderr
    shutil.copytree(work, pristine)
    return pristine, work


@pytest.fixture
def built_copy(built_index) -> tuple[Path, Path]:
    """A fresh copy of the built corpus and index, at the paths the index names as its sources."""
    pristine, work = built_index
    shutil.rmtree(work)
    shutil.copytree(pristine, work)
    return work / "corpus", work / "index-dir"


# --- kill -9 at five moments (and one more), then restart and check ----------------------


@pytest.mark.slow
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_kill_at_any_moment_of_an_ingest_heals_on_restart(built_copy, tmp_path, moment):
    corpus, index_dir = built_copy
    (corpus / "wangcheng.txt").write_text(EDITED_WANGCHENG, encoding="utf-8")  # replaced: a new id, the old one to drop
    (corpus / "newcomer.txt").write_text(NEWCOMER_SMALL, encoding="utf-8")  # added

    crashed = _python(["-c", CRASHING_INGEST, moment, str(corpus)], index_dir, corpus, tmp_path)
    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr
    if moment == "vectors-written":  # the file edited after the crash: its first vectors must not linger
        (corpus / "newcomer.txt").write_text(NEWCOMER_SMALL.replace("5252.64", "5300.00"), encoding="utf-8")

    restarted = _python(["-c", RESTART, str(corpus)], index_dir, corpus, tmp_path)
    assert restarted.returncode == 0, restarted.stderr
    state = json.loads(restarted.stdout)
    # Opening the index alone mended it (and said what it mended).
    assert state["opened"]["consistent"], (state["opened"], restarted.stderr)
    assert bool(state["opened"]["repaired"]) == (moment != "embedding"), state["opened"]
    # The next ingest completes the job.
    assert state["ingest"]["failed"] == []
    assert state["bureaus"] == ["常宁市科技和工业信息化局", "耒阳市科技和工业信息化局", "长沙市望城区工业和信息化局"], state
    assert state["after"]["consistent"] and state["after"]["repaired"] == []
    assert state["ids"]["registry"] == state["ids"]["vectors"] == state["ids"]["lexical"]
    texts = "".join(state["texts"])
    assert "2300.00" in texts and "2284.43" not in texts
    if moment == "vectors-written":
        assert "5300.00" in texts and "5252.64" in texts  # 常宁's own total stays; 耒阳's is the edited one

    code, report = _check_cli(index_dir, corpus, tmp_path)
    assert code == 0 and report["consistent"] and report["reports"] == 3
    chunks = report["chunks"]
    assert chunks["registry"] == chunks["vectors"] == chunks["lexical"] == len(state["ids"]["registry"]) > 0


# --- check: the command ------------------------------------------------------------------


@pytest.mark.slow
def test_check_reports_then_repairs_lost_vectors_and_a_lost_lexical_index(built_copy, tmp_path):
    corpus, index_dir = built_copy
    done = _python(["-c", LOSE_VECTORS_AND_LEXICAL], index_dir, corpus, tmp_path)
    assert done.returncode == 0, done.stderr
    lost = json.loads(done.stdout)

    code, report = _check_cli(index_dir, corpus, tmp_path)
    assert list(report) == ["consistent", "reports", "chunks", "repaired"]
    assert list(report["chunks"]) == ["registry", "vectors", "lexical"]
    # The lexical index is rebuilt on opening; the vectors need the embedder, so only --repair restores them.
    assert code == 1 and report["consistent"] is False
    assert report["chunks"] == {"registry": lost["chunks"], "vectors": lost["chunks"] - 2, "lexical": lost["chunks"]}
    assert any("词法索引" in line for line in report["repaired"])

    code, report = _check_cli(index_dir, corpus, tmp_path, "--repair")
    assert code == 0 and report["consistent"] is True and report["reports"] == 2
    assert report["chunks"] == {"registry": lost["chunks"], "vectors": lost["chunks"], "lexical": lost["chunks"]}
    assert any("补全缺失向量 2 块" in line for line in report["repaired"])

    human = _python(["-m", "assistant", "check"], index_dir, corpus, tmp_path)
    assert human.returncode == 0 and human.stdout.startswith("索引一致：2 份报告"), human.stdout + human.stderr
    # The restored vectors are the ones ingest wrote: the same question finds the same chunk.
    asked = _python(["-m", "assistant", "ask", "望城2021年一般公共预算拨款收入是多少？", "--json"], index_dir, corpus, tmp_path)
    assert asked.returncode == 0 and "2284.43" in json.loads(asked.stdout)["answer"]


LOSE_VECTORS_AND_LEXICAL = r"""
import json, shutil
from assistant.service import Assistant
from assistant.settings import load_settings

store = Assistant(load_settings()).store
chunks = sorted(r[0] for r in store.db.execute("SELECT id FROM chunks"))
store.vectors.delete_nodes(node_ids=chunks[:2])
shutil.rmtree(store.lexical.directory)
print(json.dumps({"chunks": len(chunks)}))
"""


# --- in one process: rename, copy, one file's failure -------------------------------------


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    return _write_small_corpus(tmp_path / "small-corpus")


@pytest.fixture
def fresh(settings_factory):
    from assistant.service import Assistant

    return Assistant(settings_factory())


def test_a_renamed_file_keeps_its_vectors_and_corrections(fresh, small_corpus, monkeypatch):
    fresh.ingest([small_corpus])
    old, new = (small_corpus / "wangcheng.txt").resolve(), (small_corpus / "wangcheng-2021.txt").resolve()
    report = fresh.correct_metadata("wangcheng.txt", kind="绩效情况说明")
    vectors, chunks = _chroma_ids(fresh.store), _registry_chunk_ids(fresh.store)
    old.rename(new)

    def no_embedding(*args, **kwargs):
        raise AssertionError("a renamed report is not embedded again")

    monkeypatch.setattr(type(fresh.embedder), "get_text_embedding_batch", no_embedding)
    result = fresh.ingest([small_corpus])
    assert result.moved == [(str(old), str(new))]
    assert (result.added, result.replaced, result.failed, result.duplicates) == ([], [], [], [])
    moved = fresh.store.report(report.id)
    assert moved.source == str(new) and moved.kind == "绩效情况说明"  # the correction followed the file
    assert fresh.store.corrections() == {str(new): {"kind": "绩效情况说明"}}
    assert _chroma_ids(fresh.store) == vectors and _registry_chunk_ids(fresh.store) == chunks
    assert_consistent(fresh.store)

    again = fresh.ingest([small_corpus], prune=True)
    assert again.removed == [] and len(again.unchanged) == 2 and not again.changed
    assert _chroma_ids(fresh.store) == vectors
    assert fresh.find_report("wangcheng-2021.txt").id == report.id


def test_a_file_renamed_onto_another_indexed_file_replaces_it(fresh, small_corpus):
    fresh.ingest([small_corpus])
    wangcheng = fresh.find_report("wangcheng.txt")
    (small_corpus / "wangcheng.txt").replace(small_corpus / "changning.txt")
    result = fresh.ingest([small_corpus], prune=True)
    assert result.moved == [(wangcheng.source, str((small_corpus / "changning.txt").resolve()))] and not result.failed
    assert [m.id for m in fresh.reports()] == [wangcheng.id]
    assert_consistent(fresh.store)


def test_a_copied_file_is_a_duplicate(fresh, small_corpus):
    fresh.ingest([small_corpus])
    vectors = _chroma_ids(fresh.store)
    copy = small_corpus / "wangcheng-copy.txt"
    shutil.copy(small_corpus / "wangcheng.txt", copy)
    result = fresh.ingest([small_corpus], prune=True)
    assert result.duplicates == [(str(copy.resolve()), str((small_corpus / "wangcheng.txt").resolve()))]
    assert not result.changed and not result.moved and not result.failed
    assert _chroma_ids(fresh.store) == vectors and len(fresh.reports()) == 2
    assert_consistent(fresh.store)


def test_a_file_whose_parse_raises_recursion_error_fails_alone(fresh, small_corpus, monkeypatch):
    import index.ingest

    real_parse = index.ingest.parse

    def parse(*args, **kwargs):
        if any(str(a).endswith("deep.txt") for a in (*args, *kwargs.values()) if isinstance(a, str)):
            raise RecursionError("maximum recursion depth exceeded")
        return real_parse(*args, **kwargs)

    (small_corpus / "deep.txt").write_text(NEWCOMER_SMALL, encoding="utf-8")
    monkeypatch.setattr(index.ingest, "parse", parse)
    result = fresh.ingest([small_corpus])
    assert [Path(p).name for p, _ in result.failed] == ["deep.txt"]
    reason = result.failed[0][1]
    assert "deep.txt" in reason and "嵌套过深" in reason and "RecursionError" in reason
    assert sorted(m.bureau for m in result.added) == ["常宁市科技和工业信息化局", "长沙市望城区工业和信息化局"]
    assert_consistent(fresh.store)


def test_an_unexpected_error_while_replacing_a_report_leaves_the_stored_one(fresh, small_corpus, monkeypatch):
    import index.ingest

    fresh.ingest([small_corpus])
    before = {m.id: (m.source, sorted(c.id for c in fresh.store.report_chunks(m.id))) for m in fresh.reports()}
    vectors = _chroma_ids(fresh.store)
    (small_corpus / "wangcheng.txt").write_text(EDITED_WANGCHENG, encoding="utf-8")

    def broken(report):
        raise KeyError("bad cell")

    monkeypatch.setattr(index.ingest, "extract_figures", broken)
    result = fresh.ingest([small_corpus])
    assert [Path(p).name for p, _ in result.failed] == ["wangcheng.txt"]
    assert "意外错误" in result.failed[0][1] and "KeyError" in result.failed[0][1]
    assert {m.id: (m.source, sorted(c.id for c in fresh.store.report_chunks(m.id))) for m in fresh.reports()} == before
    assert _chroma_ids(fresh.store) == vectors
    assert_consistent(fresh.store)


def test_a_failed_rewrite_under_the_same_id_is_made_whole_again(fresh, small_corpus, monkeypatch):
    """A report stored by another pipeline version is read again under its own id; if Chroma fails
    halfway, the stored version's vectors (which share its ids) are re-embedded from the registry."""
    from llama_index.vector_stores.chroma import ChromaVectorStore

    fresh.ingest([small_corpus])
    wangcheng = fresh.find_report("wangcheng.txt")
    with fresh.store.db:
        fresh.store.db.execute("UPDATE pipeline_versions SET version = 'older' WHERE report_id = ?", (wangcheng.id,))
    vectors = _chroma_ids(fresh.store)
    real_add, calls = ChromaVectorStore.add, []

    def fails_once(self, nodes, **kwargs):
        calls.append(len(nodes))
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real_add(self, nodes, **kwargs)

    monkeypatch.setattr(ChromaVectorStore, "add", fails_once)
    result = fresh.ingest([small_corpus])
    assert [Path(p).name for p, _ in result.failed] == ["wangcheng.txt"] and "disk full" in result.failed[0][1]
    assert len(calls) == 2  # the failed write, then the re-embedding of the stored version
    assert _chroma_ids(fresh.store) == vectors
    assert fresh.check().consistent
    assert_consistent(fresh.store)
    monkeypatch.undo()
    assert [m.id for m in fresh.ingest([small_corpus]).replaced] == [wangcheng.id]
    assert_consistent(fresh.store)


# --- the store's own recovery -------------------------------------------------------------


def _orphan(store: ReportStore, report_id: str = "f" * 16) -> str:
    """Vectors of a report the registry never got, journalled as a write in progress."""
    from index.models import Chunk
    from index.store import _node

    chunk = Chunk(f"{report_id}:0000", report_id, 0, "", "孤立", 0, 2, ((0, 2),))
    with store.db:
        store.db.execute("INSERT INTO journal VALUES (?, 'write')", (report_id,))
    store.vectors.add([_node(chunk, [0.1] * store.dim)])
    return chunk.id


def test_opening_rolls_back_an_unfinished_write_but_not_another_writers(fresh, small_corpus):
    fresh.ingest([small_corpus])
    store = fresh.store
    orphan = _orphan(store)
    with store.writing():  # another writer at work: its write in progress is left alone
        ReportStore(store.directory, fresh.embedder.signature, fresh.embedder.dim)
        assert orphan in _chroma_ids(store)
    reopened = ReportStore(store.directory, fresh.embedder.signature, fresh.embedder.dim)
    assert orphan not in _chroma_ids(reopened)
    health = reopened.check()
    assert health.consistent and health.repaired == [f"回滚未完成的写入：报告 {'f' * 16} 的向量已移除"]
    assert reopened.check().repaired == []  # reported once
    assert_consistent(reopened)


def test_a_stale_lexical_index_is_rebuilt_on_opening(fresh, small_corpus):
    fresh.ingest([small_corpus])
    store = fresh.store
    with store.db:
        store.db.execute("INSERT INTO settings VALUES ('lexical_stale', '1')")
    shutil.rmtree(store.lexical.directory)
    reopened = ReportStore(store.directory, fresh.embedder.signature, fresh.embedder.dim)
    assert not reopened.lexical_stale
    assert set(reopened.lexical._chunk_ids) == _registry_chunk_ids(reopened)
    assert_consistent(reopened)
