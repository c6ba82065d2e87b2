"""Read (or render) untrusted files in a worker process with a memory cap and a time limit.

A file that would exhaust memory (a flate bomb in a PDF, a pathological DOCX) or run for ever
kills only its worker; the caller gets an `UnreadableFileError` naming the limit, and the server
that asked keeps answering.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from .errors import UnreadableFileError
from .pdf import page_png
from .readers import MAX_FILE_BYTES, ReportText, read_report

T = TypeVar("T")
WORKER_NICENESS = 10  # a worker's CPU niceness, as for the ingest's embedding thread


@dataclass(frozen=True)
class ReadLimits:
    """What one file's reading may take: address space in MiB, wall time in seconds, file size in bytes."""

    memory_mb: int = 3072
    seconds: float = 300.0
    max_bytes: int = MAX_FILE_BYTES


def read_isolated(path: Path, limits: ReadLimits = ReadLimits()) -> ReportText:
    """`read_report` in a fresh worker process under `limits`."""
    return run_isolated(path, partial(read_report, max_bytes=limits.max_bytes), limits)


def render_page_isolated(path: Path, number: int, limits: ReadLimits = ReadLimits()) -> bytes:
    """A PDF page (from 1) as PNG bytes, rendered in a fresh worker process under `limits`."""
    return run_isolated(path, partial(page_png, number=number), limits)


def run_isolated(path: Path, work: Callable[[Path], T], limits: ReadLimits) -> T:
    """`work(path)` in a fresh worker process under `limits`; `work` must be picklable."""
    context = multiprocessing.get_context("forkserver")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_work_in_worker, args=(Path(path), work, limits, send), daemon=True)
    worker.start()
    send.close()
    try:
        if not receive.poll(limits.seconds):
            raise UnreadableFileError(path, f"读取超过时间上限 {limits.seconds:.0f} 秒，已中止。文件可能过大或结构异常，请拆分或重新导出。")
        outcome = receive.recv()
    except EOFError:
        raise UnreadableFileError(path, _died_message(worker, limits)) from None
    finally:
        _stop(worker)
        receive.close()
    kind, value = outcome
    if kind == "done":
        return value
    raise UnreadableFileError(path, value)


def _work_in_worker(path: Path, work: Callable[[Path], object], limits: ReadLimits, send: Connection) -> None:
    cap = limits.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    os.nice(max(0, WORKER_NICENESS - os.nice(0)))  # reading (OCR above all) yields the CPU to questions
    try:
        outcome = ("done", work(path))
    except UnreadableFileError as error:
        outcome = ("error", error.reason)
    except MemoryError:
        outcome = ("error", _memory_message(limits))
    except Exception as error:  # Any failure of a reader is this file's failure, reported by name.
        outcome = ("error", f"读取失败（{type(error).__name__}: {error}）。请检查文件是否完整，或重新导出。")
    send.send(outcome)
    send.close()


def _memory_message(limits: ReadLimits) -> str:
    return f"读取时所需内存超过上限 {limits.memory_mb} MiB，已中止。文件可能是压缩炸弹或结构异常，请检查或重新导出。"


def _died_message(worker: multiprocessing.process.BaseProcess, limits: ReadLimits) -> str:
    worker.join(5)
    return f"读取进程异常退出（退出码 {worker.exitcode}），可能超过内存上限 {limits.memory_mb} MiB。请检查文件或重新导出。"


def _stop(worker: multiprocessing.process.BaseProcess) -> None:
    if worker.is_alive():
        worker.kill()
    worker.join(5)
