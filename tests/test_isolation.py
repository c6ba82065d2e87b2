"""Untrusted files are read in a worker process: a bomb or a runaway file costs only that worker."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from index.errors import UnreadableFileError
from index.isolation import ReadLimits, read_isolated

PUBLISHED = Path(__file__).parent / "data" / "published"


def flate_bomb(path: Path, megabytes: int) -> Path:
    """A one-page PDF whose content stream is about 1 MB packed and `megabytes` MB unpacked."""
    packer = zlib.compressobj(9)
    block = b"0 0 m " * (2**20 // 6)
    stream = b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % at for at in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(pdf)
    return path


def test_a_file_is_read_in_a_worker():
    read = read_isolated(PUBLISHED / "two_line_title.txt")
    assert "绩效" in read.text


def test_a_flate_bomb_stops_at_the_memory_cap_and_names_it(tmp_path):
    bomb = flate_bomb(tmp_path / "bomb.pdf", 800)
    with pytest.raises(UnreadableFileError) as caught:
        read_isolated(bomb, ReadLimits(memory_mb=512, seconds=120))
    assert "512 MiB" in caught.value.reason


def test_a_slow_read_stops_at_the_time_limit_and_names_it():
    with pytest.raises(UnreadableFileError) as caught:
        read_isolated(PUBLISHED / "scan_liling.pdf", ReadLimits(seconds=0.2))
    assert "时间上限" in caught.value.reason


def test_the_size_limit_is_enforced_in_the_worker(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("预算" * 100, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="上限 100 字节"):
        read_isolated(big, ReadLimits(max_bytes=100))


@pytest.mark.slow
def test_bombs_in_a_batch_fail_alone_and_change_nothing_stored(tmp_path):
    import shutil
    import zipfile

    from conftest import WANGCHENG

    from assistant.service import Assistant
    from assistant.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(WANGCHENG, corpus)
    assistant = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"))
    assert len(assistant.ingest().added) == 1
    before = (assistant.reports(), assistant.store.chunk_counts())

    flate_bomb(corpus / "flate.pdf", 800)
    with zipfile.ZipFile(corpus / "zip.docx", "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"\0" * (300 * 2**20))
    assistant.settings.reading.memory_mb = 512
    result = assistant.ingest()
    assert sorted(Path(name).name for name, _ in result.failed) == ["flate.pdf", "zip.docx"]
    assert all(("上限" in reason) for _, reason in result.failed)
    assert (assistant.reports(), assistant.store.chunk_counts()) == before
    assert not assistant.ask("望城工信局基本支出是多少").abstained
