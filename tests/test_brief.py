"""Briefing notes: global footnote numbering across answers, in Markdown and in real Word footnotes."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from assistant.brief import Brief, write_brief
from assistant.models import Answer, Citation

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WANGCHENG = "2021年度长沙市望城区工业和信息化局整体支出预算绩效自评报告"
CHANGNING = "常宁市科技和工业信息化局2022年度绩效情况说明"


def cite(n: int, report: str, section: str, quote: str, start: int, report_id: str | None = None) -> Citation:
    rid = report_id or ("wc" if report == WANGCHENG else "cn")
    return Citation(n, report, rid, "某局", 2021, section, quote, "/corpus/x.txt", start, start + len(quote))


STAFF = cite(
    1,
    WANGCHENG,
    "一、部门基本情况 › （二）机构设置",
    "局机关共有 17 个编制，其中：行政编制 15 个，工勤编制 2 个。",
    542,
)
BASIC_WC = cite(2, WANGCHENG, "二、部门整体预算支出情况 › （一）基本支出情况", "2021 年年初预算数为 1193.43 万元。", 706)
BASIC_CN = cite(1, CHANGNING, "二、整体支出基本情况", "基本支出793.43万元，项目资金支出4459.21万元。", 2203)
UNUSED = cite(3, CHANGNING, "四、存在的问题", "工业结构不优。", 3000)

FIRST = Answer(
    question="望城区工信局有多少编制，基本支出多少？",
    answer="局机关共有17个编制。[1] 基本支出年初预算1193.43万元。[2]",
    abstained=False,
    citations=(STAFF, BASIC_WC),
    passages=(),
)
# The second answer numbers its own citations from 1 again, cites a quote the first also cites
# (as its [2]), carries a citation its text never marks, and a bracketed number that is no marker.
SECOND = Answer(
    question="比较望城和常宁的基本支出",
    answer="【常宁】基本支出793.43万元。[1]\n\n【望城】年初预算1193.43万元。[2]\n\n附表见[7]。",
    abstained=False,
    citations=(BASIC_CN, replace(BASIC_WC, n=2), UNUSED),
    passages=(),
)


def test_layout_numbers_globally_and_reuses_a_repeated_quote():
    items, footnotes = Brief([FIRST, SECOND]).layout()
    assert [f.n for f in footnotes] == [1, 2, 3]
    assert [f.quote for f in footnotes] == [
        "局机关共有17个编制，其中：行政编制15个，工勤编制2个。",  # PDF spacing squeezed out
        "2021年年初预算数为1193.43万元。",
        "基本支出793.43万元，项目资金支出4459.21万元。",
    ]
    assert items[0].paragraphs == (("局机关共有17个编制。", 1, " 基本支出年初预算1193.43万元。", 2),)
    # 常宁 is new (3); 望城's basic expenditure is the same quote as the first answer's [2].
    assert items[1].paragraphs == (
        ("【常宁】基本支出793.43万元。", 3),
        ("【望城】年初预算1193.43万元。", 2),
        ("附表见[7]。",),
    )


def test_only_cited_sources_are_listed():
    footnotes = Brief([SECOND]).footnotes()
    assert [f.report for f in footnotes] == [CHANGNING, WANGCHENG]
    assert all("工业结构不优" not in f.quote for f in footnotes)


def test_markdown_footnotes():
    markdown = Brief([FIRST, SECOND]).to_markdown()
    assert "## 1. 望城区工信局有多少编制，基本支出多少？" in markdown
    assert "局机关共有17个编制。[^1] 基本支出年初预算1193.43万元。[^2]" in markdown
    assert "【常宁】基本支出793.43万元。[^3]" in markdown
    assert "【望城】年初预算1193.43万元。[^2]" in markdown
    assert "附表见\\[7\\]。" in markdown  # not a marker: escaped, no footnote
    definitions = re.findall(r"^\[\^(\d+)\]: (.*)$", markdown, re.MULTILINE)
    assert [n for n, _ in definitions] == ["1", "2", "3"]
    assert definitions[0][1] == f"{WANGCHENG}，一、部门基本情况 › （二）机构设置：“局机关共有17个编制，其中：行政编制15个，工勤编制2个。”"
    assert definitions[2][1].startswith(f"{CHANGNING}，二、整体支出基本情况：“基本支出793.43万元")
    assert "工业结构不优" not in markdown


def _docx_parts(path: Path) -> tuple[etree._Element, etree._Element, str, str, str]:
    with zipfile.ZipFile(path) as z:
        return (
            etree.fromstring(z.read("word/document.xml")),
            etree.fromstring(z.read("word/footnotes.xml")),
            z.read("[Content_Types].xml").decode(),
            z.read("word/_rels/document.xml.rels").decode(),
            z.read("word/settings.xml").decode(),
        )


def test_docx_has_real_footnotes_numbered_across_answers(tmp_path):
    path = Brief([FIRST, SECOND]).to_docx(tmp_path / "note.docx")
    document, footnotes, types, rels, settings = _docx_parts(path)

    assert "wordprocessingml.footnotes+xml" in types
    assert "relationships/footnotes" in rels
    assert "<w:footnotePr>" in settings
    notes = {int(f.get(f"{W}id")): "".join(f.itertext()).strip() for f in footnotes.iter(f"{W}footnote") if int(f.get(f"{W}id")) > 0}
    assert sorted(notes) == [1, 2, 3]
    assert notes[1] == f"{WANGCHENG}，一、部门基本情况 › （二）机构设置：“局机关共有17个编制，其中：行政编制15个，工勤编制2个。”"
    assert notes[2] == f"{WANGCHENG}，二、部门整体预算支出情况 › （一）基本支出情况：“2021年年初预算数为1193.43万元。”"
    assert notes[3] == f"{CHANGNING}，二、整体支出基本情况：“基本支出793.43万元，项目资金支出4459.21万元。”"

    # Each footnote is referenced once, in order; the repeated quote is a NOTEREF to footnote 2.
    references = [int(r.get(f"{W}id")) for r in document.iter(f"{W}footnoteReference")]
    assert references == [1, 2, 3]
    repeats = [f.get(f"{W}instr") for f in document.iter(f"{W}fldSimple")]
    assert repeats == [" NOTEREF _RefFootnote2 \\f \\h "]
    bookmarks = {b.get(f"{W}name") for b in document.iter(f"{W}bookmarkStart")}
    assert "_RefFootnote2" in bookmarks


def test_docx_opens_with_python_docx(tmp_path):
    from docx import Document

    path = Brief([FIRST, SECOND]).to_docx(tmp_path / "note.docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "1. 望城区工信局有多少编制，基本支出多少？" in text
    assert "【常宁】基本支出793.43万元。" in text
    assert "工业结构不优" not in text


def test_control_characters_do_not_break_the_docx(tmp_path):
    odd = cite(1, WANGCHENG, "三、绩效情况", "专\x0c项 446 万元。", 10)
    answer = Answer("铜陶专项？\x07", "专项446万元。\x0b[1]", False, (odd,), ())
    path = Brief([answer]).to_docx(tmp_path / "odd.docx")
    _, footnotes, *_ = _docx_parts(path)
    assert "专项446万元。" in "".join(footnotes.itertext())


def test_write_brief_chooses_the_format_by_suffix(tmp_path):
    md = write_brief([FIRST], tmp_path / "note.md")
    assert md.read_text(encoding="utf-8").startswith("# 简报")
    docx = write_brief([FIRST, SECOND], tmp_path / "note.DOCX")
    assert zipfile.is_zipfile(docx)
    with pytest.raises(ValueError, match=r"\.docx 或 \.md"):
        write_brief([FIRST], tmp_path / "note.pdf")


def test_abstentions_and_empty_notes():
    abstained = Answer("长沙今天天气怎么样？", "没有找到能回答这个问题的内容。", True, (), ())
    markdown = Brief([abstained]).to_markdown()
    assert "没有找到能回答这个问题的内容" in markdown
    assert "[^" not in markdown
    assert Brief().footnotes() == []


def test_headings_keep_the_scope_each_question_was_asked_in():
    follow_up = replace(SECOND, question="那常宁呢？", scope="按 常宁市科技和工业信息化局 2022年度报告理解")
    brief = Brief([FIRST, follow_up])
    assert brief.headings == [
        "望城区工信局有多少编制，基本支出多少？（某局 2021年度）",
        "那常宁呢？（常宁市科技和工业信息化局 2022年度）",
    ]
    markdown = brief.to_markdown()
    assert "## 2. 那常宁呢？（常宁市科技和工业信息化局 2022年度）" in markdown


def test_title_heading_and_text_are_edited_before_export(tmp_path):
    from docx import Document

    brief = Brief([FIRST, SECOND])
    brief.set_title("  三月  简报 ")
    assert brief.title == "三月 简报"
    assert brief.edit(0, heading="望城编制（2021年度）", text="据报告，局机关共有17个编制。[1]") == [2]  # [2] dropped
    items, footnotes = brief.layout()
    assert items[0].question == "望城编制（2021年度）"
    assert items[0].paragraphs == (("据报告，局机关共有17个编制。", 1),)
    assert [f.n for f in footnotes] == [1, 2, 3]  # the dropped quote is still cited by the second answer
    assert brief.to_markdown().startswith("# 三月 简报")
    text = "\n".join(p.text for p in Document(str(brief.to_docx(tmp_path / "n.docx"))).paragraphs)
    assert "三月 简报" in text and "望城编制（2021年度）" in text and "据报告，局机关共有17个编制。" in text
    brief.edit(0, heading="   ")  # a blank heading goes back to the question and its scope
    assert brief.headings[0] == "望城区工信局有多少编制，基本支出多少？（某局 2021年度）"
    with pytest.raises(ValueError, match="不能为空"):
        brief.edit(0, text="  ")
    with pytest.raises(IndexError, match="第 5 条"):
        brief.edit(4, heading="x")
    brief.set_title("")
    assert brief.title == "简报"
    brief.remove(0)
    assert len(brief.headings) == len(brief.answers) == 1
