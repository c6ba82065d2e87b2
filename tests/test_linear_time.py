"""Linear time on any text (issue 10): texts with no punctuation, one endless line, long runs of spaces.

No test here is timed. They check what a quadratic or recursive pipeline gets wrong on such text
(RecursionError, chunks over budget, figures quoting a whole megabyte), and count the characters
the chunker hands to the tokenizer: doubling the text must roughly double that count.
"""

from __future__ import annotations

import random

import pytest

import index.chunking as chunking
from benchmarks.text_scaling import corpus_paragraphs, report_text, single_line
from index.chunking import count_tokens, parse_report
from index.cleaning import clean, match_key, sentence_spans
from index.figures import extract_figures
from index.metadata import read_metadata
from index.models import Report
from index.sections import sections, segments

KB = 1024
BUDGET = 300
PARAGRAPHS = corpus_paragraphs()


def _without_punctuation(size: int, seed: int = 0) -> str:
    """About `size` bytes of the corpus's wording with no punctuation (PDF spaces kept), in lines
    long enough that cleaning joins them all into one sentence, as it does lines a page break cut."""
    rng = random.Random(seed)
    stripped = ["".join(c for c in p if c.isalnum() or c == " ").strip() for p in PARAGRAPHS]
    long_lines = [line for line in stripped if len(line) >= 40]
    lines, length = [], 0
    while length < size:
        line = rng.choice(long_lines)
        lines.append(line)
        length += len(line.encode("utf-8")) + 1
    return "\n".join(lines)


def _line(size: int, seed: int = 0) -> str:
    return single_line(PARAGRAPHS, size, random.Random(seed))


@pytest.fixture(scope="module")
def megabyte_without_punctuation() -> str:
    return _without_punctuation(1024 * KB)


@pytest.fixture(scope="module")
def long_line() -> str:
    return _line(300 * KB)


def _report(text: str) -> Report:
    """A Report of `text`, its metadata read from its first lines only (metadata is not under test)."""
    return Report(read_metadata(text[:200], "test.txt"), text, sections=())


def _assert_exact_chunks_within_budget(text: str, chunks) -> None:
    assert chunks
    for a, b in zip(chunks, chunks[1:]):
        assert a.end <= b.start
        assert not (a.text[-1].isdigit() and b.text[0].isdigit()), (a.text[-10:], b.text[:10])
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert count_tokens(chunk.text) <= BUDGET
        assert all(chunk.start <= s < e <= chunk.end for s, e in chunk.sentences)
    joined = "".join(c.text for c in chunks)
    assert match_key(joined) == match_key(clean(text).text)


def test_a_megabyte_without_punctuation_is_chunked_within_budget(megabyte_without_punctuation):
    text = megabyte_without_punctuation
    assert len(text.encode("utf-8")) >= 1024 * KB
    cleaned = clean(text)
    (_, first_line_end), rest = sentence_spans(cleaned.text)  # the first line stands apart, as a title does
    assert rest == (first_line_end + 1, len(cleaned.text))  # the rest is one sentence, a megabyte long
    _assert_exact_chunks_within_budget(text, parse_report(text, "r1", "t", BUDGET))


def test_a_300_kb_single_line_is_chunked_within_budget(long_line):
    assert "\n" not in long_line and len(long_line.encode("utf-8")) >= 300 * KB
    chunks = parse_report(long_line, "r1", "t", BUDGET)
    _assert_exact_chunks_within_budget(long_line, chunks)
    # Pieces are as long as the budget allows, not cut short.
    assert sum(count_tokens(c.text) for c in chunks) / len(chunks) > 0.9 * BUDGET


def _tokenized_chars(monkeypatch: pytest.MonkeyPatch, text: str) -> int:
    """Characters the chunker hands to the tokenizer while chunking `text`."""
    tokenize = chunking.get_tokenizer()
    handed: list[int] = []

    def counting(piece: str) -> list[int]:
        handed.append(len(piece))
        return tokenize(piece)

    monkeypatch.setattr(chunking, "get_tokenizer", lambda: counting)
    parse_report(text, "r1", "t", BUDGET)
    monkeypatch.undo()
    return sum(handed)


@pytest.mark.parametrize(
    "make",
    [lambda size: _line(size, seed=1), lambda size: _without_punctuation(size, seed=1), lambda size: report_text(PARAGRAPHS, size, random.Random(1))],
    ids=["single line", "no punctuation", "report"],
)
def test_tokenizing_grows_linearly_with_the_text(monkeypatch, make):
    small, large = make(150 * KB), make(300 * KB)
    growth = _tokenized_chars(monkeypatch, large) / _tokenized_chars(monkeypatch, small)
    size_growth = len(large) / len(small)
    assert growth < 1.25 * size_growth, (growth, size_growth)


def test_figures_in_a_single_line_quote_their_clauses_not_the_line(long_line):
    text = "一、部门基本情况\n" + long_line[: 100 * KB] + "基本支出1193.43万元" + long_line[100 * KB : 200 * KB]
    figures = extract_figures(_report(text))
    assert any(f.metric == "基本支出" and f.value == 1193.43 for f in figures)
    for figure in figures:
        assert text[figure.start : figure.end] == figure.quote
        assert len(figure.quote) <= 600


def test_long_runs_of_spaces_and_blank_lines_are_read_once():
    spaces = " " * 200_000
    text = (
        f"某局绩效自评报告\n\n一、部门基本情况\n\n基本支出1193.43万元。{spaces}\n{spaces}\n"
        f"- 3 -{spaces}\n\n二、预算情况\n\n收入\t{spaces}合计100万元\n{spaces}x{spaces}y"
    )
    cleaned = clean(text)
    assert "- 3 -" not in cleaned.text
    assert [s.label for s in sections(cleaned)] == ["一、部门基本情况", "二、预算情况"]
    figures = extract_figures(_report(text))
    assert ("基本支出", 1193.43) in {(f.metric, f.value) for f in figures}
    _assert_exact_chunks_within_budget(text, parse_report(text, "r1", "t", BUDGET))


def test_thousands_of_headings_each_end_at_the_next_of_their_rank():
    parts = []
    for i in range(1, 2001):
        parts += [f"{'一二三四五六七八九'[i % 9]}、第{i}部分", f"（一）第{i}部分的第一节", "正文。", "1、小节", "正文。"]
    text = "\n".join(parts)
    cleaned = clean(text)
    found = sections(cleaned)
    assert len(found) == 2000 * 3
    tops = [s for s in found if len(s.path) == 1]
    assert all(a.end <= b.start for a, b in zip(tops, tops[1:]))
    assert all(text[s.start : s.end].count("、第") == 1 for s in tops)
    assert len(segments(cleaned)) == 2000 * 2  # a bare heading opens the segment of the text under it
