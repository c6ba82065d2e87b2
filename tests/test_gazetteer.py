"""Places from the gazetteer, and organisations a question names that no indexed report is from."""

from __future__ import annotations

import pytest

from assistant.query import abbreviates
from index.gazetteer import divisions, places_in


def test_the_gazetteer_knows_levels_and_short_names():
    wangcheng = next(d for d in divisions() if d.name == "望城区")
    assert (wangcheng.level, wangcheng.city, wangcheng.short) == ("county", "长沙市", "望城")
    assert {d.level for d in divisions()} == {"province", "city", "county"}


def test_places_in_a_question_longest_first():
    assert [(n, p) for n, p, _ in places_in("长沙市万名干部进企业活动交办给望城多少事项")] == [("长沙市", 0), ("望城", 15)]


@pytest.mark.parametrize(("short", "known"), [("市监局", True), ("科工信局", True), ("火星局", False)])
def test_abbreviations_keep_characters_in_order(short, known):
    assert abbreviates(short, ["鹰潭市市场监督管理局", "常宁市科技和工业信息化局"]) is known


@pytest.mark.parametrize(
    "question",
    ["火星局的基本支出是多少？", "株洲市工信局的基本支出是多少", "长沙县工信局花了多少钱", "衡阳市科技局有几个人", "水务集团的预算是多少"],
)
def test_organisations_not_indexed_are_refused(shipped_assistant, question):
    answer = shipped_assistant.ask(question)
    assert answer.abstained and "没有收录" in answer.answer and not answer.citations


def test_a_company_a_report_writes_about_is_not_an_organisation_not_indexed(shipped_assistant):
    query = shipped_assistant.understand("铜官陶瓷公司4050人员生活费等方面的专项安排了多少钱？")
    assert query.missing is None


def test_a_place_inside_a_fact_is_not_a_bureau(shipped_assistant):
    query = shipped_assistant.understand("长沙市万名干部进企业活动交办给望城多少事项")
    assert query.missing is None and [r.bureau for r in query.reports] == ["长沙市望城区工业和信息化局"]


def test_a_follow_up_with_nothing_before_asks_what_is_meant(shipped_assistant):
    answer = shipped_assistant.ask("那常宁呢？")
    assert answer.abstained and "请把问题说完整" in answer.answer


def test_a_party_affiliation_before_the_places_is_passed_over():
    from index.gazetteer import leading_division

    division, end = leading_division("中共永兴县委组织部")
    assert (division.name, division.city, end) == ("永兴县", "郴州市", 5)
    assert leading_division("中共中央办公厅") == (None, 0)
    division, end = leading_division("国家税务总局长沙市望城区税务局")
    assert (division.name, end) == ("望城区", 12)


def test_an_autonomous_county_goes_by_its_short_name_and_level():
    gongcheng = next(d for d in divisions() if d.name == "恭城瑶族自治县")
    assert gongcheng.names == {"恭城瑶族自治县", "恭城", "恭城县"}
