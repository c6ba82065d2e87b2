"""Tests for index.readers: exact text from small Chinese files, and a table of bad inputs."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from index.errors import UnreadableFileError
from index.pdf import PAGE_BREAK
from index.readers import SUPPORTED_SUFFIXES, read_report_text

REPORT = (
    "2021年度长沙市望城区工业和信息化局整体支出预算绩效自评报告\n"
    "\n"
    "一、部门基本情况\n"
    "（一）年末在职人数 25 人，退休 7 人。\n"
    "二、2021年一般公共预算拨款收入2284.43万元，其中基本支出 446 万元。\n"
)
FIGURE = "2021年一般公共预算拨款收入2284.43万元"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _pdf_bytes(pages: list[list[str]]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for lines in pages:
        pdf.setFont("STSong-Light", 12)
        for number, line in enumerate(lines):
            pdf.drawString(50, 800 - 20 * number, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _squeeze(text: str) -> str:
    return "".join(text.split())


# --- text encodings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("gbk", b""),
        ("gb2312", b""),
        ("gb18030", b""),
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
    ],
    ids=["gbk", "gb2312", "gb18030", "utf8", "utf8-bom", "utf16-bom"],
)
def test_text_encodings_decode_exactly(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = _write(tmp_path, "report.txt", prefix + REPORT.encode(encoding))
    assert read_report_text(path) == REPORT


def test_gb18030_only_characters(tmp_path: Path) -> None:
    # 〇 and 𠀀 are outside GBK's common set; 𠀀 exists only in GB18030's four-byte range.
    text = "二〇二一年度报告：𠀀字测试，收入 12.5 万元。\n"
    path = _write(tmp_path, "report.txt", text.encode("gb18030"))
    assert read_report_text(path) == text


def test_crlf_and_cr_become_lf(tmp_path: Path) -> None:
    path = _write(tmp_path, "report.md", "第一段\r\n\r\n第二段\r第三段".encode("gbk"))
    assert read_report_text(path) == "第一段\n\n第二段\n第三段"


def test_big5_is_not_mistaken_for_gb18030(tmp_path: Path) -> None:
    # Big5 bytes decode as GB18030 without error, into nonsense; detection must catch that.
    text = "長沙市望城區工業和信息化局整體支出預算績效自評報告，部門基本情況與職能職責說明。" * 3
    path = _write(tmp_path, "report.txt", text.encode("big5"))
    assert read_report_text(path) == text


# --- DOCX ----------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("常宁市科技和工业信息化局2022年度绩效情况说明", level=1)
    document.add_paragraph("一、部门基本情况")
    document.add_paragraph("")  # empty paragraphs must not pile up blank lines
    table = document.add_table(rows=2, cols=3)
    values = [("项目", "金额（万元）", "占比"), ("基本支出", "446", "19.5%")]
    for row, cells in zip(table.rows, values):
        for cell, value in zip(row.cells, cells):
            cell.text = value
    document.add_paragraph("二、存在的问题")
    path = tmp_path / "report.docx"
    document.save(str(path))

    assert read_report_text(path) == (
        "常宁市科技和工业信息化局2022年度绩效情况说明\n\n一、部门基本情况\n\n项目\t金额（万元）\t占比\n基本支出\t446\t19.5%\n\n二、存在的问题"
    )


def test_docx_merged_cell_written_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "三公经费"
    table.cell(0, 2).text = "0.5"
    path = tmp_path / "report.docx"
    document.save(str(path))
    assert read_report_text(path) == "三公经费\t0.5"


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_cjk_text_survives(tmp_path: Path) -> None:
    data = _pdf_bytes([["一、部门基本情况", FIGURE], ["三、绩效情况"]])
    text = read_report_text(_write(tmp_path, "report.pdf", data))
    assert FIGURE in _squeeze(text)
    first, second = text.split(PAGE_BREAK)
    assert _squeeze(first) == "一、部门基本情况" + FIGURE
    assert _squeeze(second) == "三、绩效情况"


def test_pdf_with_owner_password_only_is_read(tmp_path: Path) -> None:
    # Published PDFs are often encrypted just to forbid copying; they open without a password.
    text = read_report_text(_encrypted_pdf(tmp_path, user_password=""))
    assert _squeeze(text) == FIGURE


# --- HTML ----------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>标题不要</title>
<style>p {{ color: red; }}</style></head>
<body><script>var secret = "脚本内容";</script>
<h1>绩效自评报告</h1>
<div>一、部门基本情况<br>在职 25 人</div>
<!-- 注释不要 -->
<p>收入
   2284.43万元&nbsp;，<b>基本支出</b>446万元。</p>
<table><tr><th>项目</th> <th>金额</th></tr><tr><td>基本支出</td><td>446</td></tr></table>
<ul><li>问题一</li><li>问题二</li></ul>
</body></html>
"""
HTML_TEXT = "绩效自评报告\n\n一、部门基本情况\n\n在职 25 人\n\n收入 2284.43万元\xa0，基本支出446万元。\n\n项目\t金额\n\n基本支出\t446\n\n问题一\n\n问题二"


