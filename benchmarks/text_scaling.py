"""Text scaling benchmark: cleaning, sections, chunking and figures on texts of 1 to 50 MB.

    python -m benchmarks.text_scaling                          # 1, 10, 50 MB reports + 1, 5 MB lines (minutes)
    python -m benchmarks.text_scaling --sizes 1 --lines 1      # a quick check that it runs

Issue 10 asks for time linear in the text. Each text is built in memory from the paragraphs of
`corpus/*.txt`: a real-shaped report of N MB (paragraphs drawn at random, their sentences
shuffled and their digits redrawn, so that cleaning does not drop them as repeats), and a single
line of N MB with the punctuation and spaces taken out. Each is timed through `clean`, `sections`,
`parse_report` (which cleans again, finds the segments and chunks) and `extract_figures`, and
nothing is embedded. Seconds per MB that stay flat from size to size mean linear time.
This script only measures and prints; it never fails.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
MB = 1024 * 1024
_SENTENCE = re.compile(r"[^。！？；;]*[。！？；;]?")
_NOT_WORDS = re.compile(r"[^\w]|_")  # punctuation and spaces: all that is not a letter or a digit


def corpus_paragraphs(corpus_dir: Path = CORPUS) -> list[str]:
    """The non-empty paragraphs of the shipped reports."""
    paragraphs = []
    for path in sorted(corpus_dir.glob("*.txt")):
        paragraphs += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return paragraphs


def report_text(paragraphs: list[str], size: int, rng: random.Random) -> str:
    """About `size` bytes of report-shaped text: headings, prose and figures in the corpus's own words."""
    parts, length = [], 0
    while length < size:
        paragraph = _reshuffled(rng.choice(paragraphs), rng)
        parts.append(paragraph)
        length += len(paragraph.encode("utf-8")) + 2
    return "\n\n".join(parts)


def _reshuffled(paragraph: str, rng: random.Random) -> str:
    """The paragraph with its sentences in another order and other digits, so no two copies repeat."""
    sentences = [s for s in _SENTENCE.findall(paragraph) if s]
    if len(sentences) > 1 and not sentences[0].startswith(("一", "二", "三", "四", "五", "（", "(")):
        rng.shuffle(sentences)
    return re.sub(r"\d", lambda _: str(rng.randrange(10)), "".join(sentences))


def single_line(paragraphs: list[str], size: int, rng: random.Random) -> str:
    """About `size` bytes on one line with no punctuation and no spaces: one endless sentence."""
    words = [_NOT_WORDS.sub("", p) for p in paragraphs]
    parts, length = [], 0
    while length < size:
        part = rng.choice(words)
        parts.append(part)
        length += len(part.encode("utf-8"))
    return "".join(parts)


def time_pipeline(text: str, chunk_tokens: int) -> dict[str, float | int]:
    """Seconds spent in each step on `text`, plus what came out."""
    from index.chunking import parse_report
    from index.cleaning import clean
    from index.figures import extract_figures
    from index.metadata import read_metadata
    from index.models import Report
    from index.sections import sections

    timings: dict[str, float | int] = {}

    def timed(step: str, work: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = work()
        timings[step] = time.perf_counter() - started
        return result

    cleaned = timed("clean", lambda: clean(text))
    found = timed("sections", lambda: sections(cleaned))
    chunks = timed("chunking", lambda: parse_report(text, "bench", "基准报告", chunk_tokens))
    report = Report(meta=read_metadata(text, "bench"), text=text, sections=found, chunks=chunks)
    figures = timed("figures", lambda: extract_figures(report))
    timings["chunks"] = len(chunks)
    timings["figures found"] = len(figures)
    return timings


def _sizes(value: str) -> list[float]:
    try:
        sizes = [float(s) for s in value.split(",") if s.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of sizes in MB: {value}") from error
    if any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be above 0")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.text_scaling", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[1, 10, 50], help="report-shaped texts, MB (default 1,10,50)")
    parser.add_argument("--lines", type=_sizes, default=[1, 5], help="one-line texts, no punctuation, MB (default 1,5)")
    parser.add_argument("--chunk-tokens", type=int, default=300, help="chunk budget in tokens (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="seed for drawing the paragraphs (default 0)")
    args = parser.parse_args(argv)

    paragraphs = corpus_paragraphs()
    rng = random.Random(args.seed)
    texts: list[tuple[str, Callable[[], str]]] = []
    for size in args.sizes:
        texts.append((f"report {size:g} MB", lambda size=size: report_text(paragraphs, int(size * MB), rng)))
    for size in args.lines:
        texts.append((f"one line {size:g} MB", lambda size=size: single_line(paragraphs, int(size * MB), rng)))

    budget = f"budget {args.chunk_tokens} tokens"
    print(f"text scaling benchmark · paragraphs of {CORPUS.name}/*.txt · {budget} · seed {args.seed}")
    columns = ("clean", "sections", "chunking", "figures", "total s", "s/MB", "chunks", "figures")
    print(f"  {'text':<16} {'MB':>6} " + " ".join(f"{c:>8}" for c in columns))
    for name, build in texts:
        text = build()
        size = len(text.encode("utf-8")) / MB
        print(f"  {name:<16} {size:6.2f} ", end="", flush=True)
        t = time_pipeline(text, args.chunk_tokens)
        total = t["clean"] + t["sections"] + t["chunking"] + t["figures"]
        seconds = (t["clean"], t["sections"], t["chunking"], t["figures"], total, total / size)
        print(" ".join(f"{s:8.2f}" for s in seconds) + f" {t['chunks']:8d} {t['figures found']:8d}", flush=True)
        del text
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory {peak_mb:.0f} MB · seconds are wall time; flat s/MB from size to size means linear time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
