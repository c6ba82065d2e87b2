"""Tests for index.ingest and index.store: real Chroma, real bm25s and the e5 embedder, in tmp dirs.

Writing tests use two small reports (a few chunks each) so that every test can afford a fresh
index; reading tests share the session's index of the shipped corpus.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CHANGNING, WANGCHENG

from index.errors import EmbedderMismatchError
from index.ingest import find_report_files, parse
from index.lexical import LexicalIndex
from index.store import ReportStore

WANGCHENG_SMALL = """2021年度长沙市望城区工业和信息化局整体支出预算绩效自评报告

一、部门基本情况

局机关共有 17 个编制，其中：行政编制 15 个，工勤编制 2 个。

二、部门整体预算支出情况

2021 年一般公共预算拨款收入 2284.43 万元。基本支出年初预算数为 1193.43 万元，项目支出年初预算数为 1091 万元。

四、存在的问题及原因分析

1、预算编制工作有待细化。预算编制不够明确和细化，预算执行力度还要进一步加强。
"""

CHANGNING_SMALL = """常宁市科技和工业信息化局2022年度绩效情况说明

一、部门概况

根据编委核定，我局内设股室14个。

二、整体支出基本情况

2022年度，我局总支出5252.64万元。基本支出793.43万元，项目资金支出4459.21万元。

