"""Query benchmark: warm `ask` latency (no LLM) against the bare query embedding, at scale, and cold start.

    python -m benchmarks.query                  # the shipped corpus, plus cold start
    python -m benchmarks.query --scale 1000     # also the shipped corpus plus 1,000 generated reports

The shipped corpus is indexed (or brought up to date) in a cache folder. `--scale N` builds an
index of the shipped corpus plus N generated reports once, in a persistent folder, and reuses it
on later runs. This script only measures and prints; it never fails on a missed target.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CORPUS = REPO / "corpus"
DEFAULT_QUESTIONS = REPO / "tests" / "data" / "qa_shared.jsonl"
CACHE = Path.home() / ".cache" / "report-assistant-bench"
MANIFEST = "bench-manifest.json"
SYNTHETIC_DIR = "synthetic-corpus"

# Targets from issue 3, item 10; printed next to the figures, never enforced.
TARGET_FLOOR_RATIO = 4.0  # p50 of ask / p50 of the bare query embedding, shipped corpus
TARGET_SCALE_P50_MS = 150.0  # at 1,000 generated reports
TARGET_COLD_S = 4.0  # process start to exit, existing index

# Used when the question file is missing: the usual kinds (figure, count, list, section, comparison,
# refusal) about the two shipped reports.
FALLBACK_QUESTIONS = (
    "望城区工信局2021年一般公共预算拨款收入是多少？",
    "望城区工信局机关共有多少个编制？",
    "望城区工信局机关内设哪些科室？",
    "望城区工信局的自评报告指出了哪些存在的问题？",
    "常宁市科技和工业信息化局2022年基本支出是多少？",
    "常宁市科工信局下设哪些事业单位？",
    "常宁市工业发展面临哪些生产要素制约？",
    "比较望城区工信局和常宁市科工信局的基本支出",
    "望城区工信局2021年三公经费是多少？",
    "长沙明天的天气怎么样？",
)


@dataclass
class Run:
    """Timings of one question set: ask totals and bare query embeddings, in milliseconds."""

    ask_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    abstained: set[str] = field(default_factory=set)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile, linearly interpolated between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def load_questions(path: Path) -> tuple[list[str], str]:
    """The questions of a JSONL question set, or the built-in list when the file is missing."""
    if not path.is_file():
        return list(FALLBACK_QUESTIONS), f"built-in list ({path} not found)"
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            questions.append(json.loads(line)["question"])
    return questions, str(path)


def _progress_bar(desc: str):
    """A tqdm bar on stderr and the `Progress` callback that drives it."""
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="report", file=sys.stderr, disable=None)

    def progress(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(name[-40:], refresh=True)

    return bar, progress


def open_assistant(index_dir: Path):
    from assistant.service import Assistant
    from assistant.settings import Settings

    return Assistant(Settings(corpus_dir=SHIPPED_CORPUS, index_dir=index_dir))


def measure(assistant, questions: Sequence[str], rounds: int) -> Run:
    """One untimed warm-up pass, then `rounds` passes timing `ask` and the bare query embedding."""
    from assistant.errors import AssistantError
    from index.errors import ReportIndexError

    run = Run()
    embedder = assistant.embedder
    for question in questions:
        try:
            if assistant.ask(question).abstained:
                run.abstained.add(question)
        except (AssistantError, ReportIndexError) as error:
            # A question the index cannot take (a comparison naming no bureau among many, say).
            run.errors[question] = f"{type(error).__name__}: {error}"
        embedder.get_query_embedding(question)
    timed = [q for q in questions if q not in run.errors]
    for _ in range(rounds):
        # Ask and floor side by side, so that both see the same load on the machine.
        for question in timed:
            run.ask_ms.append(assistant.ask(question).timings_ms["total"])
            started = time.perf_counter()
            embedder.get_query_embedding(question)
            run.floor_ms.append((time.perf_counter() - started) * 1000)
    return run


def print_run(label: str, run: Run, questions: int, rounds: int, target: str) -> None:
    ask50, ask95 = percentile(run.ask_ms, 50), percentile(run.ask_ms, 95)
    floor50, floor95 = percentile(run.floor_ms, 50), percentile(run.floor_ms, 95)
    timed = questions - len(run.errors)
    print(f"  {label}: {timed} questions × {rounds} rounds = {len(run.ask_ms)} asks")
    print(f"    ask (timings_ms.total)      p50 {ask50:8.1f} ms   p95 {ask95:8.1f} ms")
    print(f"    bare query embedding        p50 {floor50:8.1f} ms   p95 {floor95:8.1f} ms   (the floor)")
    print(f"    ask p50 / floor p50         {ask50 / floor50:8.2f} ×   {target}")
    for question, error in run.errors.items():
        print(f"    not timed (raised): {question} → {error[:120]}")


def shipped_index(index_dir: Path):
    """The shipped corpus's index, built or brought up to date (unchanged reports are skipped)."""
    assistant = open_assistant(index_dir)
    bar, progress = _progress_bar("index shipped corpus")
    started = time.perf_counter()
    result = assistant.ingest([SHIPPED_CORPUS], prune=True, progress=progress)
    bar.close()
    return assistant, time.perf_counter() - started, result


