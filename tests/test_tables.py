"""Self-evaluation tables (绩效自评表): rows as quotable units, the table's head as key figures, answers that cite the row.

The files are written in the shapes real tables reach us in: one cell per line (text saved from a
page, and what pypdf extracts from a ruled PDF table), tab-separated rows (an HTML <table>, a DOCX
table), and a PDF drawn with reportlab and a CJK font.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CHANGNING, WANGCHENG

from assistant.answering.quantities import quantities
from index.cleaning import clean, sentence_text
from index.figures import extract_figures
from index.ingest import parse
from index.readers import read_report_text
from index.tables import row_label, table_rows

PUBLISHED = Path(__file__).parent / "data" / "published"

HEAD = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
ROWS = [
    ["产出指标", "数量指标", "整治村庄数量", "≥20个", "20个", "20", "20", ""],
    ["", "质量指标", "验收合格率", "100%", "96%", "15", "13", "两个村返工"],
    ["总分", "", "", "", "", "100", "95", ""],
]
BUDGET = [["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], ["年度资金总额", "300", "280", "266", "10", "95%", "9.5"]]


def test_rows_of_a_table_with_one_cell_per_line():
    text = read_report_text(PUBLISHED / "table_cell_unit.txt")
    rows = table_rows(clean(text).text)
    assert [r.kind for r in rows] == ["budget", "indicator", "indicator", "indicator", "total"]
    assert rows[2].label == ("三级指标“水质达标率”（质量指标）：年度指标值≥95%，实际完成值93%，分值15，得分12，偏差原因：部分水源季节性浑浊，已加装过滤设施。")
    assert rows[0].label == "年度资金总额：年初预算数500，全年预算数480，全年执行数456.3，分值10，执行率95.06%，得分9.5。"
    assert rows[-1].label == "总分：满分100，得分93.5。"


def test_cleaning_keeps_the_cells_apart():
    text = read_report_text(PUBLISHED / "table_cell_unit.txt")
    assert "\n500\n480\n456.3\n" in clean(text).text


def test_prose_has_no_table_rows():
    for path in (WANGCHENG, CHANGNING):
        assert table_rows(path.read_text(encoding="utf-8")) == []
    assert row_label("本局内设机构7个，\n下属单位12个。") is None


def test_a_row_is_one_quotable_unit_read_with_its_column_names():
    text = read_report_text(PUBLISHED / "table_cell_unit.txt")
    report = parse(text, "x", 300)
    quotes = [text[s:e] for chunk in report.chunks for s, e in chunk.sentences]
    row = next(q for q in quotes if "水质达标率" in q)
    assert row == "质量指标\n水质达标率\n≥95%\n93%\n15\n12\n部分水源季节性浑浊，已加装过滤设施"  # exact offsets
    assert sentence_text(row).startswith("三级指标“水质达标率”")


def test_the_head_of_the_table_gives_key_figures_with_their_row():
    text = read_report_text(PUBLISHED / "table_cell_unit.txt")
    figures = {f.metric: f for f in extract_figures(parse(text, "x", 300))}
    assert {m: (f.value, f.unit) for m, f in figures.items()} == {
        "年初预算数": (500.0, "万元"),
        "全年预算数": (480.0, "万元"),
        "全年执行数": (456.3, "万元"),
        "预算执行率": (95.06, "%"),
        "自评得分": (93.5, "分"),
    }
    assert text[figures["自评得分"].start : figures["自评得分"].end] == "总分\n100\n93.5"
    assert figures["预算执行率"].basis == "年度资金总额"


def _html_table(path: Path) -> Path:
    def table(rows):
        return "<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>"

    path.write_text(
        "<html><body><div>当前位置：首页 &gt; 信息公开 &gt; 预算绩效</div><h2>项目支出绩效自评表</h2>"
        "<p>（2023年度）</p>"
        + table([["项目名称", "城乡环境整治"], ["主管部门", "南县住房和城乡建设局"]])
        + table(BUDGET)
        + table([HEAD, *ROWS])
        + "</body></html>",
        encoding="utf-8",
    )
    return path


def _docx_table(path: Path) -> Path:
    from docx import Document

    document = Document()
    document.add_paragraph("项目支出绩效自评表")
    document.add_paragraph("（2023年度）")
    for rows in ([["项目名称", "城乡环境整治"], ["主管部门", "南县住房和城乡建设局"]], BUDGET, [HEAD, *ROWS]):
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    document.save(str(path))
    return path


def _pdf_table(path: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=10, leading=14)
    tables = [Table(rows) for rows in ([["项目名称", "城乡环境整治"], ["主管部门", "南县住房和城乡建设局"]], BUDGET, [HEAD, *ROWS])]
    for table in tables:
        table.setStyle(
            TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTSIZE", (0, 0), (-1, -1), 7)])
        )
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph("项目支出绩效自评表（2023年度）", style), *tables])
    return path


@pytest.mark.parametrize("make", [_html_table, _docx_table, _pdf_table], ids=["html", "docx", "pdf"])
def test_tables_from_every_format(make, tmp_path):
    path = make(tmp_path / f"nanxian.{make.__name__.split('_')[1]}")
    text = read_report_text(path)
    report = parse(text, str(path), 300)
    assert (report.meta.bureau, report.meta.year, report.meta.kind) == ("南县住房和城乡建设局", 2023, "项目支出绩效自评表")
    labels = [sentence_text(text[s:e]) for chunk in report.chunks for s, e in chunk.sentences]
    assert "三级指标“验收合格率”（质量指标）：年度指标值100%，实际完成值96%，分值15，得分13，偏差原因：两个村返工。" in labels
    figures = {f.metric: f.value for f in extract_figures(report)}
    assert (figures["自评得分"], figures["预算执行率"], figures["全年执行数"]) == (95.0, 95.0, 266.0)


@pytest.fixture(scope="module")
def table_office(tmp_path_factory):
    """The shipped reports plus one self-evaluation table, in a fresh index."""
    import shutil

    from assistant.service import Assistant
    from assistant.settings import Settings

    corpus = tmp_path_factory.mktemp("tables")
    for path in (WANGCHENG, CHANGNING, *(PUBLISHED / name for name in ("table_cell_unit.txt", "money_table_spaced.txt", "two_projects_spaced.txt"))):
        shutil.copy(path, corpus)
    assistant = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("index")))
    assert not assistant.ingest().failed
    return assistant


@pytest.mark.parametrize(
    ("question", "first", "row"),
    [
        ("朝天区水利局自评得分是多少？", "93.5", "总分\n100\n93.5"),
        ("朝天水利局饮水项目预算执行率多少", "95.06%", "年度资金总额"),
        ("朝天水利局全年执行数多少", "456.3", "年度资金总额"),
        ("朝天区水利局水质达标率目标和实际完成各是多少？", "95%", "水质达标率"),
        ("平江林业局公用经费实际花了多少", "139.62", "公用经费"),  # only the money table states it
        ("平江林业局项目支出全年预算数是多少", "2209.2", "项目支出"),
        ("松滋农业局农机补贴执行率多少", "99.00%", "全年兑付补贴资金"),  # of two projects' tables, the one named
    ],
)
def test_table_questions_are_answered_with_the_row_cited(table_office, question, first, row):
    from assistant.evaluate import figure_key, first_figure

    answer = table_office.ask(question)
    assert not answer.abstained
    assert first_figure(answer.answer) == figure_key(first.rstrip("%"))
    assert row in answer.citations[0].quote


def test_each_projects_score_is_answered_named_by_its_project(table_office):
    answer = table_office.ask("松滋农业局两个项目自评各打了几分")
    assert answer.answer.startswith("秸秆综合利用项目自评得分：92.50分（总分）；农机购置补贴项目自评得分：98.10分（总分）。")


def test_shortfalls_cite_the_row_that_lost_points(table_office):
    answer = table_office.ask("朝天区水利局哪些指标没有完成或扣了分？")
    assert not answer.abstained
    assert any("水质达标率" in c.quote for c in answer.citations)


def test_shortfalls_are_the_rows_scored_below_full_marks(tmp_path):
    from assistant.answering.shortfalls import lost_points

    text = read_report_text(_html_table(tmp_path / "nanxian.html"))
    report = parse(text, "nanxian.html", 300)
    short = [sentence_text(text[s:e]) for chunk in report.chunks for s, e in chunk.sentences if lost_points(text[s:e])]
    assert [label.split("：")[0] for label in short] == ["年度资金总额", "三级指标“验收合格率”（质量指标）"]


def test_money_tables_are_read_by_column_in_either_layout():
    from index.tables import grid_rows

    tabbed = "表1 收支情况（单位：万元）\n\n项目\t年初预算数\t调整后预算数\t实际支出数\t执行率\n\n基本支出\t1,502.36\t1,512.80\t1,486.92\t98.29%\n\n其中：人员经费\t1,318.52\t1,327.04\t1,318.77\t99.38%\n\n正文。"
    rows = grid_rows(tabbed)
    assert [r.label for r in rows] == ["基本支出", "人员经费"]
    assert rows[0].values == (("年初预算数", "1,502.36"), ("调整后预算数", "1,512.80"), ("实际支出数", "1,486.92"), ("执行率", "98.29%"))
    assert tabbed[rows[1].start : rows[1].end] == "其中：人员经费\t1,318.52\t1,327.04\t1,318.77\t99.38%"
    one_per_line = "单位：万元\n项目\n全年预算数\n全年执行数\n执行率\n基本支出\n1 386.15\n1 368.74\n98.74%\n合计\n4 327.58\n4 215.06\n97.40%\n三、绩效"
    assert [(r.label, r.values[1]) for r in grid_rows(one_per_line)] == [("基本支出", ("全年执行数", "1368.74")), ("合计", ("全年执行数", "4215.06"))]
    assert grid_rows("全年支出合计8,542.17万元，其中基本支出1,486.92万元。") == []


def test_money_table_figures_lead_with_the_executed_amount():
    from index.figures import extract_figures
    from index.metadata import read_metadata
    from index.models import Report

    text = "项目\t年初预算数\t调整后预算数\t实际支出数\t执行率\n基本支出\t1,502.36\t1,512.80\t1,486.92\t98.29%\n公用经费\t183.84\t185.76\t168.15\t90.52%\n合计\t1,686.20\t1,698.56\t1,655.07\t97.44%\n"
    report = Report(read_metadata(text, "t.txt"), text, sections=())
    figures = [(f.metric, f.value, f.basis) for f in extract_figures(report)]
    assert figures[:3] == [("基本支出", 1486.92, "实际"), ("基本支出", 1512.8, "全年预算"), ("基本支出", 1502.36, "年初预算")]
    assert ("公用经费", 168.15, "实际") in figures
    assert ("总支出", 1655.07, "实际") in figures and ("预算执行率", 97.44, None) in figures


def test_a_money_table_row_reads_as_its_label_and_figures():
    assert row_label("合计\t7,982.36\t8,756.39\t8,542.17\t97.55%") == "合计：7,982.36，8,756.39，8,542.17，97.55%。"
    assert row_label("其中：人员经费\n1 318.52\n1 318.77") == "人员经费：1318.52，1318.77。"


def test_a_row_of_column_names_is_a_header_row():
    from index.tables import is_header_row

    assert is_header_row("一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施")
    assert not is_header_row("年度资金总额\t650.00\t720.00\t612.36")
    assert not is_header_row("项目名称\t2023年度全民健身设施提升工程项目")


def test_a_money_table_with_a_code_column_reads_each_row_with_its_columns_and_unit():
    from index.cleaning import sentence_text_in
    from index.tables import grid_rows

    text = (
        "各款的预算和决算如下表（单位：万元）：\n\n科目编码\t功能分类科目名称\t年初预算\t调整预算\t决算数\n\n"
        "20819\t最低生活保障\t3,260.00\t3,418.56\t3,396.21\n\n20820\t临时救助\t180.00\t205.40\t198.75\n\n\t合计\t3,440.00\t3,623.96\t3,594.96\n\n正文。"
    )
    rows = grid_rows(text)
    assert [(r.label, r.unit) for r in rows] == [("最低生活保障", "万元"), ("临时救助", "万元"), ("合计", "万元")]
    start = text.index("20820")
    end = text.index("\n", start)
    assert sentence_text_in(text, start, end) == "临时救助：年初预算180.00万元，调整预算205.40万元，决算数198.75万元。"
    assert sentence_text_in(text, 0, text.index("\n")) == "各款的预算和决算如下表（单位：万元）："  # prose reads as itself


def test_a_text_table_with_columns_set_apart_by_spaces_gives_rows_and_the_budget_by_source():
    from index.cleaning import sentence_text_in

    text = (
        "项目名称：农机购置补贴项目    主管部门：某县农业农村局\n"
        "项目资金（万元）  年初预算数  全年预算数  全年执行数  分值  执行率  得分\n"
        "年度资金总额  1,200.00  1,620.00  1,598.76  10  98.69%  9.87\n"
        "其中：中央资金  1,200.00  1,200.00  1,190.00  —  99.17%  —\n"
        "省级资金  0.00  420.00  408.76  —  97.32%  —\n"
        "产出指标  数量指标  补贴机具数量  ≥2000台  2146台  10  10\n"
        "总分  100  98.87\n"
    )
    assert [r.kind for r in table_rows(text)] == ["budget", "source", "source", "indicator", "total"]
    start = text.index("其中：中央资金")
    assert (
        sentence_text_in(text, start, text.index("\n", start))
        == "其中：中央资金：年初预算数1,200.00万元，全年预算数1,200.00万元，全年执行数1,190.00万元，执行率99.17%。"
    )
    start = text.index("年度资金总额")
    assert sentence_text_in(text, start, text.index("\n", start)).startswith("年度资金总额：年初预算数1,200.00万元，全年预算数1,620.00万元，")
    # prose with one space here and there is no table
    assert table_rows("全年执行 1,086.45 万元，预算执行率 94.47%。") == []


def test_a_rows_setting_runs_from_its_tables_caption_and_the_line_that_introduces_it():
    from index.tables import caption_start

    intro = "全年预算2,864.30万元。重点优抚对象抚恤补助资金项目绩效自评情况见下表："
    caption = "表2　项目支出绩效自评表（重点优抚对象抚恤补助资金）"
    text = f"二、项目情况\n\n{intro}\n\n{caption}\n\n一级指标\t二级指标\t三级指标\t分值\t得分\n\n合计\t100\t98.5\n"
    assert text[caption_start(text, text.index("合计")) :].startswith("重点优抚对象抚恤补助资金项目绩效自评情况见下表：")
    plain = "年初预算2,658.40万元，追加优抚对象补助经费。\n\n表1　预算收支执行情况\n\n支出类别\t全年执行数\n\n合计\t4,744.09\n"
    assert plain[caption_start(plain, plain.index("合计")) :].startswith("表1")  # a line that does not introduce the table is left out
    assert caption_start("总分\t100\t95\n", 0) is None


def test_a_row_read_as_a_sentence_keeps_its_cells_apart():
    assert sentence_text("生态护林员选聘\t名\t1850\t1850\t100.00%") == "生态护林员选聘，名，1850，1850，100.00%"
    assert [q.text for q in quantities(sentence_text("林木种苗质量合格率\t%\t≥95\t97.3\t102.42%"))] == ["102.42%"]


def test_an_indicator_table_without_marks_gives_one_row_per_line_read_with_its_columns():
    from index.tables import row_reading_in

    text = (
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t偏差原因\n"
        "产出指标\t数量指标\t隐患点排查数量\t≥320处\t346处\t新发现隐患点34处一并纳入排查\n"
        "\t\t完成工程治理隐患点数量\t8处\t7处\t受持续降雨影响延期\n"
        "\t\t监测设备在线率\t≥95%\t97.8%\t\n"
    )
    rows = table_rows(text)
    assert [(r.kind, r.cells[-3:] if len(r.cells) == 3 else r.cells[:3]) for r in rows] == [
        ("goal", ("产出指标", "数量指标", "隐患点排查数量")),
        ("goal", ("完成工程治理隐患点数量", "8处", "7处")),
        ("goal", ("监测设备在线率", "≥95%", "97.8%")),
    ]
    assert row_reading_in(text, rows[1].start, rows[1].end) == "三级指标“完成工程治理隐患点数量”：年度指标值8处，实际完成值7处，偏差原因：受持续降雨影响延期。"
    assert rows[2].marks is None
    unit_column = "指标名称\t计量单位\t年度目标值\t实际完成值\t完成率\n林木种苗质量合格率\t%\t≥95\t97.3\t102.42%\n"
    assert table_rows(unit_column) == []  # five cells a row: not this table's shape
    assert table_rows(text.split("\n", 1)[1]) == []  # no header: rows of three values could be a money table's
    scored = "三级指标\t年度指标值\t实际完成值\t得分\t偏差原因\n新建城市书房数量\t4个\t3个\t4.5\t选址调整\n"
    (row,) = table_rows(scored)
    assert row_reading_in(scored, row.start, row.end) == "三级指标“新建城市书房数量”：年度指标值4个，实际完成值3个，得分4.5，偏差原因：选址调整。"
