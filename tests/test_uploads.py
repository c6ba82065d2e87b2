"""Uploads through the assistant's service: their own folder, bad files refused with nothing stored
changed, shipped reports kept, and questions answered while an ingest prepares its reports."""

from __future__ import annotations

import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import CHANGNING, WANGCHENG
from test_isolation import flate_bomb

from assistant.errors import ConfirmationNeeded, UploadError

pytestmark = pytest.mark.slow

GOOD_REPORT = """2023年度株洲市芦淞区测试局整体支出绩效自评报告

一、部门基本情况

株洲市芦淞区测试局内设机构3个，核定编制9名。2023年度基本支出300.50万元。
"""


@pytest.fixture
def office(tmp_path, settings_factory):
    """An assistant over a copy of one shipped report, with its own uploads folder."""
    import shutil

    from assistant.service import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(WANGCHENG, corpus)
    assistant = Assistant(settings_factory(corpus_dir=corpus, uploads_dir=tmp_path / "uploads"))
    assert len(assistant.ingest().added) == 1
    return assistant


def stored(assistant) -> tuple:
    return sorted((r.id, r.source) for r in assistant.reports()), assistant.chunk_counts(), assistant.check().consistent


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"\0" * (300 * 2**20))
    return path


BAD_FILES = {
    "empty.txt": (lambda p: p.write_bytes(b"") and p, "空"),
    "binary.txt": (lambda p: p.write_bytes(bytes(range(256)) * 64) and p, "无法"),
    "not-a-pdf.pdf": (lambda p: p.write_bytes(b"%PDF-1.4 this is not really a pdf") and p, "not-a-pdf.pdf"),
    "zip-bomb.docx": (zip_bomb, "上限"),
    "flate-bomb.pdf": (lambda p: flate_bomb(p, 800), "上限"),
    "script.exe": (lambda p: p.write_bytes(b"MZ") and p, "不支持的文件类型"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_upload_is_refused_and_nothing_stored_changes(office, tmp_path, name):
    make, says = BAD_FILES[name]
    office.settings.reading.memory_mb = 512
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    path = incoming / name
    make(path)
    before = stored(office)
    with pytest.raises(UploadError, match=says):
        office.upload(path, name)
    assert stored(office) == before
    uploads = office.settings.uploads_dir
    assert not uploads.exists() or not list(uploads.iterdir()), "a refused upload left a file behind"
    assert not office.ask("望城工信局基本支出是多少").abstained


def test_an_upload_lands_in_the_uploads_folder_and_a_copy_of_it_is_refused(office, tmp_path):
    first = tmp_path / "测试局 报告.txt"
    first.write_text(GOOD_REPORT, encoding="utf-8")
    placed = office.upload(first, first.name)
    assert placed.path == (office.settings.uploads_dir / "测试局_报告.txt").resolve()
    assert [m.bureau for m in placed.result.added] == ["株洲市芦淞区测试局"]
    assert sorted(p.name for p in office.settings.corpus_dir.iterdir()) == [WANGCHENG.name]
    assert "9" in office.ask("芦淞区测试局有多少个编制？").answer

    copy = tmp_path / "another name.txt"
    copy.write_text(GOOD_REPORT, encoding="utf-8")
    with pytest.raises(UploadError, match="内容相同"):
        office.upload(copy, copy.name)
    assert sorted(p.name for p in office.settings.uploads_dir.iterdir()) == ["测试局_报告.txt"]

    removal = office.remove_report(placed.result.added[0].id)
    assert removal.file_deleted and not removal.shipped
    assert not placed.path.exists()


def test_removing_a_shipped_report_needs_confirmation_and_keeps_its_file(office):
    shipped = office.reports()[0]
    with pytest.raises(ConfirmationNeeded, match="随项目提供"):
        office.remove_report(shipped.id)
    assert office.reports() == [shipped]
    removal = office.remove_report(shipped.id, confirm_shipped=True)
    assert removal.shipped and not removal.file_deleted
    assert office.reports() == []
    assert (office.settings.corpus_dir / WANGCHENG.name).is_file()


def test_questions_are_answered_while_an_ingest_reads_and_embeds(office):
    """The writer lock covers only each report's final switch: a question asked while the next
    report is being read gets its answer at once, from the last committed state."""
    reading = threading.Event()
    release = threading.Event()
    read_file = office.read_file

    def slow_read(path, *args, **kwargs):
        reading.set()
        assert release.wait(60), "the question never came back"
        return read_file(path, *args, **kwargs)

    office.read_file = slow_read
    outcome: dict = {}
    ingest = threading.Thread(target=lambda: outcome.setdefault("result", office.ingest([CHANGNING])))
    ingest.start()
    try:
        assert reading.wait(60)
        assert office.status.running and "读取" in office.status.describe()
        started = time.perf_counter()
        answer = office.ask("望城工信局基本支出是多少")
        waited = time.perf_counter() - started
    finally:
        release.set()
        ingest.join(120)
    assert "1193.43" in answer.answer and waited < 30
    assert [m.bureau for m in outcome["result"].added] == ["常宁市科技和工业信息化局"]
    assert not office.status.running
    assert "793.43" in office.ask("常宁的基本支出是多少").answer