def _shipped_digest() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(SHIPPED_CORPUS.iterdir()) if p.is_file()}


def scale_index(index_dir: Path, count: int, seed: int):
    """The shipped corpus plus `count` generated reports: reused when the folder's manifest matches, else built.

    The manifest is written only after a complete build. An interrupted build resumes: ingest is
    incremental, so reports already stored are skipped.
    """
    from benchmarks.synthetic import write_corpus

    assistant = open_assistant(index_dir)
    wanted = {
        "scale": count,
        "seed": seed,
        "embedder": assistant.embedder.signature,
        "chunk_tokens": assistant.settings.chunk_tokens,
        "shipped": _shipped_digest(),
    }
    manifest_path = index_dir / MANIFEST
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        indexed = len(assistant.reports())
        if {k: manifest.get(k) for k in wanted} == wanted and indexed == count + len(wanted["shipped"]):
            return assistant, manifest, False
        print(
            f"  the index at {index_dir} does not match this run ({indexed} reports); bringing it up to date",
            file=sys.stderr,
        )
    synthetic_dir = index_dir / SYNTHETIC_DIR
    reports = write_corpus(synthetic_dir, count, seed)
    bar, progress = _progress_bar(f"index shipped + {count} generated")
    started = time.perf_counter()
    result = assistant.ingest([SHIPPED_CORPUS, synthetic_dir], prune=True, progress=progress)
    build_s = time.perf_counter() - started
    bar.close()
    for source, reason in result.failed:
        print(f"warning: {source} failed to ingest: {reason}", file=sys.stderr)
    manifest = {
        **wanted,
        "build_s": round(build_s, 1),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "added": len(result.added) + len(result.replaced),
        "reports": [[r.bureau, r.year] for r in reports],
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return assistant, manifest, True


def cold_start(index_dir: Path, question: str, runs: int) -> list[float]:
    """Seconds from starting `python -m assistant ask … --json` to its exit, against an existing index."""
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir)}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "ask", question, "--json"],
            check=False,
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            print(f"    warning: exit status {done.returncode}: {done.stderr.strip()[-300:]}", file=sys.stderr)
        else:
            try:
                json.loads(done.stdout)["timings_ms"]["total"]
            except (ValueError, KeyError) as error:
                print(f"    warning: the output is not the ask JSON ({error})", file=sys.stderr)
    return times


