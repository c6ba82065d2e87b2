"""Tests for index.cleaning: page breaks joined, repeats dropped, offsets kept, matching keys."""

from __future__ import annotations

import pytest
from conftest import CHANGNING, WANGCHENG

from index.cleaning import clean, heading_level, match_key, sentence_spans

# The first line of a text is its title and is never joined, so small inputs start with one.
TITLE = "某局2021年度绩效自评报告\n\n"


def _cleaned_body(body: str) -> str:
    return clean(TITLE + body).text[len(TITLE) :]


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.fixture(scope="module")
def wangcheng() -> str:
    return WANGCHENG.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def changning() -> str:
    return CHANGNING.read_text(encoding="utf-8")


# --- the shipped reports --------------------------------------------------------------------


def test_wangcheng_page_break_inside_a_sentence_is_joined(wangcheng):
    assert "方面专\n\n项 446 万元" in wangcheng  # the damage is really there
    cleaned = clean(wangcheng).text
    assert "方面专项 446 万元;" in cleaned
    sentence = next(s for s in _sentences(cleaned) if "446 万元" in s)
    assert sentence == "铜官陶瓷公司 4050 人员生活费及留守处费用和留守人员工资、联社 4050 人员生活费、铸管厂精简退人员生活补助等方面专项 446 万元;"


def test_wangcheng_other_page_breaks_are_joined(wangcheng):
    cleaned = clean(wangcheng).text
    assert "发布“一提两免三补贴”硬核举措,率先全市为 41 家企业兑现" in cleaned
    assert "作为加快产业发展和提质增效的重要途径" in cleaned
    assert "2021年全年计划建设 5G 基站 2004 个" in cleaned


def test_wangcheng_repeated_measure_is_indexed_once(wangcheng):
    # 改进措施 3 and 4 differ only in their number and a page break inside 4.
    assert wangcheng.count("加大督查力度") == 2
    cleaned = clean(wangcheng).text
    assert cleaned.count("加大督查力度") == 1
    assert "3、加大督查力度" in cleaned
    assert "4、加大督查力度" not in cleaned
    assert cleaned.count("记入企业诚信记录") == 1
    # Nothing after the repeat is lost, and the kept measure is whole.
    assert cleaned.rstrip().endswith("追回已取得的专项资金，记入企业诚信记录。")


def test_first_occurrence_is_kept_and_short_repeats_are_not_dropped():
    measure = "加大督查力度。对专项资金进行不定期抽查，确保项目资金专款专用。"
    text = TITLE + f"1、{measure}\n\n2、完善工作机制。\n\n3、{measure}\n\n4、完善工作机制。\n"
    cleaned = clean(text).text
    assert cleaned.count(measure) == 1
    assert f"1、{measure}" in cleaned
    # A short line (under the duplicate threshold) may legitimately repeat.
    assert cleaned.count("完善工作机制。") == 2


def test_table_rows_repeated_by_a_later_table_are_kept():
    header = "项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分"
    empty = "上年结转资金\t0.00\t0.00\t0.00\t—\t—\t—"
    table = "项目名称\t{}\n\n{}\n\n年度资金总额\t{}\n\n{}\n\n"
    text = TITLE + table.format("营养餐项目", header, "1,280.00\t1,312.40", empty) + table.format("健身设施项目", header, "650.00\t720.00", empty)
    cleaned = clean(text).text
    assert cleaned.count(header) == 2 and cleaned.count(empty) == 2


@pytest.mark.parametrize("path", [WANGCHENG, CHANGNING], ids=["wangcheng", "changning"])
def test_origin_maps_every_cleaned_character_back(path):
    original = path.read_text(encoding="utf-8")
    result = clean(original)
    assert result.original == original
    assert len(result.origin) == len(result.text)
    assert all(original[o] == c for o, c in zip(result.origin, result.text))
    assert all(a < b for a, b in zip(result.origin, result.origin[1:]))


def test_span_in_original_recovers_the_damaged_original_sentence(wangcheng):
    result = clean(wangcheng)
    start = result.text.index("方面专项 446 万元")
    end = start + len("方面专项 446 万元")
    o_start, o_end = result.span_in_original(start, end)
    assert wangcheng[o_start:o_end] == "方面专\n\n项 446 万元"


def test_changning_is_left_alone(changning):
    # No page-break damage and no repeats: cleaning must not touch it.
    assert clean(changning).text == changning


