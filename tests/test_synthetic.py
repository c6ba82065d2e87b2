"""The synthetic report generator: deterministic, varied, and truthful about the figures it writes."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.synthetic import (
    BASES,
    CHECK_NAMES,
    KEY_MONEY_METRICS,
    KINDS,
    PROJECT_PART_PREFIX,
    RATE_METRICS,
    STAFF_METRICS,
    SyntheticReport,
    figure_checks,
    generate_corpus,
    generate_report,
    main,
    write_corpus,
)

REPO = Path(__file__).resolve().parents[1]

FUNCTIONAL_LINES = {
    "一般公共服务支出",
    "科学技术支出",
    "社会保障和就业支出",
    "卫生健康支出",
    "城乡社区支出",
    "农林水支出",
    "资源勘探工业信息等支出",
    "住房保障支出",
    "灾害防治及应急管理支出",
    "教育支出",
    "节能环保支出",
    "粮油物资储备支出",
    "商业服务业等支出",
    "自然资源海洋气象等支出",
}
BUREAU_TYPES = (
    "科技和工业信息化局",
    "工业和信息化局",
    "发展和改革局",
    "财政局",
    "商务局",
    "教育局",
    "农业农村局",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "自然资源局",
    "应急管理局",
    "卫生健康局",
)
PAGE_NUMBER = re.compile(r"\n+\s*-\s*\d+\s*-\s*\n+")
NUMBER_WITH_UNIT = re.compile(r"(\d+(?:\.\d+)?)(万元|万|亿元|人|个|家|%|次)")


@pytest.fixture(scope="module")
def corpus() -> list[SyntheticReport]:
    return generate_corpus(50, seed=0)


@pytest.fixture(scope="module")
def big_corpus() -> list[SyntheticReport]:
    return generate_corpus(300, seed=7)


def squeezed(text: str) -> str:
    """The text as graders compare it: page numbers dropped, all whitespace removed."""
    return "".join(PAGE_NUMBER.sub("", text).split())


def stated(text: str) -> set[tuple[float, str]]:
    """Every (number, unit) pair in the text, 万 read as 万元."""
    return {(round(float(n), 2), "万元" if u == "万" else u) for n, u in NUMBER_WITH_UNIT.findall(squeezed(text))}


# ---- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_report() -> None:
    assert generate_report(42) == generate_report(42)
    assert generate_report(42).text == generate_report(42).text


def test_different_seeds_give_different_reports() -> None:
    texts = {generate_report(seed).text for seed in range(20)}
    assert len(texts) == 20


def test_corpus_is_deterministic_and_seed_dependent() -> None:
    assert generate_corpus(10, seed=3) == generate_corpus(10, seed=3)
    assert [r.text for r in generate_corpus(10, seed=3)] != [r.text for r in generate_corpus(10, seed=4)]


def test_corpus_does_not_depend_on_hash_seed() -> None:
    code = (
        "import hashlib; from benchmarks.synthetic import generate_corpus;"
        "print(hashlib.sha256(''.join(r.text for r in generate_corpus(5, seed=11)).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    here = hashlib.sha256("".join(r.text for r in generate_corpus(5, seed=11)).encode()).hexdigest()
    assert out.stdout.strip() == here


# ---- shape and metadata -------------------------------------------------------------------------


def test_reports_have_realistic_length(corpus: list[SyntheticReport]) -> None:
    lengths = [len(r.text) for r in corpus]
    assert all(3000 <= n <= 12000 for n in lengths), lengths


def test_metadata_matches_the_text(corpus: list[SyntheticReport]) -> None:
    for r in corpus:
        lines = [line.strip() for line in r.text.splitlines() if line.strip()]
        assert lines[0] == r.title
        assert r.bureau in r.title
        assert str(r.year) in r.title
        assert 2019 <= r.year <= 2024
        assert r.kind in KINDS
        assert r.file_name.endswith(".txt") and r.file_name.isascii()
        assert r.province and r.city and r.bureau.endswith(BUREAU_TYPES)
        assert (r.county or r.city) in r.bureau
        if r.county is not None and r.county.endswith("区"):
            assert r.bureau.startswith(r.city + r.county)
        assert "望城" not in r.bureau and "常宁" not in r.bureau


def test_kind_follows_the_title(corpus: list[SyntheticReport]) -> None:
    for r in corpus:
        if r.kind == "绩效情况说明":
            assert "说明" in r.title
        elif r.kind == "项目支出绩效自评报告":
            assert "项目支出绩效自评" in r.title
        else:
            assert "整体支出" in r.title


def test_signed_reports_end_with_bureau_and_date(corpus: list[SyntheticReport]) -> None:
    signed = [r for r in corpus if r.signed]
    assert 5 < len(signed) < len(corpus) - 5
    for r in signed:
        y, m, d = (int(x) for x in r.signed.split("-"))
        assert y == r.year + 1
        lines = [line.strip() for line in r.text.splitlines() if line.strip()]
        assert lines[-1] == f"{y}年{m}月{d}日"
        assert lines[-2] == r.bureau
    for r in corpus:
        if not r.signed:
            assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日\s*$", r.text)


def test_skeleton_has_numbered_sections(corpus: list[SyntheticReport]) -> None:
    for r in corpus:
        firsts = re.findall(r"^([一二三四五六七])、", r.text, flags=re.MULTILINE)
        assert firsts[:5] == ["一", "二", "三", "四", "五"], (r.file_name, firsts)


# ---- variety ------------------------------------------------------------------------------------


def test_corpus_has_distinct_bureau_years(big_corpus: list[SyntheticReport]) -> None:
    pairs = [(r.bureau, r.year) for r in big_corpus]
    assert len(set(pairs)) == len(pairs)
    per_bureau = Counter(r.bureau for r in big_corpus)
    assert max(per_bureau.values()) >= 2  # the same bureau over several years, for year comparisons
    assert len({r.file_name for r in big_corpus}) == len(big_corpus)


def test_variety_across_fifty_reports(corpus: list[SyntheticReport]) -> None:
    types = {next(t for t in BUREAU_TYPES if r.bureau.endswith(t)) for r in corpus}
    assert len(types) >= 6, types
    assert len({r.bureau for r in corpus}) >= 15
    assert len({r.province for r in corpus}) >= 3
    assert len({r.city for r in corpus}) >= 5
    assert any(r.county is None for r in corpus)  # city-level bureaus
    assert any(r.county and r.county.endswith("区") for r in corpus)
    assert any(r.county and r.county[-1] in "县市" for r in corpus)
    assert len({r.year for r in corpus}) >= 5
    assert set(Counter(r.kind for r in corpus)) == set(KINDS)
    shapes = {r.title.replace(r.bureau, "B").replace(str(r.year), "Y").replace(" ", "") for r in corpus}
    assert len(shapes) >= 6, shapes


@pytest.mark.parametrize(
    "pattern",
    [
        r"^（一）",
        r"^\(一\)",
        r"^\d+、",
        r"^\d+\.",
        r"^（\d+）",
        r"^\(\d+\)",
        r"^[一二三四五]、部门概况",
        r"^[一二三四五]、部门基本情况",
        r"、评价结论$",
        r"改进措施$",
    ],
)
def test_heading_styles_all_occur(corpus: list[SyntheticReport], pattern: str) -> None:
    assert any(re.search(pattern, r.text, flags=re.MULTILINE) for r in corpus), pattern


def test_pdf_damage_occurs(corpus: list[SyntheticReport]) -> None:
    spaced = [r for r in corpus if re.search(r"[\u4e00-\u9fff] \d+(\.\d+)? [\u4e00-\u9fff]", r.text)]
    half_width = [r for r in corpus if re.search(r"[\u4e00-\u9fff][,;][\u4e00-\u9fff]", r.text)]
    full_width = [r for r in corpus if "，" in r.text and "；" in r.text]
    assert len(spaced) >= 5 and len(spaced) < len(corpus)
    assert len(half_width) >= 5 and len(full_width) >= 5

    def broken(r: SyntheticReport) -> bool:
        # A body line that stops mid-sentence: what a page break leaves behind.
        lines = [line.strip() for line in r.text.splitlines() if line.strip()][1:]
        return any(len(line) > 24 and line[-1] not in "。：:；;" and line != r.bureau for line in lines)

    assert sum(broken(r) for r in corpus) >= 25

    def printed_twice(r: SyntheticReport) -> bool:
        items = re.findall(r"^\d+[、.．](.+)$", r.text, flags=re.MULTILINE)
        return any(a == b for a, b in itertools.pairwise(items))

    assert any(printed_twice(r) for r in corpus)


# ---- figures ------------------------------------------------------------------------------------


def test_figures_use_the_shared_vocabulary(big_corpus: list[SyntheticReport]) -> None:
    for r in big_corpus:
        metrics = [f.metric for f in r.figures]
        assert len(metrics) == len(set(metrics)), r.file_name
        assert "基本支出" in metrics and "项目支出" in metrics
        for f in r.figures:
            money = f.metric in KEY_MONEY_METRICS or f.metric in FUNCTIONAL_LINES
            if money or f.metric.startswith(PROJECT_PART_PREFIX):
                assert f.unit == "万元", f
            elif f.metric in RATE_METRICS:
                assert f.unit == RATE_METRICS[f.metric], f
            else:
                assert STAFF_METRICS.get(f.metric) == f.unit, f
            if f.metric in ("基本支出", "项目支出"):
                assert f.basis is None or f.basis in BASES
            else:
                assert f.basis is None, f
            assert f.value >= 0 and round(f.value, 2) == f.value
        bases = {f.basis for f in r.figures if f.metric in ("基本支出", "项目支出")}
        assert len(bases) == 1


def test_every_figure_is_stated_in_the_text(big_corpus: list[SyntheticReport]) -> None:
    for r in big_corpus:
        numbers = stated(r.text)
        flat = squeezed(r.text)
        for f in r.figures:
            assert (f.value, f.unit) in numbers, (r.file_name, f)
            if f.metric.startswith(PROJECT_PART_PREFIX):
                assert f.metric.removeprefix(PROJECT_PART_PREFIX) in flat, (r.file_name, f)
            elif f.metric in FUNCTIONAL_LINES:
                assert f.metric in flat, (r.file_name, f)


def test_basis_words_sit_beside_their_figures(big_corpus: list[SyntheticReport]) -> None:
    seen = set()
    for r in big_corpus:
        flat = squeezed(r.text)
        for f in r.figures:
            if f.basis is None:
                continue
            seen.add(f.basis)
            hits = [m.start() for m in NUMBER_WITH_UNIT.finditer(flat) if m.group(2).startswith("万") and float(m.group(1)) == f.value]
            assert any(f.basis in flat[max(0, h - 30) : h] for h in hits), (r.file_name, f)
    assert seen == set(BASES)


def test_sums_hold_except_where_declared_broken(big_corpus: list[SyntheticReport]) -> None:
    for r in big_corpus:
        checks = figure_checks(r.figures)
        assert len(r.inconsistent_checks) <= 1
        for name in r.inconsistent_checks:
            assert name in CHECK_NAMES
            assert name in checks, (r.file_name, name)
        for name, (total, parts) in checks.items():
            if name in r.inconsistent_checks:
                assert abs(total - parts) >= 0.995, (r.file_name, name, total, parts)
            else:
                assert abs(total - parts) < 0.005, (r.file_name, name, total, parts)
        values = {f.metric: f.value for f in r.figures}
        if "人员经费" in values:
            assert abs(values["人员经费"] + values["公用经费"] - values["基本支出"]) < 0.005


def test_about_fifteen_percent_break_a_check(big_corpus: list[SyntheticReport]) -> None:
    broken = [r for r in big_corpus if r.inconsistent_checks]
    assert 0.08 <= len(broken) / len(big_corpus) <= 0.25
    assert {name for r in broken for name in r.inconsistent_checks} == set(CHECK_NAMES)


def test_every_check_is_exercised(big_corpus: list[SyntheticReport]) -> None:
    exercised = Counter(name for r in big_corpus for name in figure_checks(r.figures))
    assert set(exercised) == set(CHECK_NAMES)
    assert min(exercised.values()) >= 50


def test_non_key_figures_are_present_but_not_listed(corpus: list[SyntheticReport]) -> None:
    for r in corpus:
        listed = {(f.value, f.unit) for f in r.figures}
        extra = {pair for pair in stated(r.text) if pair[1] in ("亿元", "家", "%")} - listed
        assert extra, r.file_name
        assert not any(f.unit in ("亿元", "家", "%", "次") for f in r.figures if f.metric not in RATE_METRICS)


# ---- files and CLI --------------------------------------------------------------------------------


def test_write_corpus_writes_distinct_utf8_files(tmp_path: Path) -> None:
    reports = write_corpus(tmp_path / "out", 5, seed=2)
    files = sorted((tmp_path / "out").glob("*.txt"))
    assert len(files) == 5
    assert sorted(f.name for f in files) == sorted(r.file_name for r in reports)
    texts = {f.read_text(encoding="utf-8") for f in files}
    assert texts == {r.text for r in reports}
    assert len(texts) == 5
    assert reports == generate_corpus(5, seed=2)


def test_main_writes_a_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path), "--count", "3", "--seed", "1"]) == 0
    assert len(list(tmp_path.glob("*.txt"))) == 3
    assert "wrote 3 reports" in capsys.readouterr().out


def test_module_runs_from_the_command_line(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "benchmarks.synthetic", str(tmp_path), "--count", "2", "--seed", "5"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    assert len(list(tmp_path.glob("*.txt"))) == 2


@pytest.mark.parametrize("count", [-1, 10**6])
def test_impossible_counts_are_refused(count: int) -> None:
    with pytest.raises(ValueError, match="count must be"):
        generate_corpus(count)
