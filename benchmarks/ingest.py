"""Ingest benchmark: pipeline speed against the embedder's raw speed, and re-ingest of an unchanged corpus.

    python -m benchmarks.ingest                 # 100 synthetic reports (minutes: embedding is the cost)
    python -m benchmarks.ingest --reports 5     # a quick check that it runs

Everything happens in a temporary folder: a synthetic corpus (benchmarks.synthetic), and a fresh
index built through the real `Assistant`. Then the very same chunk texts are embedded again with
the embedder alone, in the same process, so that the two speeds share the machine's conditions.
This script only measures and prints; it never fails on a missed target.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

# Targets from issue 2, item 11; printed next to the figures, never enforced.
TARGET_OVERHEAD = 1.10  # pipeline time / embedder-alone time
TARGET_REINGEST_S = 1.0  # unchanged corpus of 100 reports


def _progress_bar(desc: str):
    """A tqdm bar on stderr and the `Progress` callback that drives it."""
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="report", file=sys.stderr, disable=None, leave=False)

    def progress(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, progress


def chunk_texts(corpus_dir: Path, chunk_tokens: int) -> tuple[list[list[str]], list[list[str]]]:
    """The texts the ingester embeds, report by report, recomputed the way the ingester computes them:
    the chunks (for retrieval) and their sentences (for answer scoring)."""
    from index.cleaning import sentence_text
    from index.ingest import find_report_files, parse
    from index.readers import read_report_text
    from index.store import embed_text

    chunk_batches, sentence_batches = [], []
    for path in find_report_files([corpus_dir]):
        report = parse(read_report_text(path), str(path), chunk_tokens)
        chunk_batches.append([embed_text(report.meta.title, c.section, c.text) for c in report.chunks])
        sentence_batches.append([sentence_text(report.text[s:e]) for c in report.chunks for s, e in c.sentences])
    return chunk_batches, sentence_batches


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100, help="synthetic reports to generate (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--repeats", type=int, default=5, help="re-ingests of the unchanged corpus (default 5)")
    args = parser.parse_args(argv)
    if args.reports < 1:
        parser.error("--reports must be 1 or more")
    if args.repeats < 1:
        parser.error("--repeats must be 1 or more")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from assistant.service import Assistant
    from assistant.settings import Settings
    from benchmarks.synthetic import write_corpus

    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        corpus_dir, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        write_corpus(corpus_dir, args.reports, args.seed)
        settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir)

        started = time.perf_counter()
        assistant = Assistant(settings)
        open_s = time.perf_counter() - started
        embedder = assistant.embedder
        # Both timings below start with a warm model: its first call pays one-off set-up costs.
        embedder.get_text_embedding_batch(["预热：部门整体支出绩效自评报告。"])

        bar, progress = _progress_bar("ingest")
        started = time.perf_counter()
        result = assistant.ingest(progress=progress)
        pipeline_s = time.perf_counter() - started
        bar.close()
        for source, reason in result.failed:
            print(f"warning: {source} failed to ingest: {reason}", file=sys.stderr)
        counts = assistant.store.chunk_counts()
        chunks = sum(counts.values())

        started = time.perf_counter()
        batches, sentence_batches = chunk_texts(corpus_dir, settings.chunk_tokens)
        parse_s = time.perf_counter() - started
        raw_chunks = sum(len(b) for b in batches)
        if raw_chunks != chunks:
            print(f"warning: recomputed {raw_chunks} chunk texts, but the index holds {chunks}", file=sys.stderr)
        # The same batches as the ingester (one call per report), timed with nothing else around them.
        from tqdm import tqdm

        started = time.perf_counter()
        for batch in tqdm(batches, desc="embedder alone", unit="report", file=sys.stderr, disable=None, leave=False):
            embedder.get_text_embedding_batch(batch)
        raw_s = time.perf_counter() - started
        started = time.perf_counter()
        for batch in tqdm(sentence_batches, desc="sentences alone", unit="report", file=sys.stderr, disable=None, leave=False):
            embedder.get_text_embedding_batch(batch)
        sentence_s = time.perf_counter() - started
        sentences = sum(len(b) for b in sentence_batches)

        reingest = []
        changed = False
        for _ in range(args.repeats):
            started = time.perf_counter()
            again = assistant.ingest()
            reingest.append(time.perf_counter() - started)
            changed |= again.changed
        if changed:
            print("warning: re-ingesting the unchanged corpus changed the index", file=sys.stderr)

    raw_s += sentence_s  # the embedder alone does what the pipeline embeds: chunks and their sentences
    overhead = pipeline_s / raw_s if raw_s else float("nan")
    median_reingest = statistics.median(reingest)
    print(f"ingest benchmark · {args.reports} synthetic reports (seed {args.seed}) · embedder {embedder.signature}")
    print(f"  opening the assistant (model load)    {open_s:8.2f} s")
    print(f"  reports indexed                       {len(result.added):8d}   ({len(result.failed)} failed)")
    print(f"  chunks                                {chunks:8d}")
    print(f"  pipeline, fresh index                 {pipeline_s:8.2f} s   {chunks / pipeline_s:7.2f} chunks/s")
    print(f"  embedder alone, chunks + sentences    {raw_s:8.2f} s   {raw_chunks / raw_s:7.2f} chunks/s")
    print(f"    of which the sentences (for answers) {sentence_s:8.2f} s   {sentences} sentences, {sentences / max(sentence_s, 1e-9):7.2f} sentences/s")
    print(f"  pipeline work besides embedding       {pipeline_s - raw_s:8.2f} s   ({(pipeline_s - raw_s) / max(chunks, 1) * 1000:.1f} ms/chunk)")
    print(f"    of which read + parse + chunk (warm) {parse_s:8.2f} s   (timed again on its own)")
    print(f"  overhead, pipeline / embedder alone   {overhead:8.3f} ×   target ≤ {TARGET_OVERHEAD:.2f} ×")
    runs = ", ".join(f"{s:.3f}" for s in reingest)
    print(f"  re-ingest unchanged, median of {len(reingest):<2d}     {median_reingest:8.3f} s   target < {TARGET_REINGEST_S:.0f} s   (runs: {runs})")
    if args.reports != 100:
        print(f"  (the re-ingest target is for 100 reports; this run had {args.reports})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