# --- joining and not joining, on small inputs ----------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a sentence broken after a comma
        ("发布硬核举措,\n\n率先全市为 41 家企业兑现。", "发布硬核举措,率先全市为 41 家企业兑现。"),
        # a long line broken mid-word
        (
            "这是一句很长的句子没有结尾标点而且超过了三十个字符的长度限制所以应当被连接\n起来继续。",
            "这是一句很长的句子没有结尾标点而且超过了三十个字符的长度限制所以应当被连接起来继续。",
        ),
        # a number broken at its decimal point
        ("在全市十区县中排名第一，完成率 104.\n\n94%。", "在全市十区县中排名第一，完成率 104.94%。"),
        # spaces before the break and after it go too
        ("其中人员经费，公用经费 \n\n 446 万元。", "其中人员经费，公用经费446 万元。"),
    ],
    ids=["comma", "long-line", "decimal", "spaces"],
)
def test_broken_sentences_are_joined(body, expected):
    assert _cleaned_body(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "一、部门基本情况\n本局为全额拨款单位。",  # level-1 heading
        "（二）机构设置\n\n本局为财政全额拨款单位，内设五个科室。",  # level-2 heading
        "(一) 职能职责\n\n1、贯彻执行党和国家有关经济工作的方针。",  # heading, then a numbered item
        "本局共有编制，其中行政编制 15 个，工勤编制\n\n（一）职能职责",  # the next line is a heading
        "具体安排情况如下：\n\n（一）基本支出情况",  # a line ending with a colon
        "全年完成任务。\n\n2021年全年计划建设基站。",  # a finished sentence
        "常宁市科技和工业信息化局\n2023年8月29日\n",  # signature and date
        "五、评价结论\n\n1、经济运行稳中有增。\n\n2、重点工业项目顺利推进。",  # a list
    ],
    ids=["l1", "l2", "l2-then-l3", "before-heading", "colon", "sentence", "signature", "list"],
)
def test_headings_titles_and_signatures_are_not_joined(body):
    assert _cleaned_body(body) == body


def test_title_is_not_joined_to_the_first_heading():
    text = "\n\n2021年度长沙市望城区工业和信息化局 整体支出预算绩效自评报告\n\n一、部门基本情况\n\n(一) 职能职责\n"
    assert clean(text).text == text


# --- heading levels -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("一、部门基本情况", 1),
        ("十一、其他事项", 1),
        ("（一）职能职责", 2),
        ("(一) 职能职责", 2),
        ("1、预算编制工作有待细化", 3),
        ("12、完成市委交办事项", 3),
        ("1．负责全县应急管理", 3),
        ("四 、 存 在 的 问 题", 1),  # spaced out by a scan's OCR
        ("(1)项目资金", 4),
        ("（2）项目资金", 4),
        ("1.5 亿元用于技改", 0),  # a decimal number, not a clause number
        ("2.3 “三公”经费", 4),  # a numbered sub-heading under "2. 预算执行情况"
        ("3.1 第五次全国经济普查", 4),
        ("2021 年一般公共预算拨款收入", 0),
        ("本局为财政全额拨款单位", 0),
    ],
)
def test_heading_level(line, level):
    assert heading_level(line) == level


# --- sentences ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("预算编制不够细化。执行力度还要加强！是否达标？", ["预算编制不够细化。", "执行力度还要加强！", "是否达标？"]),
        ("专项 446 万元;铜官陶瓷 170 万元；日常专项 218 万元", ["专项 446 万元;", "铜官陶瓷 170 万元；", "日常专项 218 万元"]),
        ("他说：“不安全不生产。”然后整改。", ["他说：“不安全不生产。”", "然后整改。"]),
        ("获评“先进单位。”」下一句。", ["获评“先进单位。”」", "下一句。"]),
        ("五、评价结论\n1、经济运行稳中有增。\n", ["五、评价结论", "1、经济运行稳中有增。"]),
        ("同比增长 4.1%，完成率 104.94 %。", ["同比增长 4.1%，完成率 104.94 %。"]),  # decimal points never split
        ("  前后空白。  \n\n 下一句 ", ["前后空白。", "下一句"]),
        ("", []),
        ("\n\n  \n", []),
    ],
    ids=["marks", "semicolons", "closing-quote", "closers", "lines", "decimals", "whitespace", "empty", "blank"],
)
def test_sentence_spans(text, expected):
    assert _sentences(text) == expected


def test_sentence_spans_within_a_range_use_offsets_of_the_whole_text():
    text = "一、概况\n本局内设科室5个。编制17个。"
    start = text.index("本局")
    assert sentence_spans(text, start) == [(start, start + 9), (start + 9, start + 15)]
    assert text[start : start + 9] == "本局内设科室5个。"
    assert sentence_spans(text, start, start + 4) == [(start, start + 4)]


# --- matching keys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("２０２１年 ４４６ 万元", "2021年446万元"),
        ("2021 年\n\n446 万元", "2021年446万元"),
        ("（一）职能职责", "(一)职能职责"),
        ("收入：２２８４．４３万元，", "收入:2284.43万元,"),
        ("5G 基站\u3000建设", "5G基站建设"),
        ("Hello World 报告", "Hello World报告"),  # the gap between Latin words stays
    ],
)
def test_match_key_folds_width_and_spacing(text, key):
    assert match_key(text) == key


def test_match_key_treats_damaged_and_clean_text_alike():
    assert match_key("方面专\n\n项 446 万元;") == match_key("方面专项446万元；")


def test_a_full_width_page_number_of_a_scan_is_dropped():
    text = "一是人才流失较多。\n\u3000\u3000\u3000\u3000－３－\n四、存在的问题\n"
    assert clean(text).text == "一是人才流失较多。\n\n四、存在的问题\n"