@pytest.mark.parametrize(("charset", "encoding"), [("utf-8", "utf-8"), ("gbk", "gbk")])
def test_html_text_without_script(tmp_path: Path, charset: str, encoding: str) -> None:
    path = _write(tmp_path, "report.html", HTML.format(charset=charset).encode(encoding))
    text = read_report_text(path)
    assert text == HTML_TEXT
    assert "脚本" not in text and "color" not in text and "注释" not in text


def test_html_without_meta_detects_gbk(tmp_path: Path) -> None:
    page = "<html><body><p>部门整体支出绩效自评报告</p><p>三公经费 0.5 万元</p></body></html>"
    path = _write(tmp_path, "report.htm", page.encode("gbk"))
    assert read_report_text(path) == "部门整体支出绩效自评报告\n\n三公经费 0.5 万元"


def test_html_utf8_bytes_beat_stale_gb2312_meta(tmp_path: Path) -> None:
    page = '<html><head><meta charset="gb2312"></head><body><p>绩效情况说明</p></body></html>'
    path = _write(tmp_path, "report.html", page.encode("utf-8"))
    assert read_report_text(path) == "绩效情况说明"


def test_html_unclosed_head_keeps_body(tmp_path: Path) -> None:
    page = "<html><head><title>t</title><body><p>评价结论：优</p></body></html>"
    path = _write(tmp_path, "report.html", page.encode("utf-8"))
    assert read_report_text(path) == "评价结论：优"


# --- bad inputs ----------------------------------------------------------------------------


def _truncated_pdf(tmp_path: Path) -> Path:
    data = _pdf_bytes([[FIGURE]])
    return _write(tmp_path, "truncated.pdf", data[: len(data) // 2])


def _zip_not_docx(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "不是 Word 文档")
    return _write(tmp_path, "fake.docx", buffer.getvalue())


def _encrypted_pdf(tmp_path: Path, user_password: str) -> Path:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_pdf_bytes([[FIGURE]]))))
    # RC4 needs no optional crypto package; AES would need 'cryptography'.
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return _write(tmp_path, "encrypted.pdf", buffer.getvalue())


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "reports.txt"
    path.mkdir()
    return path


