"""PDFs as published: pages in citations, ruled tables read cell by cell, scanned pages read by OCR."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CHANGNING, WANGCHENG
from test_readers import _pdf_bytes

from assistant.errors import AssistantError, ReportIndexError
from index.cleaning import sentence_text
from index.pdf import PAGE_BREAK, ocr_lines, page_starts
from index.readers import read_report

PUBLISHED = Path(__file__).parent / "data" / "published"
SCAN = PUBLISHED / "scan_liling.pdf"


def _cjk_canvas(path: Path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return canvas.Canvas(str(path), pagesize=A4)


def _word_style_table(path: Path) -> Path:
    """A 自评表 drawn the way Word exports one: cells on a shared baseline between ruled lines, one cell empty."""
    page = _cjk_canvas(path)
    page.setFont("STSong-Light", 14)
    page.drawString(120, 800, "衡东县交通运输局2023年度项目支出绩效自评表")
    page.setFont("STSong-Light", 9)
    rows = [
        ["三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"],
        ["道路保洁覆盖率", "≥95%", "97%", "10", "10", ""],
        ["群众满意度", "≥90%", "86%", "10", "7", "部分路段保洁不及时"],
    ]
    edges, top = [50, 170, 260, 350, 400, 450, 560], 760
    for row in rows:
        for x, cell in zip(edges, row):
            page.drawString(x + 3, top + 5, cell)
        for x in edges:
            page.line(x, top - 2, x, top + 18)
        page.line(edges[0], top + 18, edges[-1], top + 18)
        page.line(edges[0], top - 2, edges[-1], top - 2)
        top -= 20
    page.drawString(50, top - 20, "说明：本表由项目单位填报。")
    page.showPage()
    page.save()
    return path


def _three_pages(path: Path) -> Path:
    path.write_bytes(
        _pdf_bytes(
            [
                ["醴陵市教育局2023年度部门整体支出绩效自评报告", "一、部门基本情况", "醴陵市教育局内设机构9个。"],
                ["二、部门整体支出情况", "2023年度部门整体支出6523.18万元，其中基本支出4210.55万元。"],
                ["三、存在的问题", "部分学校项目资金拨付进度偏慢。"],
            ]
        )
    )
    return path


def test_pages_are_joined_by_a_page_break_and_located(tmp_path):
    read = read_report(_three_pages(tmp_path / "jiaoyu.pdf"))
    assert read.text.count(PAGE_BREAK) == 2
    assert read.pages == page_starts(read.text) and len(read.pages) == 3
    second = read.text.index("二、部门整体支出情况")
    assert read.pages[1] <= second < read.pages[2]
    assert read.ocr_pages == ()


def test_ruled_table_cells_keep_their_columns_even_when_one_is_empty(tmp_path):
    read = read_report(_word_style_table(tmp_path / "hengdong.pdf"))
    assert "道路保洁覆盖率\t≥95%\t97%\t10\t10\t" in read.text
    assert "群众满意度\t≥90%\t86%\t10\t7\t部分路段保洁不及时" in read.text
    assert read.text.index("说明") > read.text.index("群众满意度")


def test_ocr_lines_lay_boxes_out_as_rows_and_cells():
    boxes = [
        ([[100, 10], [300, 10], [300, 40], [100, 40]], "三级指标", 1.0),
        ([[450, 12], [600, 12], [600, 42], [450, 42]], "年度指标值", 1.0),
        ([[160, 60], [700, 60], [700, 90], [160, 90]], "内设机构8个，", 1.0),
        ([[100, 110], [400, 110], [400, 140], [100, 140]], "编制人数45人。", 1.0),
    ]
    assert ocr_lines(boxes) == "三级指标\t年度指标值\n\u3000\u3000内设机构8个，\n编制人数45人。"


@pytest.mark.slow
def test_a_scanned_pdf_is_read_by_ocr_page_by_page():
    read = read_report(SCAN)
    assert read.ocr_pages == (1, 2)
    squeezed = "".join(read.text.split())
    assert "醴陵市农业农村局2023年度部门整体支出绩效自评报告" in squeezed
    assert "2023年度部门整体支出1286.54万元" in squeezed
    assert "农技培训人次\t≥800人次\t650人次\t10\t8" in read.text


@pytest.fixture(scope="module")
def pdf_office(tmp_path_factory):
    """The shipped reports, a scanned report and a three-page PDF, in a fresh index."""
    from assistant.service import Assistant
    from assistant.settings import Settings

    corpus = tmp_path_factory.mktemp("pdfs")
    for path in (WANGCHENG, CHANGNING, SCAN):
        shutil.copy(path, corpus)
    _three_pages(corpus / "jiaoyu.pdf")
    assistant = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("index")))
    assert not assistant.ingest().failed
    return assistant


@pytest.mark.slow
def test_citations_from_a_pdf_carry_the_page(pdf_office):
    answer = pdf_office.ask("醴陵教育局基本支出多少")
    assert not answer.abstained
    citation = answer.citations[0]
    assert "4210.55" in citation.quote
    assert (citation.page, citation.ocr) == (2, False)
    assert answer.to_json()["citations"][0]["page"] == 2
    assert "第2页" in citation.location


@pytest.mark.slow
def test_the_cited_page_is_rendered_for_the_source_viewer(pdf_office):
    citation = pdf_office.ask("醴陵教育局基本支出多少").citations[0]
    png = pdf_office.page_image(citation.report_id, citation.page)
    assert png.startswith(b"\x89PNG") and len(png) > 1000
    assert pdf_office.page_image(citation.report_id, citation.page) is png  # kept for the next look
    with pytest.raises(ReportIndexError, match="没有第 9 页"):
        pdf_office.page_image(citation.report_id, 9)
    text_report = next(r for r in pdf_office.reports() if r.source.endswith(".txt"))
    with pytest.raises(AssistantError, match="不是 PDF"):
        pdf_office.page_image(text_report.id, 1)


@pytest.mark.slow
def test_citations_from_a_scan_say_ocr_and_page(pdf_office):
    answer = pdf_office.ask("醴陵农业农村局项目支出是多少？")
    assert not answer.abstained
    citation = answer.citations[0]
    assert "454.37" in sentence_text(citation.quote).replace(" ", "")
    assert (citation.page, citation.ocr) == (1, True)
    assert "OCR" in citation.location


@pytest.mark.slow
def test_a_scanned_table_row_is_answered_and_cited(pdf_office):
    answer = pdf_office.ask("醴陵农业农村局农技培训人次完成了多少")
    assert not answer.abstained
    assert "农技培训人次" in answer.citations[0].quote
    assert answer.citations[0].page == 2


@pytest.mark.slow
def test_text_reports_have_no_page(pdf_office):
    answer = pdf_office.ask("望城区工信局基本支出多少？")
    assert answer.citations and answer.citations[0].page is None