常宁市科技和工业信息化局
2023年8月29日
"""


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    corpus = tmp_path / "small-corpus"
    corpus.mkdir()
    (corpus / "wangcheng.txt").write_text(WANGCHENG_SMALL, encoding="utf-8")
    (corpus / "changning.txt").write_text(CHANGNING_SMALL, encoding="utf-8")
    return corpus


@pytest.fixture
def fresh(settings_factory):
    """An Assistant over a new, empty index."""
    from assistant.service import Assistant

    return Assistant(settings_factory())


def _registry_chunk_ids(store: ReportStore) -> set[str]:
    return {row[0] for row in store.db.execute("SELECT id FROM chunks")}


def _chroma_ids(store: ReportStore) -> set[str]:
    return set(store.vectors._collection.get(include=[])["ids"])


def assert_consistent(store: ReportStore) -> None:
    """Registry, Chroma and the lexical index (in memory and on disk) hold exactly the same chunks."""
    registry = _registry_chunk_ids(store)
    on_disk = LexicalIndex(store.lexical.directory)
    on_disk.load()
    assert registry == _chroma_ids(store) == set(store.lexical._chunk_ids) == set(on_disk._chunk_ids)
    assert sum(store.chunk_counts().values()) == store.vectors._collection.count() == len(store.lexical._chunk_ids)
    report_ids = {m.id for m in store.reports()}
    assert set(store.chunk_counts()) == report_ids  # no report without chunks, no chunk without report
    for meta in store.reports():
        chunks = store.report_chunks(meta.id)
        text = store.report_text(meta.id)
        assert [c.ordinal for c in chunks] == list(range(len(chunks)))
        assert all(text[c.start : c.end] == c.text for c in chunks)


def _by_bureau(store: ReportStore) -> dict[str, str]:
    return {m.bureau: m.id for m in store.reports()}


# --- finding files ------------------------------------------------------------------------


def test_find_report_files(tmp_path):
    for name in ("b.txt", "a.PDF", "c.docx", "d.html", ".hidden.txt", "sheet.xls", "sub/e.md", "sub/deeper/f.htm"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = find_report_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.PDF",
        "b.txt",
        "c.docx",
        "d.html",
        "sub/deeper/f.htm",
        "sub/e.md",
    ]
    # A file named directly is taken as given (and fails later if unsupported); duplicates collapse.
    again = find_report_files([tmp_path / "sheet.xls", tmp_path, tmp_path / "b.txt"])
    assert again[0] == (tmp_path / "sheet.xls").resolve()
    assert len(again) == len(set(again)) == 7


# --- the shipped corpus (read only) -------------------------------------------------------


def test_shipped_index_is_consistent(shipped_assistant):
    store = shipped_assistant.store
    assert_consistent(store)
    assert set(_by_bureau(store)) == {"长沙市望城区工业和信息化局", "常宁市科技和工业信息化局"}
    for path in (WANGCHENG, CHANGNING):
        report = parse(path.read_text(encoding="utf-8"), str(path.resolve()), shipped_assistant.settings.chunk_tokens)
        assert store.chunk_counts()[report.meta.id] == len(report.chunks)
        assert [c.id for c in store.report_chunks(report.meta.id)] == [c.id for c in report.chunks]
        assert store.report_text(report.meta.id) == path.read_text(encoding="utf-8")


def test_ingesting_twice_changes_nothing(shipped_assistant):
    store = shipped_assistant.store
    before = (sorted(_registry_chunk_ids(store)), store.vectors._collection.count(), list(store.lexical._chunk_ids))
    listing = store.lexical.directory / "chunks.json"
    stamp = listing.stat().st_mtime_ns
    result = shipped_assistant.ingest()
    assert (result.added, result.replaced, result.removed, result.failed) == ([], [], [], [])
    assert sorted(result.unchanged) == sorted(str(p.resolve()) for p in (CHANGNING, WANGCHENG))
    assert not result.changed
    assert (sorted(_registry_chunk_ids(store)), store.vectors._collection.count(), list(store.lexical._chunk_ids)) == before
    assert listing.stat().st_mtime_ns == stamp  # nothing rebuilt


def test_a_report_stored_by_another_pipeline_version_is_read_again(fresh, small_corpus):
    fresh.ingest([small_corpus])
    wangcheng = next(m for m in fresh.reports() if "望城" in m.bureau)
    with fresh.store.db:  # as an index built by an older version of the code would be
        fresh.store.db.execute("UPDATE pipeline_versions SET version = 'older' WHERE report_id = ?", (wangcheng.id,))
        fresh.store.db.execute("UPDATE reports SET meta = json_set(meta, '$.kind', '整体支出绩效自评报告') WHERE id = ?", (wangcheng.id,))
    fresh.store._meta_cache = None
    result = fresh.ingest([small_corpus])
    assert [m.id for m in result.replaced] == [wangcheng.id] and len(result.unchanged) == 1
    assert fresh.store.report(wangcheng.id).kind == "部门整体支出绩效自评报告"
    assert_consistent(fresh.store)
    assert not fresh.ingest([small_corpus]).changed


def test_a_chunks_tokens_do_not_depend_on_which_reports_were_indexed_before_it(settings_factory, small_corpus):
    from assistant.service import Assistant

    files = sorted(small_corpus.iterdir())
    tokens = []
    for order in (files, files[::-1]):
        assistant = Assistant(settings_factory())
        for done in range(1, len(order) + 1):  # one report at a time: the later one's names are new to the earlier one
            assistant.ingest(order[:done])
        tokens.append(dict(assistant.store.db.execute("SELECT id, tokens FROM chunks")))
    assert tokens[0] == tokens[1]


def test_reopened_index_is_unchanged(shipped_assistant):
    from assistant.service import Assistant

    reopened = Assistant(shipped_assistant.settings)
    assert {m.id for m in reopened.reports()} == {m.id for m in shipped_assistant.reports()}
    result = reopened.ingest()
    assert len(result.unchanged) == 2 and not result.changed and not result.failed
    assert _registry_chunk_ids(reopened.store) == _registry_chunk_ids(shipped_assistant.store)


def test_reports_json_cli(shipped_assistant, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["ASSISTANT_INDEX_DIR"] = str(shipped_assistant.settings.index_dir)
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "reports", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data) == ["reports"]
    rows = {row["bureau"]: row for row in data["reports"]}
    assert len(data["reports"]) == 2
    for row in data["reports"]:
        assert {"id", "title", "bureau", "region", "year", "published", "kind", "source", "chunks", "needs_review"} <= set(row)
        assert row["needs_review"] == []
    counts = shipped_assistant.store.chunk_counts()
    wangcheng, changning = rows["长沙市望城区工业和信息化局"], rows["常宁市科技和工业信息化局"]
    assert (wangcheng["title"], wangcheng["region"], wangcheng["year"], wangcheng["kind"]) == (
        "2021年度长沙市望城区工业和信息化局整体支出预算绩效自评报告",
        "湖南省长沙市望城区",
        2021,
        "部门整体支出绩效自评报告",
    )
    assert (changning["title"], changning["region"], changning["year"], changning["kind"]) == (
        "常宁市科技和工业信息化局2022年度绩效情况说明",
        "湖南省衡阳市常宁市",
        2022,
        "绩效情况说明",
    )
    assert wangcheng["source"] == str(WANGCHENG.resolve())
    assert changning["source"] == str(CHANGNING.resolve())
    for row in (wangcheng, changning):
        assert isinstance(row["chunks"], int) and row["chunks"] == counts[row["id"]] > 0


# --- embedder identity --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signature", "dim"),
    [
        ("sentence-transformers:all-MiniLM-L6-v2", 384),  # another model, same dimension
        ("e5:multilingual-e5-small-q4", 768),  # same name, another dimension
        ("sentence-transformers:BAAI/bge-m3", 1024),
    ],
)
def test_opening_an_index_with_another_embedder_is_an_error(tmp_path, signature, dim):
    ReportStore(tmp_path, "e5:multilingual-e5-small-q4", 384)
    with pytest.raises(EmbedderMismatchError) as error:
        ReportStore(tmp_path, signature, dim)
    message = str(error.value)
    assert "e5:multilingual-e5-small-q4" in message and signature in message and str(dim) in message
    assert "ingest again" in message
    # The refusal leaves the recorded embedder alone: the original still opens.
    ReportStore(tmp_path, "e5:multilingual-e5-small-q4", 384)


def test_shipped_index_refuses_another_embedder(shipped_assistant):
    with pytest.raises(EmbedderMismatchError):
        ReportStore(shipped_assistant.settings.index_dir, "sentence-transformers:all-MiniLM-L6-v2", 384)


# --- writing: small corpora in fresh indexes ----------------------------------------------


def test_ingest_small_corpus_with_progress(fresh, small_corpus):
    calls = []
    result = fresh.ingest([small_corpus], progress=lambda done, total, name: calls.append((done, total, name)))
    assert sorted(m.bureau for m in result.added) == ["常宁市科技和工业信息化局", "长沙市望城区工业和信息化局"]
    assert (result.replaced, result.unchanged, result.removed, result.failed) == ([], [], [], [])
    # Each file's stages in order, in fractions of files, then the lexical rebuild and the end.
    assert [label for _, _, label in calls] == [
        "读取 changning.txt",
        "嵌入 changning.txt",
        "保存 changning.txt",
        "读取 wangcheng.txt",
        "嵌入 wangcheng.txt",
        "保存 wangcheng.txt",
        "更新检索索引",
        "完成",
    ]
    done = [d for d, _, _ in calls]
    assert done == sorted(done) and done[0] == 0 and done[-1] == 2 and all(total == 2 for _, total, _ in calls)
    assert_consistent(fresh.store)
    answer = fresh.ask("望城2021年一般公共预算拨款收入是多少？")
    assert not answer.abstained
    assert "2284.43" in answer.answer
    assert answer.citations[0].bureau == "长沙市望城区工业和信息化局"


def test_changed_report_is_replaced_as_a_whole(fresh, small_corpus):
    fresh.ingest([small_corpus])
    old_id = _by_bureau(fresh.store)["长沙市望城区工业和信息化局"]
    old_chunks = [c.id for c in fresh.store.report_chunks(old_id)]
    assert old_chunks and fresh.store.figures([old_id])

    path = small_corpus / "wangcheng.txt"
    path.write_text(WANGCHENG_SMALL.replace("2284.43", "2300.00"), encoding="utf-8")
    result = fresh.ingest([small_corpus])

    assert [m.bureau for m in result.replaced] == ["长沙市望城区工业和信息化局"]
    assert result.unchanged == [str((small_corpus / "changning.txt").resolve())]
    assert (result.added, result.removed, result.failed) == ([], [], [])
    new_id = result.replaced[0].id
    assert new_id != old_id
    assert old_id not in {m.id for m in fresh.reports()}
    assert fresh.store.chunks(old_chunks) == {}
    assert not _chroma_ids(fresh.store) & set(old_chunks)
    assert not set(fresh.store.lexical._chunk_ids) & set(old_chunks)
    assert fresh.store.figures([old_id]) == [] and fresh.store.checks([old_id]) == []
    assert fresh.store.source_hashes()[str(path.resolve())] == result.replaced[0].content_hash
    assert any("2300.00" in c.text for c in fresh.store.report_chunks(new_id))
    assert_consistent(fresh.store)


def test_prune_removes_reports_whose_files_are_gone(fresh, small_corpus):
    fresh.ingest([small_corpus])
    gone_id = _by_bureau(fresh.store)["常宁市科技和工业信息化局"]
    gone_chunks = [c.id for c in fresh.store.report_chunks(gone_id)]
    (small_corpus / "changning.txt").unlink()

    kept = fresh.ingest([small_corpus])  # without --prune nothing is removed
    assert kept.removed == [] and gone_id in {m.id for m in fresh.reports()}

    result = fresh.ingest([small_corpus], prune=True)
    assert result.removed == [str((small_corpus / "changning.txt").resolve())]
    assert (result.added, result.replaced, result.failed) == ([], [], [])
    assert set(_by_bureau(fresh.store)) == {"长沙市望城区工业和信息化局"}
    assert fresh.store.chunks(gone_chunks) == {}
    assert not _chroma_ids(fresh.store) & set(gone_chunks)
    assert fresh.store.figures([gone_id]) == []
    assert_consistent(fresh.store)


def test_a_bad_file_does_not_spoil_the_batch(fresh, small_corpus, tmp_path):
    rng = random.Random(0)
    (small_corpus / "corrupt.pdf").write_bytes(rng.randbytes(4096))
    (small_corpus / "empty.txt").write_bytes(b"")
    (small_corpus / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (small_corpus / "blank.md").write_text("\n \n\t\n", encoding="utf-8")
    sheet = tmp_path / "budget.xls"
    sheet.write_bytes(b"\xd0\xcf\x11\xe0" + rng.randbytes(512))

    result = fresh.ingest([small_corpus, sheet])

    assert sorted(m.bureau for m in result.added) == ["常宁市科技和工业信息化局", "长沙市望城区工业和信息化局"]
    failed = {Path(path).name: reason for path, reason in result.failed}
    assert set(failed) == {"corrupt.pdf", "empty.txt", "binary.txt", "blank.md", "budget.xls"}
    for name, reason in failed.items():
        assert name in reason  # the message names the file
    assert "PDF" in failed["corrupt.pdf"]
    assert "empty" in failed["empty.txt"]
    assert "binary" in failed["binary.txt"]
    assert ".xls" in failed["budget.xls"]
    assert_consistent(fresh.store)
    assert len(fresh.reports()) == 2

    again = fresh.ingest([small_corpus, sheet])
    assert len(again.unchanged) == 2 and len(again.failed) == 5 and not again.changed
    assert_consistent(fresh.store)


def test_a_failure_while_storing_leaves_no_half_report(fresh, small_corpus, monkeypatch):
    from llama_index.vector_stores.chroma import ChromaVectorStore

    fresh.ingest([small_corpus])
    before = {m.id: [c.id for c in fresh.store.report_chunks(m.id)] for m in fresh.reports()}
    (small_corpus / "wangcheng.txt").write_text(WANGCHENG_SMALL.replace("2284.43", "2300.00"), encoding="utf-8")
    (small_corpus / "newcomer.txt").write_text(CHANGNING_SMALL.replace("常宁市", "耒阳市").replace("2022年度", "2021年度"), encoding="utf-8")

    def disk_full(self, nodes, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ChromaVectorStore, "add", disk_full)
    result = fresh.ingest([small_corpus])
    monkeypatch.undo()

    failed = {Path(path).name: reason for path, reason in result.failed}
    assert set(failed) == {"wangcheng.txt", "newcomer.txt"}
    assert all("disk full" in reason for reason in failed.values())
    assert (result.added, result.replaced) == ([], [])
    # Every report in the index is whole: all its chunks in the registry, Chroma and BM25.
    assert_consistent(fresh.store)
    assert "耒阳市科技和工业信息化局" not in _by_bureau(fresh.store)
    for report_id in {m.id for m in fresh.reports()}:
        assert _chroma_ids(fresh.store) >= set(before[report_id])

    # Once the store works again, the next run completes the job.
    healed = fresh.ingest([small_corpus])
    assert [m.bureau for m in healed.added] == ["耒阳市科技和工业信息化局"]
    assert [m.bureau for m in healed.replaced] == ["长沙市望城区工业和信息化局"]
    assert_consistent(fresh.store)


def test_the_same_report_under_two_file_names_is_idempotent(fresh, small_corpus):
    (small_corpus / "wangcheng-copy.txt").write_text(WANGCHENG_SMALL, encoding="utf-8")
    first = fresh.ingest([small_corpus])
    assert not first.failed
    assert_consistent(fresh.store)
    chunk_ids = _registry_chunk_ids(fresh.store)
    second = fresh.ingest([small_corpus])
    assert (second.added, second.replaced, second.removed, second.failed) == ([], [], [], [])
    assert not second.changed
    assert _registry_chunk_ids(fresh.store) == chunk_ids
    assert_consistent(fresh.store)
