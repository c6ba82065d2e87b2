"""Tests for index.metadata: what a report says about itself, read from its text alone."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import CHANGNING, WANGCHENG

from benchmarks.synthetic import generate_corpus
from index.metadata import aliases, compact, corrected, find_kind, find_signed_date, find_title, read_metadata
from index.readers import read_report_text

BODY = "\n\n一、部门基本情况\n\n本局内设科室5个，年末在职人数25人。\n\n二、评价结论\n\n1、经济运行稳中有增。\n"


def _fields(meta) -> dict:
    return {
        "title": meta.title,
        "bureau": meta.bureau,
        "province": meta.province,
        "city": meta.city,
        "county": meta.county,
        "year": meta.year,
        "signed": meta.signed,
        "kind": meta.kind,
    }


# --- the shipped reports ------------------------------------------------------------------


def test_wangcheng_metadata():
    meta = read_metadata(WANGCHENG.read_text(encoding="utf-8"), str(WANGCHENG))
    assert _fields(meta) == {
        "title": "2021年度长沙市望城区工业和信息化局整体支出预算绩效自评报告",
        "bureau": "长沙市望城区工业和信息化局",
        "province": "湖南省",  # from the gazetteer: the text names only the city and district
        "city": "长沙市",
        "county": "望城区",
        "year": 2021,
        "signed": None,  # the report is not signed
        "kind": "部门整体支出绩效自评报告",
    }
    assert meta.region == "湖南省长沙市望城区"
    assert meta.source == str(WANGCHENG)


def test_changning_metadata():
    meta = read_metadata(CHANGNING.read_text(encoding="utf-8"), str(CHANGNING))
    assert _fields(meta) == {
        "title": "常宁市科技和工业信息化局2022年度绩效情况说明",
        "bureau": "常宁市科技和工业信息化局",
        "province": "湖南省",
        "city": "衡阳市",  # 常宁市 is a county-level city under 衡阳市
        "county": "常宁市",
        "year": 2022,  # the fiscal year, not the year it was signed
        "signed": "2023-08-29",
        "kind": "绩效情况说明",
    }
    assert meta.region == "湖南省衡阳市常宁市"


@pytest.mark.parametrize(
    ("path", "names"),
    [
        (WANGCHENG, ["望城", "望城区", "望城区工信局", "长沙市望城区工业和信息化局", "长沙市望城区工信局"]),
        (CHANGNING, ["常宁", "常宁市", "常宁市科工信局", "常宁科工信局", "常宁市科技和工业信息化局"]),
    ],
    ids=["wangcheng", "changning"],
)
def test_aliases_users_type(path, names):
    meta = read_metadata(path.read_text(encoding="utf-8"), str(path))
    assert set(names) <= set(meta.aliases)
    assert meta.aliases[0] == meta.bureau  # longest first
    assert all(len(a) >= 2 for a in meta.aliases)


def test_aliases_do_not_mix_the_two_bureaus():
    wangcheng = read_metadata(WANGCHENG.read_text(encoding="utf-8"), "a")
    changning = read_metadata(CHANGNING.read_text(encoding="utf-8"), "b")
    assert not set(wangcheng.aliases) & set(changning.aliases)


def test_id_is_the_content_hash():
    text = WANGCHENG.read_text(encoding="utf-8")
    meta = read_metadata(text, "anything")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert meta.content_hash == digest
    assert meta.id == digest[:16]
    assert read_metadata(text + "\n补充。", "anything").id != meta.id


@pytest.mark.parametrize(
    "misleading",
    [
        "changning-sci-tech-industry-it-bureau-2022-performance-statement.txt",
        "常宁市科技和工业信息化局2022年度绩效情况说明.txt",
        "2019.txt",
    ],
)
def test_metadata_never_comes_from_the_file_name(tmp_path, misleading):
    original = read_metadata(read_report_text(WANGCHENG), str(WANGCHENG))
    copy = tmp_path / misleading
    shutil.copy(WANGCHENG, copy)
    meta = read_metadata(read_report_text(copy), str(copy))
    assert meta.source == str(copy)
    assert _fields(meta) == _fields(original)
    assert (meta.id, meta.aliases) == (original.id, original.aliases)


# --- other title shapes -------------------------------------------------------------------


TITLES = [
    pytest.param(
        "关于长沙市天心区发展和改革局2023年度项目支出绩效自评的报告",
        dict(bureau="长沙市天心区发展和改革局", province="湖南省", city="长沙市", county="天心区", year=2023, kind="项目支出绩效自评报告"),
        ["天心", "天心区", "天心区发改局", "长沙市天心区发改局"],
        id="guanyu-project",
    ),
    pytest.param(
        "湖南省株洲市荷塘区财政局2020年度部门整体支出绩效自评报告",
        dict(bureau="湖南省株洲市荷塘区财政局", province="湖南省", city="株洲市", county="荷塘区", year=2020, kind="部门整体支出绩效自评报告"),
        ["荷塘", "荷塘区", "荷塘区财政局"],
        id="province-city-county",
    ),
    pytest.param(
        "衡阳市住房和城乡建设局2019年度绩效情况说明",
        dict(bureau="衡阳市住房和城乡建设局", province="湖南省", city="衡阳市", county=None, year=2019, kind="绩效情况说明"),
        ["衡阳", "衡阳市", "衡阳市住建局"],
        id="city-statement",
    ),
    pytest.param(
        "长沙市天心区教育局部门整体支出绩效自评报告",
        dict(bureau="长沙市天心区教育局", province="湖南省", city="长沙市", county="天心区", year=None, kind="部门整体支出绩效自评报告"),
        ["天心区教育局"],
        id="no-year",
    ),
    pytest.param(
        "2022年度湘潭市岳塘区农业农村局整体支出预算绩效自评报告",
        dict(bureau="湘潭市岳塘区农业农村局", province="湖南省", city="湘潭市", county="岳塘区", year=2022, kind="部门整体支出绩效自评报告"),
        ["岳塘", "岳塘区农业农村局"],
        id="year-first",
    ),
    pytest.param(
        "长沙县财政局2022年度部门整体支出绩效自评报告",
        dict(bureau="长沙县财政局", province="湖南省", city="长沙市", county="长沙县", year=2022, kind="部门整体支出绩效自评报告"),
        ["长沙县", "长沙县财政局"],
        id="county-only",
    ),
    pytest.param(
        "江永县工业和信息化局关于2020年度财政资金绩效情况的说明",
        dict(bureau="江永县工业和信息化局", province="湖南省", city="永州市", county="江永县", year=2020, kind="绩效情况说明"),
        ["江永", "江永县工信局"],
        id="qingkuang-de-shuoming",
    ),
    pytest.param(
        "费县应急管理局2023年度整体支出绩效自评报告",
        dict(bureau="费县应急管理局", province="山东省", city="临沂市", county="费县", year=2023, kind="部门整体支出绩效自评报告"),
        ["费县", "费县应急管理局"],
        id="one-character-county",
    ),
    pytest.param(
        "湘西土家族苗族自治州吉首市教育局2022年度部门整体支出绩效自评报告",
        dict(
            bureau="湘西土家族苗族自治州吉首市教育局",
            province="湖南省",
            city="湘西土家族苗族自治州",
            county="吉首市",
            year=2022,
            kind="部门整体支出绩效自评报告",
        ),
        ["吉首", "吉首市教育局"],
        id="autonomous-prefecture",
    ),
]


@pytest.mark.parametrize(("title", "expected", "names"), TITLES)
def test_title_shapes(title, expected, names):
    meta = read_metadata(title + BODY, "report.txt")
    assert meta.title == title
    assert {k: v for k, v in _fields(meta).items() if k in expected} == expected
    assert set(names) <= set(meta.aliases)


def test_title_with_spaces_from_pdf_extraction_is_compacted():
    meta = read_metadata("2021年度长沙市望城区工业和信息化局 整体支出预算绩效自评报告" + BODY, "x")
    assert meta.title == "2021年度长沙市望城区工业和信息化局整体支出预算绩效自评报告"
    assert meta.bureau == "长沙市望城区工业和信息化局"


def test_title_is_one_line_when_the_body_follows_without_a_blank_line():
    text = (
        "绥宁县应急管理局关于2023年度财政资金绩效情况的说明\n"
        "为加强预算绩效管理，提高资金使用效益，根据县财政局有关要求，现将项目支出绩效自评情况报告如下。\n"
        "一、基本情况\n（一）单位基本情况\n本局内设股室8个。\n"
    )
    assert find_title(text) == "绥宁县应急管理局关于2023年度财政资金绩效情况的说明"
    meta = read_metadata(text, "x")
    assert (meta.bureau, meta.year, meta.kind) == ("绥宁县应急管理局", 2023, "绩效情况说明")


def test_title_wrapped_over_two_lines_is_joined():
    text = "关于长沙市天心区发展和改革局2023年度\n项目支出绩效自评的报告" + BODY
    assert find_title(text) == "关于长沙市天心区发展和改革局2023年度项目支出绩效自评的报告"


def test_bureau_from_the_signature_when_the_title_has_none():
    text = "2022年度部门整体支出绩效自评报告" + BODY + "\n湘潭市岳塘区农业农村局\n2023年8月3日\n"
    meta = read_metadata(text, "x")
    assert (meta.bureau, meta.city, meta.county, meta.year, meta.signed) == ("湘潭市岳塘区农业农村局", "湘潭市", "岳塘区", 2022, "2023-08-03")


def test_year_from_the_body_when_the_title_has_none():
    text = "长沙市天心区教育局部门整体支出绩效自评报告\n\n本局2022年度部门整体支出情况如下。\n"
    assert read_metadata(text, "x").year == 2022


def test_no_bureau_found_gives_empty_names():
    meta = read_metadata("部门整体支出绩效自评报告" + BODY, "x")
    assert (meta.bureau, meta.province, meta.city, meta.county, meta.aliases) == ("", None, None, None, ())


# --- signature dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closing", "expected"),
    [
        ("常宁市科技和工业信息化局\n2023年8月29日", "2023-08-29"),
        ("常宁市科技和工业信息化局\n2023 年 8 月 29 日", "2023-08-29"),
        ("常宁市科技和工业信息化局\n二〇二三年八月二十九日", "2023-08-29"),
        ("常宁市科技和工业信息化局\n二零二三年十月十日", "2023-10-10"),
        ("常宁市科技和工业信息化局\n二〇二三年十二月三十一日", "2023-12-31"),
        ("常宁市科技和工业信息化局\n二〇二四年一月六日", "2024-01-06"),
        ("常宁市科技和工业信息化局\n2023年8月", None),  # no day
        ("常宁市科技和工业信息化局\n2023年13月1日", None),  # no such month
        ("常宁市科技和工业信息化局", None),
    ],
)
def test_signed_date(closing, expected):
    text = "常宁市科技和工业信息化局2022年度绩效情况说明" + BODY + "\n" + closing + "\n"
    assert find_signed_date(text) == expected
    assert read_metadata(text, "x").signed == expected
    assert read_metadata(text, "x").year == 2022


def test_a_date_early_in_the_text_is_not_a_signature():
    text = "某局2022年度绩效情况说明\n\n2023年8月29日，召开自评会议。" + "本局完成全年任务。" * 30
    assert find_signed_date(text) is None


# --- generated reports --------------------------------------------------------------------


SYNTHETIC = generate_corpus(20, seed=1)


@pytest.mark.parametrize("report", SYNTHETIC, ids=[r.file_name[:14] for r in SYNTHETIC])
def test_generated_reports_metadata(report):
    meta = read_metadata(report.text, report.file_name)
    assert meta.title == compact(report.title)
    assert meta.bureau == report.bureau
    assert meta.year == report.year
    assert meta.signed == report.signed
    assert meta.kind == report.kind
    # The most specific place the bureau names; the gazetteer fills in the levels above it.
    assert (meta.county or meta.city or meta.province) in report.bureau
    assert meta.province


# --- pages as published (tests/data/published, written in the shapes of real pages) -----------

PUBLISHED = Path(__file__).parent / "data" / "published"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param(
            "nav_breadcrumb.html",
            dict(
                title="2023年度部门整体支出绩效自评报告",
                bureau="醴陵市民政局",
                region="湖南省株洲市醴陵市",
                year=2023,
                published=2024,
                kind="部门整体支出绩效自评报告",
                needs_review=(),
            ),
            id="navigation-publisher-line-bureau-only-in-signature",
        ),
        pytest.param(
            "untitled_statement.txt",
            dict(
                title="遂川县林业局2023年度绩效情况说明",
                bureau="遂川县林业局",
                region="江西省吉安市遂川县",
                year=2023,
                published=None,
                kind="绩效情况说明",
                needs_review=("bureau", "kind"),
            ),
            id="no-title-line",
        ),
        pytest.param(
            "two_line_title.txt",
            dict(
                title="桂林市临桂区住房和城乡建设局2023年度项目支出绩效自评报告",
                bureau="桂林市临桂区住房和城乡建设局",
                region="广西壮族自治区桂林市临桂区",
                year=2023,
                published=2024,
                kind="项目支出绩效自评报告",
                needs_review=(),
            ),
            id="title-over-two-lines",
        ),
        pytest.param(
            "table_cell_unit.txt",
            dict(
                title="项目支出绩效自评表",
                bureau="广元市朝天区水利局",
                region="四川省广元市朝天区",
                year=2023,
                published=None,
                kind="项目支出绩效自评表",
                needs_review=(),
            ),
            id="unit-only-in-a-table-cell-with-code",
        ),
        pytest.param(
            "pdf_spaces.txt",
            dict(
                title="2023年度部门整体支出绩效自评报告",
                bureau="阆中市教育局",
                region="四川省南充市阆中市",
                year=2023,
                published=2024,
                kind="部门整体支出绩效自评报告",
                needs_review=(),
            ),
            id="pdf-spaces-inside-words",
        ),
    ],
)
def test_pages_as_published(name, expected):
    meta = read_metadata(read_report_text(PUBLISHED / name), name)
    found = {key: getattr(meta, key) for key in expected}
    assert found == expected


def test_site_section_above_the_title_is_not_part_of_it():
    text = "首页 > 政务公开\n专题专栏\n安化县水利局2022年度部门整体支出绩效自评报告\n一、基本情况\n本局内设股室6个。\n"
    assert find_title(text) == "安化县水利局2022年度部门整体支出绩效自评报告"


def test_publisher_line_names_the_bureau_when_nothing_else_does():
    text = "发布机构：沅江市审计局\n发布时间：2024-06-01\n2023年度部门整体支出绩效自评报告\n一、基本情况\n内设股室5个。\n"
    meta = read_metadata(text, "x")
    assert (meta.bureau, meta.year, meta.published) == ("沅江市审计局", 2023, 2024)
    assert "bureau" in meta.needs_review  # a publisher may be the site, not the unit: guessed


def test_a_report_with_no_unit_anywhere_is_named_by_its_file_and_marked_for_review():
    meta = read_metadata("部门整体支出绩效自评报告" + BODY, "folder/报告甲.txt")
    assert meta.bureau == ""
    assert {"bureau", "year"} <= set(meta.needs_review)


def test_corrections_recompute_region_and_aliases():
    meta = read_metadata("部门整体支出绩效自评报告" + BODY, "x")
    fixed = corrected(meta, bureau="汨罗市财政局", year=2022, kind="绩效情况说明")
    assert (fixed.bureau, fixed.region, fixed.year, fixed.kind) == ("汨罗市财政局", "湖南省岳阳市汨罗市", 2022, "绩效情况说明")
    assert {"汨罗", "汨罗市财政局"} <= set(fixed.aliases)
    assert fixed.needs_review == ()


def test_autonomous_prefecture_short_form():
    meta = read_metadata("红河州数据发展中心2024年度项目支出绩效单位自评报告" + BODY, "x")
    assert (meta.bureau, meta.province, meta.city) == ("红河州数据发展中心", "云南省", "红河哈尼族彝族自治州")
    assert meta.kind == "项目支出绩效自评报告"


# --- mechanisms for pages as published (development pages in tests/data/metadata_dev) -----------

TITLE_2023 = "2023年度部门整体支出绩效自评报告\n"


def test_site_name_and_footer_are_furniture():
    text = (
        "九江市人民政府门户网站\n首页 政务公开 政务服务\n来源：本站　发布时间：2024-06-03\n"
        + TITLE_2023
        + "九江市生态环境局是市政府工作部门，内设科室10个。\n一、部门整体支出情况\n支出8,764.21万元。\n"
        "主办单位：九江市人民政府办公室\n网站标识码：3604000001 赣ICP备00000000号\n"
    )
    meta = read_metadata(text, "x")
    assert (meta.title, meta.bureau, meta.published) == ("2023年度部门整体支出绩效自评报告", "九江市生态环境局", 2024)
    assert "bureau" in meta.needs_review  # read from the opening sentence: a guess


def test_a_site_menu_item_or_head_is_no_title():
    text = "威县人民政府\n信息公开\n财政预决算\n绩效评价\n威县发展和改革局2023年度部门整体支出绩效自评报告\n一、部门基本情况\n"
    assert find_title(text) == "威县发展和改革局2023年度部门整体支出绩效自评报告"
    head = "准格尔旗交通运输局 | 政务公开 | 预算绩效\n准格尔旗交通运输局2022年度重点项目支出绩效自评报告\n一、基本情况\n"
    assert find_title(head) == "准格尔旗交通运输局2022年度重点项目支出绩效自评报告"


def test_a_title_does_not_wrap_across_furniture():
    text = "株洲市芦淞区教育局\n当前位置：首页 > 信息公开\n2023年度项目支出绩效自评报告\n一、项目基本情况\n"
    assert find_title(text) == "2023年度项目支出绩效自评报告"


@pytest.mark.parametrize(
    ("line", "title", "kind"),
    [
        ("部门整体支出绩效自评表（2023年度）", "部门整体支出绩效自评表（2023年度）", "部门整体支出绩效自评表"),
        ("醴陵市财政局部门整体支出绩效自评报告（2023年）", "醴陵市财政局部门整体支出绩效自评报告（2023年）", "部门整体支出绩效自评报告"),
        ("《醴陵市财政局2023年度项目支出绩效自评报告》", "醴陵市财政局2023年度项目支出绩效自评报告", "项目支出绩效自评报告"),
        ("醴陵市财政局2023年度部门整体支出绩效自评情况", "醴陵市财政局2023年度部门整体支出绩效自评情况", "部门整体支出绩效自评报告"),
        ("醴陵市财政局关于2023年度项目绩效自评结果的公示", "醴陵市财政局关于2023年度项目绩效自评结果", "项目支出绩效自评报告"),
    ],
)
def test_title_endings_notes_and_quotes(line, title, kind):
    meta = read_metadata(line + "\n单位名称：醴陵市财政局\n" + BODY, "x")
    assert (meta.title, meta.bureau, meta.year, meta.kind) == (title, "醴陵市财政局", 2023, kind)


def test_a_numbered_section_heading_is_not_a_title():
    text = "汉寿县气象局2023年度部门决算\n第四部分 其他重要事项的情况说明\n三、预算绩效情况说明\n（一）本部门对2023年度项目支出全面开展绩效自评。\n"
    meta = read_metadata(text, "x")
    assert find_title(text) == ""
    assert (meta.title, meta.bureau, meta.year, meta.kind) == ("汉寿县气象局2023年度绩效情况说明", "汉寿县气象局", 2023, "绩效情况说明")


def test_a_cover_unit_line_above_the_title_belongs_to_it():
    text = "宁乡市水利局\n2023年度部门整体支出\n绩效自评报告\n\n\n二〇二四年五月\n\f目  录\n一、部门基本情况……1\n\f一、部门基本情况\n内设股室8个。\n"
    meta = read_metadata(text, "x")
    assert (meta.title, meta.bureau, meta.year, meta.published, meta.kind) == (
        "宁乡市水利局2023年度部门整体支出绩效自评报告",
        "宁乡市水利局",
        2023,
        2024,
        "部门整体支出绩效自评报告",
    )
    assert meta.needs_review == ()


def test_a_page_title_that_announces_publication():
    text = "海南省热带农业技术推广中心2023年项目绩效自评表公开\n创建时间：2024-07-12 10:21\n项目支出绩效自评表\n"
    meta = read_metadata(text, "x")
    assert (meta.title, meta.bureau, meta.province, meta.year, meta.published, meta.kind) == (
        "海南省热带农业技术推广中心2023年项目绩效自评表",
        "海南省热带农业技术推广中心",
        "海南省",
        2023,
        2024,
        "项目支出绩效自评表",
    )


@pytest.mark.parametrize(
    ("fields", "bureau", "guessed"),
    [
        pytest.param(
            "主管部门：216-省农业农村厅 实施单位：216012-海南省热带农业技术推广中心\n",
            "海南省热带农业技术推广中心",
            False,
            id="two-fields-on-a-line-implementer-first",
        ),
        pytest.param("主管部门\t澧县卫生健康局\t实施单位\t澧县人民医院\n", "澧县人民医院", False, id="tab-separated-cells"),
        pytest.param("预算部门、单位名称\n浏阳市中医医院\n年度预算申请（万元）\n", "浏阳市中医医院", False, id="qualified-label-one-cell-per-line"),
        pytest.param("填报单位（盖章）：桂林市秀峰区市场监督管理局\n", "桂林市秀峰区市场监督管理局", False, id="label-with-seal-mark"),
        pytest.param("委托单位：攸县财政局\n项目主管部门：攸县教育局\n评价方式：单位自评\n", "攸县教育局", False, id="commissioner-is-not-the-unit"),
        pytest.param("编制单位：郴州市北湖区住房和城乡建设局\n编制日期：2024年4月\n", "郴州市北湖区住房和城乡建设局", False, id="compiled-by"),
        pytest.param("编制单位：湖南湘信会计师事务所\n发布机构：益阳市民政局\n", "益阳市民政局", True, id="a-firm-is-never-the-unit"),
        pytest.param("主管部门及代码\n[235]慈利县教育局\n实施单位\n慈利县零阳镇中心学校\n", "慈利县零阳镇中心学校", False, id="central-template-labels"),
        pytest.param("主管部门 215-广元市朝天区水利局\n", "广元市朝天区水利局", False, id="label-and-value-one-space-apart"),
        pytest.param("主管部门及代码\n[235]慈利县教育局\n", "慈利县教育局", False, id="label-with-its-code"),
        pytest.param("[ 发布机构 ] 丰都县江池镇人民政府\n[ 发布日期 ] 2024-04-24\n", "丰都县江池镇人民政府", True, id="bracketed-publisher"),
        pytest.param("发布机构 | 乌拉特中旗财政局 | 文 号 | 14 |\n", "乌拉特中旗财政局", True, id="pipe-separated-publisher"),
        pytest.param(
            "主管部门\t永康市教育局\n主管部门\t永康市交通运输局\n发布机构：永康市财政局\n",
            "永康市财政局",
            True,
            id="several-projects-departments-name-no-one-unit",
        ),
    ],
)
def test_labelled_fields_name_the_unit(fields, bureau, guessed):
    meta = read_metadata(fields + TITLE_2023 + BODY, "x")
    assert meta.bureau == bureau
    assert ("bureau" in meta.needs_review) is guessed


@pytest.mark.parametrize(
    ("title", "bureau", "region"),
    [
        ("重庆市璧山区丁家街道办事处2023年度绩效自评报告", "重庆市璧山区丁家街道办事处", "重庆市璧山区"),
        ("中共永兴县委组织部2023年度部门整体支出绩效自评报告", "中共永兴县委组织部", "湖南省郴州市永兴县"),
        ("湘潭县白石镇人民政府2023年度部门整体支出绩效自评报告", "湘潭县白石镇人民政府", "湖南省湘潭市湘潭县"),
        ("耒阳市第一中学2023年度项目支出绩效自评报告", "耒阳市第一中学", "湖南省衡阳市耒阳市"),
        ("洪江市安江农校纪念园2023年度项目支出绩效自评报告", "洪江市安江农校纪念园", "湖南省怀化市洪江市"),
    ],
    ids=["street-office", "party-department", "town-government", "school", "memorial-park"],
)
def test_organisation_names_end_with_their_own_words(title, bureau, region):
    meta = read_metadata(title + BODY, "x")
    assert (meta.bureau, meta.region) == (bureau, region)


@pytest.mark.parametrize(
    ("sentence", "bureau"),
    [
        ("九江市生态环境局是市政府工作部门，为正处级。", "九江市生态环境局"),
        ("受宜宾市叙州区财政局委托，我公司开展了评价。", "宜宾市叙州区财政局"),
        ("临澧县烽火乡人民政府是县人民政府的派出机关。", "临澧县烽火乡人民政府"),
        ("中共永兴县委组织部内设室股7个。", "中共永兴县委组织部"),
        ("宁远县城乡建设局对2023年度资金开展了自评。", "宁远县城乡建设局"),
        ("2023年，红河州数据发展中心（以下简称“中心”）实施项目共15个。", "红河州数据发展中心"),
    ],
)
def test_a_name_in_running_text_ends_where_the_sentence_goes_on(sentence, bureau):
    assert read_metadata(sentence + "\n一、基本情况\n内设科室5个。\n", "x").bureau == bureau


def test_a_breadcrumb_names_the_department_when_nothing_better_does():
    text = "首页 > 政府信息公开 > 桃江县统计局 > 财政预决算\n2023年度预算绩效情况说明\n一、部门基本情况\n我局内设股室5个。\n"
    meta = read_metadata(text, "x")
    assert (meta.bureau, meta.region, meta.kind) == ("桃江县统计局", "湖南省益阳市桃江县", "绩效情况说明")
    assert "bureau" in meta.needs_review


def test_the_signature_is_read_past_seal_marks_and_page_footers():
    text = (
        TITLE_2023 + BODY + "\n湘潭县白石镇人民政府（盖章）\n2024年4月2日\n\n附件：2023年度部门整体支出绩效自评表.xls\n"
        "主办单位：湘潭县人民政府办公室\n网站标识码：4303210001\n"
    )
    meta = read_metadata(text, "x")
    assert (meta.bureau, meta.region, meta.signed, meta.published) == ("湘潭县白石镇人民政府", "湖南省湘潭市湘潭县", "2024-04-02", 2024)


def test_the_fullest_form_of_the_name_is_kept():
    text = "雁塔区城市管理和综合执法局2023年度部门整体支出绩效自评报告" + BODY + "\n西安市雁塔区城市管理和综合执法局\n2024年4月22日\n"
    meta = read_metadata(text, "x")
    assert (meta.bureau, meta.region) == ("西安市雁塔区城市管理和综合执法局", "陕西省西安市雁塔区")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param(
            "宜宾市叙州区2023年度农村公路养护专项资金绩效评价报告\n受宜宾市叙州区财政局委托，四川某会计师事务所开展了评价。\n",
            "第三方绩效评价报告",
            id="commissioned",
        ),
        pytest.param(
            "攸县2023年度义务教育资金\n重点绩效评价报告\n委托单位：攸县财政局\n评价机构：湖南某项目管理咨询有限公司\n",
            "第三方绩效评价报告",
            id="cover-names-commissioner",
        ),
        pytest.param(
            "关于益阳市2023年度困难群众救助补助资金重点绩效评价的报告\n根据益阳市财政局的工作安排，我们开展了评价。"
            + BODY
            + "\n湖南湘信会计师事务所（特殊普通合伙）\n2024年9月12日\n",
            "第三方绩效评价报告",
            id="signed-by-a-firm",
        ),
        pytest.param(
            "娄底市娄星区教育局2023年度学生资助资金绩效评价报告\n评价单位：湖南中晟工程咨询有限公司\n", "第三方绩效评价报告", id="evaluated-by-a-firm"
        ),
        pytest.param("桑植县2023年度中央财政衔接推进乡村振兴补助资金绩效自评报告\n", "专项资金绩效自评报告", id="transfer-payment-is-a-special-fund"),
        pytest.param(
            "醴陵市水利局2023年度项目支出绩效自评报告\n我局聘请第三方检测公司受县水利局委托检测工程量。\n",
            "项目支出绩效自评报告",
            id="self-evaluation-mentions-a-third-party",
        ),
        pytest.param("2023年，我镇对部门整体支出开展绩效自评。全年项目支出1,621.71万元。\n", "部门整体支出绩效自评报告", id="untitled-first-kind-mentioned"),
    ],
)
def test_kind(text, kind):
    assert read_metadata(text, "x").kind == kind


@pytest.mark.parametrize(
    ("head", "published"),
    [
        ("填报日期：2024年3月\n", 2024),
        ("单位名称\t杭州市拱墅区卫生健康局\t填报日期\t2024-03-10\n", 2024),
        ("成文日期\t2024-12-25\t发布日期\t2025-01-02\n", 2025),  # the page's publication date comes first
        ("二〇二四年五月\n", 2024),
    ],
)
def test_publication_year_from_dated_fields_and_covers(head, published):
    assert read_metadata(head + TITLE_2023 + BODY, "x").published == published


def test_letter_spaced_pdf_lines_are_joined():
    assert compact("2 0 2 3 年 度 部 门 整 体 支 出 绩 效 自 评 报 告") == "2023年度部门整体支出绩效自评报告"
    assert compact("2023 年度 部门 整体 支出") == "2023年度部门整体支出"  # spaced words are not letter-spaced
    text = "衡 东 县 财 政 局\n2 0 2 3 年 度 部 门 整 体 支 出 绩 效 自 评 报 告\n\n一 、 部 门 基 本 情 况\n\n衡 东 县 财 政 局\n2 0 2 4 年 5 月 6 日\n"
    meta = read_metadata(text, "x")
    assert (meta.bureau, meta.year, meta.signed, meta.kind) == ("衡东县财政局", 2023, "2024-05-06", "部门整体支出绩效自评报告")


def test_development_pages_read_right():
    """Every page of the development set reads right on bureau, year and kind (the blind sets are measured apart)."""
    from benchmarks.metadata import measure

    wrong = [(source, fields) for source, fields in measure(Path(__file__).parent / "data" / "metadata_dev") if {"bureau", "year", "kind"} & set(fields)]
    assert wrong == []


def test_a_town_government_is_named_by_its_town():
    from index.metadata import aliases

    names = aliases("建瓯市东游镇人民政府")
    assert {"东游镇", "东游", "东游镇人民政府", "建瓯"} <= set(names)
    assert "建瓯市人民政府" not in names  # that is the city's government, not the town's
    assert {"星沙街道", "星沙"} <= set(aliases("长沙县星沙街道办事处"))


def test_an_autonomous_county_bureau_is_typed_with_its_short_county_name():
    assert {"恭城县人民医院", "恭城人民医院", "恭城县", "恭城"} <= set(aliases("恭城瑶族自治县人民医院"))
    assert "围场县林业和草原局" in aliases("围场满族蒙古族自治县林业和草原局")


def test_an_untitled_department_report_that_mentions_a_transfer_payment_early_is_still_the_departments():
    text = (
        "首页 > 政务公开 > 财政预决算\n来源：修武县卫生健康委员会    发布时间：2024-04-18\n\n一、部门基本情况\n"
        "2023年年初预算21,486.35万元。年度执行中追加上级专项转移支付资金及疫情防控经费。\n\n四、自评结论\n"
        "经综合评价，修武县卫生健康委员会2023年部门整体支出绩效自评得分93.6分。\n"
    )
    assert find_kind("", text).value == "部门整体支出绩效自评报告"
    project = "一、项目基本情况\n下达中央补助资金920.00万元。\n\n四、自评结论\n根据项目支出绩效评价指标体系，项目自评得分91.5分。\n"
    assert find_kind("", project).value == "项目支出绩效自评报告"
