"""Uploaded reports: a safe file name and a size limit before the uploads folder sees them.

Only the file received is read, and only the uploads folder (settings `uploads_dir`, never the
shipped `corpus/`) is written: a user's file name never becomes a path outside it.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from pathlib import Path

from index.readers import SUPPORTED_SUFFIXES

from .errors import UploadError

_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_.\-\u3400-\u4dbf\u4e00-\u9fff]+")
MAX_NAME_CHARS = 100


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


def place_upload(upload: Path, original_name: str, uploads_dir: Path, max_mb: int) -> tuple[Path, bool]:
    """Copy an uploaded file into the uploads folder under a safe name.

    Returns the path there and whether it was copied (False when an identical file with that name
    is there already). Raises UploadError, before anything is written, when the file is too big,
    of an unsupported type, or clashes with a different file of the same name. Whether it can be
    read is for the ingest to find out (in a worker process); the caller removes a file it copied
    when that fails.
    """
    name = safe_name(original_name)
    shown = Path(original_name).name or name
    size = upload.stat().st_size
    limit = max_mb * 1024 * 1024
    if size > limit:
        raise UploadError(f"“{shown}”有 {size / 1024 / 1024:.1f} MB，超过上传上限 {max_mb} MB。")
    folder = uploads_dir.resolve()
    target = (folder / name).resolve()
    if target.parent != folder:
        raise UploadError(f"“{shown}”：文件名不可用。")
    if target.exists():
        if _same_bytes(target, upload):
            return target, False
        raise UploadError(f"上传文件夹中已有同名文件“{name}”，内容不同。请改名后再上传，或先删除原报告。")
    folder.mkdir(parents=True, exist_ok=True)
    # A hidden partial file first: ingest skips dot files, and the rename is atomic.
    partial = folder / f".{name}.part"
    shutil.copyfile(upload, partial)
    os.replace(partial, target)
    return target, True


def _same_bytes(first: Path, second: Path) -> bool:
    return first.stat().st_size == second.stat().st_size and first.read_bytes() == second.read_bytes()


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` (after resolving links and '..') lies inside `folder`."""
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except OSError:
        return False
