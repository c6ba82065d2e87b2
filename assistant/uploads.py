"""Uploaded reports: a safe file name, a size limit, and a read check before the corpus sees them.

Only the file Gradio received is read, and only the corpus folder is written: a user's file name
never becomes a path outside it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from index.errors import UnreadableFileError
from index.readers import SUPPORTED_SUFFIXES, read_report_text

_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_.\-\u3400-\u4dbf\u4e00-\u9fff]+")
MAX_NAME_CHARS = 100


class UploadError(Exception):
    """An upload that cannot enter the corpus; the message names the file and says why."""


def safe_name(name: str) -> str:
    """The upload's file name reduced to letters, digits, CJK, '_', '.', '-'; no folders, no hidden files."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    stem, suffix = os.path.splitext(base)
    suffix = suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无后缀）"
        raise UploadError(f"“{base or name}”：不支持的文件类型 {shown}。支持：{'、'.join(SUPPORTED_SUFFIXES)}。")
    stem = _NOT_ALLOWED.sub("_", stem).strip("._-")
    stem = re.sub(r"\.{2,}", ".", stem)[:MAX_NAME_CHARS] or "report"
    return stem + suffix


def place_upload(upload: Path, original_name: str, corpus_dir: Path, max_mb: int) -> tuple[Path, bool]:
    """Check an uploaded file and copy it into the corpus folder.

    Returns the path in the corpus and whether it was copied (False when an identical file with
    that name is there already). Raises UploadError, before anything is written, when the file is
    too big, of an unsupported type, unreadable, or clashes with a different file of the same name.
    """
    name = safe_name(original_name)
    shown = Path(original_name).name or name
    size = upload.stat().st_size
    limit = max_mb * 1024 * 1024
    if size > limit:
        raise UploadError(f"“{shown}”有 {size / 1024 / 1024:.1f} MB，超过上传上限 {max_mb} MB。")
    corpus = corpus_dir.resolve()
    target = (corpus / name).resolve()
    if target.parent != corpus:
        raise UploadError(f"“{shown}”：文件名不可用。")
    with tempfile.TemporaryDirectory(prefix="upload-") as staging:
        # Read a private copy under its final name: the reader goes by the suffix, and the
        # file checked is byte for byte the file that enters the corpus.
        staged = Path(staging) / name
        shutil.copyfile(upload, staged)
        try:
            read_report_text(staged, max_bytes=limit)
        except UnreadableFileError as error:
            raise UploadError(f"“{shown}”无法读取：{error.reason}") from error
        if target.exists():
            if target.read_bytes() == staged.read_bytes():
                return target, False
            raise UploadError(f"语料文件夹中已有同名文件“{name}”，内容不同。请改名后再上传，或先删除原报告。")
        corpus.mkdir(parents=True, exist_ok=True)
        # A hidden partial file first: ingest skips dot files, and the rename is atomic.
        partial = corpus / f".{name}.part"
        shutil.copyfile(staged, partial)
        os.replace(partial, target)
    return target, True


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` (after resolving links and '..') lies inside `folder`."""
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except OSError:
        return False
