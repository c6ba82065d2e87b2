"""Comparisons that agree with themselves: the table and each side's text come from the same cited evidence."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

PUBLISHED = Path(__file__).parent / "data" / "published"
pytestmark = pytest.mark.slow


def markers_in_reading_order(text: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", text)))


def assert_consistent(answer) -> None:
    """No side denies what the table cites for it; citation numbers follow reading order, table first."""
    for row in answer.table:
        for cell, side in zip(row.cells, answer.sides):
            if cell.citation is not None:
                assert not side.abstained, f"{side.bureau}: {side.answer}"
                assert cell.citation in {c.n for c in side.citations}
    order = markers_in_reading_order(answer.answer)
    assert order == list(range(1, len(order) + 1))
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert answer.answer.startswith("关键数据") == bool(answer.table)


@pytest.mark.parametrize("topic", ["项目支出", "基本支出", "三公经费", "一般公共预算拨款收入"])
def test_shipped_comparisons_agree_with_their_table(shipped_assistant, topic):
    answer = shipped_assistant.compare("常宁", "望城", topic)
    assert answer.table
    assert_consistent(answer)


def test_a_comparison_question_agrees_with_its_table(shipped_assistant):
    assert_consistent(shipped_assistant.ask("比较望城和常宁的基本支出"))


@pytest.fixture(scope="module")
def two_tables(tmp_path_factory):
    """Two self-evaluation tables (one as text cells, one as an HTML table) in a fresh index."""
    from test_tables import _html_table

    from assistant.service import Assistant
    from assistant.settings import Settings

    corpus = tmp_path_factory.mktemp("two_tables")
    shutil.copy(PUBLISHED / "table_cell_unit.txt", corpus)
    _html_table(corpus / "nanxian.html")
    assistant = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("index")))
    assert not assistant.ingest().failed
    return assistant


@pytest.mark.parametrize(
    ("question", "metric", "values"),
    [
        ("比较朝天水利局和南县住建局的自评得分", "自评得分", ["93.5", "95"]),
        ("朝天区水利局和南县住房和城乡建设局的预算执行率对比", "预算执行率", ["95.06", "95"]),
    ],
)
def test_two_tables_scores_and_execution_rates_side_by_side(two_tables, question, metric, values):
    answer = two_tables.ask(question)
    row = next(r for r in answer.table if r.metric == metric)
    assert [c.value for c in row.cells] == values
    assert_consistent(answer)
    for cell, side in zip(row.cells, answer.sides):
        assert cell.value in side.answer


def test_a_side_ends_on_a_full_sentence_or_says_what_is_left_out(shipped_assistant):
    answer = shipped_assistant.compare("望城", "常宁", "项目支出")
    wangcheng = next(side for side in answer.sides if "望城" in side.bureau)
    assert re.search(r"(?:。\[\d+\]|\[\d+\]另有\d+项未列出。)$", wangcheng.answer), wangcheng.answer
    assert "专项446万元" in wangcheng.answer  # the items after the first semicolon are read on, not dropped


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("临朐水利和宁城应急的预算执行率哪个高", "预算执行率"),  # a rate on its own asks its figure
        ("西峡和东游镇在职人数比一比", "在职人数是多少"),
        ("临朐水利和宁城应急的基本支出分别多少", "基本支出多少"),
        ("临朐水利和宁城应急存在的问题有啥不一样", "存在的问题"),
    ],
)
def test_a_which_is_higher_comparison_asks_each_side_for_its_figure(question, topic):
    from assistant.compare import comparison_topic

    assert comparison_topic(question, ["临朐水利", "宁城应急", "西峡", "东游镇"]) == topic


def test_what_is_compared_may_stand_inside_the_ask():
    from assistant.compare import comparison_topic

    assert comparison_topic("库车市监和六景镇自评谁分高", ["库车市监", "六景镇"]) == "自评分是多少"
    assert comparison_topic("威县发改和莒县卫健三公谁花得多", ["威县发改", "莒县卫健"]) == "三公花是多少"
    assert comparison_topic("洛川公路养护和弥勒高标准农田 哪个执行率高", ["洛川", "弥勒"]) == "公路养护高标准农田执行率"


def test_a_basis_named_picks_each_sides_figure_on_it_and_none_where_a_report_has_none():
    from assistant.compare import _first_by_metric
    from index.models import Figure

    def total(report: str, value: float, basis: str | None) -> Figure:
        return Figure(report, report, "总支出", value, "万元", basis, f"总支出{value}万元", 0, 10)

    yishui = [total("y", 1046.8, "年初预算"), total("y", 1362.55, "全年预算"), total("y", 1305.72, "实际")]
    assert _first_by_metric(yishui, "年初预算各多少")["总支出"].value == 1046.8
    assert _first_by_metric(yishui, "谁花的钱多")["总支出"].value == 1305.72
    assert _first_by_metric([total("a", 9265.87, None)], "年初预算各多少") == {}  # its sentences answer for it


def test_what_the_last_sides_clause_asks_after_its_de_is_asked_of_a_side_whose_clause_asks_nothing():
    from assistant.compare import side_topics
    from assistant.query import Mention

    question = "汝城医疗救助项目和泾县公共文化项目的群众满意度哪个高"
    mentions = [Mention("汝城", 0, ()), Mention("泾县", question.index("泾县"), ())]
    assert side_topics(question, mentions, ["汝城", "泾县"]) == ["医疗救助项目的群众满意度", "公共文化项目的群众满意度"]