def print_cold(label: str, times: list[float]) -> None:
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(f"  cold start, {label}: median of {len(times)} {statistics.median(times):6.2f} s   target < {TARGET_COLD_S:.0f} s   (runs: {runs})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.query", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help=f"JSONL question set (default {DEFAULT_QUESTIONS})")
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the questions (default 5)")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="also benchmark the shipped corpus plus this many generated reports (e.g. 1000)",
    )
    parser.add_argument(
        "--index-dir",
        type=Path,
        help=f"persistent index for --scale (default {CACHE}/scale-N); reused when already built",
    )
    parser.add_argument(
        "--shipped-index-dir",
        type=Path,
        default=CACHE / "shipped",
        help="index of the shipped corpus (default %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated corpus (default 0)")
    parser.add_argument("--generated-questions", type=int, default=20, help="questions about generated bureaus at scale (default 20)")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold-start runs (default 3; 0 skips them)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    if args.scale < 0 or args.generated_questions < 0 or args.cold_runs < 0:
        parser.error("--scale, --generated-questions and --cold-runs must be 0 or more")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    questions, source = load_questions(args.questions)
    shipped_dir = args.shipped_index_dir.expanduser()
    assistant, ingest_s, result = shipped_index(shipped_dir)
    chunks = sum(assistant.store.chunk_counts().values())
    print(f"query benchmark · embedder {assistant.embedder.signature} · no LLM · questions: {source}")
    print(
        f"  shipped corpus: {len(assistant.reports())} reports, {chunks} chunks, index {shipped_dir}"
        f" (ingest {ingest_s:.1f} s: {len(result.added) + len(result.replaced)} embedded, {len(result.unchanged)} unchanged)"
    )
    run = measure(assistant, questions, args.rounds)
    print_run("shipped corpus", run, len(questions), args.rounds, f"target ≤ {TARGET_FLOOR_RATIO:.0f} ×")
    del assistant
    if args.cold_runs:
        print_cold("shipped index", cold_start(shipped_dir, questions[0], args.cold_runs))

    if args.scale:
        scale_dir = (args.index_dir or CACHE / f"scale-{args.scale}").expanduser()
        assistant, manifest, built = scale_index(scale_dir, args.scale, args.seed)
        chunks = sum(assistant.store.chunk_counts().values())
        how = "built now" if built else f"reused, built {manifest['built_at']}"
        print(
            f"  at scale: shipped + {args.scale} generated = {len(assistant.reports())} reports, {chunks} chunks,"
            f" index {scale_dir} ({how}; build took {manifest['build_s']:.0f} s)"
        )
        pairs = manifest["reports"]
        picked = random.Random(args.seed).sample(pairs, min(args.generated_questions, len(pairs)))
        generated = [f"{bureau}{year}年基本支出是多少？" for bureau, year in picked]
        mixed = measure(assistant, questions + generated, args.rounds)
        # Split the interleaved timings back into the two question groups, for the breakdown.
        generated_set = set(generated)
        timed = [q for q in questions + generated if q not in mixed.errors]
        is_generated = [q in generated_set for q in timed] * args.rounds
        run_generated = [t for t, g in zip(mixed.ask_ms, is_generated) if g]
        run_shipped = [t for t, g in zip(mixed.ask_ms, is_generated) if not g]
        n_generated = sum(q in generated_set for q in timed)
        print_run(
            f"at scale ({len(timed) - n_generated} from the set + {n_generated} about generated bureaus)",
            mixed,
            len(questions) + len(generated),
            args.rounds,
            "(no target at scale)",
        )
        print(f"    ask p50, all questions      {percentile(mixed.ask_ms, 50):8.1f} ms   target < {TARGET_SCALE_P50_MS:.0f} ms")
        print(f"    question-set questions      p50 {percentile(run_shipped, 50):8.1f} ms   p95 {percentile(run_shipped, 95):8.1f} ms")
        print(f"    generated-bureau questions  p50 {percentile(run_generated, 50):8.1f} ms   p95 {percentile(run_generated, 95):8.1f} ms")
        # An abstention for a report that is not indexed skips retrieval: a fast path, not a search.
        refused = sorted(mixed.abstained & generated_set)
        print(
            f"    generated-bureau questions abstained: {len(refused)} of {n_generated}"
            + ("   (each of these is indexed: the timings above are partly the no-search path)" if refused else "")
        )
        for question in refused[:5]:
            print(f"      abstained: {question}")
        del assistant
        if args.cold_runs:
            print_cold(
                f"index of {args.scale + len(manifest['shipped'])} reports",
                cold_start(scale_dir, questions[0], args.cold_runs),
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