def _zip_bomb(directory: Path, unpacked: int) -> Path:
    """A .docx-shaped ZIP whose document.xml inflates to `unpacked` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(unpacked // 2**20):
                member.write(b"\0" * 2**20)
    return _write(directory, "bomb.docx", buffer.getvalue())


def _many_members(directory: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for n in range(2001):
            package.writestr(f"word/media/{n}.xml", "x")
    return _write(directory, "members.docx", buffer.getvalue())


JUNK = bytes(range(256)) * 8
BAD_INPUTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty": (lambda d: _write(d, "empty.txt", b""), "空的"),
    "whitespace-only": (
        lambda d: _write(d, "blank.txt", " \n\t\r\n\u3000".encode()),
        "空白",
    ),
    "binary-with-nul": (lambda d: _write(d, "junk.txt", JUNK), "二进制"),
    "binary-no-nul": (
        lambda d: _write(d, "junk2.txt", JUNK.replace(b"\x00", b"\x01")),
        "编码",
    ),
    # Control characters are valid UTF-8, so only the printable-share check can catch them.
    "control-characters": (
        lambda d: _write(d, "control.md", bytes(range(1, 32)) * 20 + "报告".encode()),
        "不可打印",
    ),
    "undecodable-html": (
        lambda d: _write(d, "junk.html", b"<p>" + JUNK.replace(b"\x00", b"\x01") + b"</p>"),
        "编码",
    ),
    "random-pdf": (lambda d: _write(d, "random.pdf", JUNK), "损坏"),
    "truncated-pdf": (_truncated_pdf, "损坏"),
    "pdf-without-text": (lambda d: _write(d, "scan.pdf", _pdf_bytes([[]])), "OCR"),
    "pdf-with-password": (lambda d: _encrypted_pdf(d, "secret"), "密码"),
    "random-docx": (lambda d: _write(d, "random.docx", JUNK), ".doc"),
    "zip-not-docx": (_zip_not_docx, "Word"),
    "unsupported-suffix": (lambda d: _write(d, "budget.xlsx", b"PK\x03\x04"), ".docx"),
    "zip-bomb-docx": (lambda d: _zip_bomb(d, 300 * 2**20), "压缩炸弹"),
    "high-ratio-docx": (lambda d: _zip_bomb(d, 20 * 2**20), "压缩比"),
    "many-member-docx": (_many_members, "上限"),
    "directory": (_directory, "文件夹"),
    "missing": (lambda d: d / "missing.txt", "找不到"),
    "oversize": (lambda d: _write(d, "big.txt", "预算".encode() * 100), "上限 100 字节"),
    "html-only-script": (
        lambda d: _write(d, "script.html", b"<html><body><script>document.write(1)</script></body></html>"),
        "没有可见文字",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_inputs_raise_unreadable(tmp_path: Path, case: str) -> None:
    make, hint = BAD_INPUTS[case]
    path = make(tmp_path)
    with pytest.raises(UnreadableFileError) as caught:
        read_report_text(path, max_bytes=100 if case == "oversize" else 4 * 1024 * 1024)
    message = str(caught.value)
    assert path.name in message
    assert hint in message
    assert caught.value.path == path


def test_unsupported_suffix_lists_supported(tmp_path: Path) -> None:
    path = _write(tmp_path, "budget.xlsx", b"x")
    with pytest.raises(UnreadableFileError) as caught:
        read_report_text(path)
    assert all(suffix in str(caught.value) for suffix in SUPPORTED_SUFFIXES)


def test_non_positive_max_bytes_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        read_report_text(_write(tmp_path, "report.txt", b"x"), max_bytes=0)


def test_tables_drawn_with_bars_are_read_as_rows_of_tab_separated_cells(tmp_path: Path) -> None:
    path = tmp_path / "bars.txt"
    path.write_text(
        "首页 | 政务公开 | 互动交流\n| 项目 | 全年预算数 | 执行率 |\n|---|:--:|---:|\n| 合计 | 31,952.08 | 95.20% |\n"
        "项目支出 | 30,046.75 | 95.04%\n一行里只有一条竖线 | 不是表格\n",
        encoding="utf-8",
    )
    assert read_report_text(path) == (
        "首页\t政务公开\t互动交流\n项目\t全年预算数\t执行率\n合计\t31,952.08\t95.20%\n项目支出\t30,046.75\t95.04%\n一行里只有一条竖线 | 不是表格\n"
    )
