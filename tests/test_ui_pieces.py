"""The web UI's pure pieces: citation locations, the source viewer's window, what a browser stores, the
reports' warnings, and the rule that the UI reaches index/ only through the assistant."""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.models import Answer, Citation, Passage, Side, TableCell, TableRow
from assistant.ui import render
from assistant.ui.session import ChatSession, Turn

ROOT = Path(__file__).resolve().parents[1]
PDF_CITATION = Citation(
    1,
    "醴陵市教育局2023年度部门整体支出绩效自评报告",
    "r2",
    "醴陵市教育局",
    2023,
    "二、部门整体支出情况",
    "其中基本支出4210.55万元。",
    "/u/jiaoyu.pdf",
    40,
    54,
    page=2,
)


def test_cards_and_tooltips_say_the_page_and_ocr():
    answer = Answer("q", "4210.55万元。[1]", False, (PDF_CITATION,), ())
    mark = render.marked_html(answer.answer, answer.citations)
    assert "二、部门整体支出情况，第2页：" in mark and "page=2" in mark
    text = "x" * 40 + "其中基本支出4210.55万元。" + "y" * 10
    card = render.sources_html(answer, lambda rid: text)
    assert '<div class="src-section">二、部门整体支出情况，第2页</div>' in card
    scanned = replace(PDF_CITATION, ocr=True)
    card = render.sources_html(replace(answer, citations=(scanned,)), lambda rid: text)
    assert "二、部门整体支出情况，第2页（扫描页，OCR识别）" in card and "ocr=1" in card
    plain = replace(PDF_CITATION, page=None)
    assert "第" not in render.cite_mark(plain, 1).split("：")[0]


def test_a_follow_up_shows_its_scope_in_the_bubble():
    answer = Answer(
        "那常宁呢？",
        "793.43万元。[1]",
        False,
        (PDF_CITATION,),
        (),
        scope="按 常宁市科技和工业信息化局 2022年度报告理解",
    )
    bubble = render.chat_message(answer)
    assert bubble.startswith('<div class="answer-scope">按 常宁市科技和工业信息化局 2022年度报告理解</div>')
    assert all(step.startswith('<div class="answer-scope">') for step in render.stream_steps(answer))
    assert "answer-scope" not in render.chat_message(replace(answer, scope=""))


def test_the_viewer_shows_a_window_around_the_quote_not_the_whole_report():
    paragraph = "前文。" * 50 + "\n"
    text = paragraph * 400 + "局机关共有 17 个编制。" + "\n" + paragraph * 400
    start = text.index("局机关")
    end = start + len("局机关共有 17 个编制。")
    left, right = render.source_window(text, start, end)
    assert left <= start and end <= right
    assert right - left < 2 * render.VIEW_CONTEXT + 2 * 200 + (end - start) + 2
    assert left == 0 or text[left - 1] == "\n"  # snapped to a line
    wider = render.source_window(text, start, end, render.VIEW_CONTEXT + render.VIEW_MORE, render.VIEW_CONTEXT)
    assert wider[0] < left and wider[1] == right
    html = render.source_view_html("某局报告", "某局", 2021, "x.txt", "一、基本情况 › （二）机构", None, False, text, (left, right), (start, end))
    assert '<mark id="viewer-quote">局机关共有 17 个编制。</mark>' in html
    assert "章节：一、基本情况 › （二）机构" in html and f"全文共 {len(text)} 字" in html
    assert len(html) < 3 * render.VIEW_CONTEXT + 1500
    assert render.source_window("短文。", 0, 3) == (0, 3)


def test_the_viewer_marks_pdf_pages():
    text = "第一页。\n\f\n二、支出\n其中基本支出4210.55万元。\n\f\n三、问题"
    start = text.index("其中")
    end = start + len("其中基本支出4210.55万元。")
    html = render.source_view_html("醴陵", "醴陵市教育局", 2023, "jiaoyu.pdf", "二、支出", 2, True, text, (0, len(text)), (start, end))
    assert "第 2 页</span>（扫描页，OCR识别）" in html
    assert html.index("—— 第 2 页 ——") < html.index("<mark") < html.index("—— 第 3 页 ——")


def test_an_answer_survives_json_and_back():
    compare = Answer(
        "比较",
        "表[1][2]",
        False,
        (PDF_CITATION, replace(PDF_CITATION, n=2, page=None)),
        (Passage("r", "r2", "b", 2023, "s", "t", 0.5, 0, 1),),
        {"total": 3.0},
        sides=(Side("甲", "甲[1]", False, (PDF_CITATION,)), Side("乙", "无", True, ())),
        table=(TableRow("基本支出", (TableCell("甲", "1", "万元", None, 1), TableCell("乙", "—", "", None, None))),),
        checks=("核对",),
        scope="按 甲 2023年度报告理解",
    )
    assert Answer.from_dict(json.loads(json.dumps(compare.to_dict()))) == compare


@pytest.mark.parametrize(
    "bad",
    [
        None,
        3,
        "x",
        {},
        {"question": "q"},
        {"question": "q", "answer": "a", "abstained": False, "citations": [{"n": 1}]},
    ],
)
def test_unreadable_stored_answers_are_left_out(bad):
    assert Answer.from_dict(bad) is None


def test_conversations_and_the_note_round_trip_through_the_browser_store():
    session = ChatSession()
    answer = Answer("醴陵教育局基本支出多少", "4210.55万元。[1]", False, (PDF_CITATION,), ())
    session.turns.append(Turn(answer.question, None, 2023, answer, in_conversation=True))
    session.brief.add(answer)
    session.brief.set_title("三月简报")
    first = session.conversation_id
    session.start_new()
    session.turns.append(Turn("第二个对话的问题", error="问题过长"))
    stored = json.loads(json.dumps(session.to_store()))

    restored = ChatSession.from_store(stored)
    assert restored.conversation_id == session.conversation_id
    assert [t.question for t in restored.turns] == ["第二个对话的问题"] and restored.turns[0].error == "问题过长"
    assert [c["id"] for c in restored.conversations()] == [session.conversation_id, first]
    assert restored.brief.answers == [answer] and restored.brief.title == "三月简报"
    assert restored.brief.headings == ["醴陵教育局基本支出多少（醴陵市教育局 2023年度）"]

    assert restored.open(first) and restored.turns[0].answer == answer and restored.turns[0].year == 2023
    restored.delete(first)
    assert [c["id"] for c in restored.conversations()] == [session.conversation_id]
    assert restored.turns[0].question == "第二个对话的问题"  # the next one opened
    assert not restored.open("no-such-id")


@pytest.mark.parametrize("stored", [None, "garbage", [], {"version": 99}, {"version": 1, "conversations": ["x", {"id": 3}], "brief": "x"}])
def test_a_damaged_store_gives_an_empty_session(stored):
    session = ChatSession.from_store(stored)
    assert session.turns == [] and len(session.brief) == 0 and session.conversations() == []


def _meta(needs_review: tuple[str, ...]):
    from assistant.service import ReportMeta

    return ReportMeta(
        "r9",
        "某局2023年度绩效自评报告",
        "某局",
        "湖南省",
        None,
        None,
        2023,
        None,
        "绩效情况说明",
        (),
        "/u/planted.txt",
        "h",
        needs_review=needs_review,
    )


def test_planted_instructions_are_a_warning_not_a_field_to_correct():
    note = render.review_note(_meta(("instructions",)))
    assert note.startswith("注意：“某局2023年度绩效自评报告”含有疑似植入的指令") and "核对报告信息" not in note
    both = render.review_note(_meta(("year", "instructions")))
    assert "疑似植入的指令" in both and both.endswith("年度是推测的或未能识别，请在“核对报告信息”中确认。")
    assert render.review_note(_meta(())) == ""
    warning = render.report_warnings([_meta(()), _meta(("instructions",))])
    assert warning.count("<li>") == 1 and "planted.txt" in warning and "请核实这份报告的来源" in warning
    assert render.report_warnings([_meta(("bureau",))]) == ""
    assert render.report_rows([_meta(("instructions",))], {})[0][-1] == "含疑似植入的指令（不作证据）"


def test_review_labels_cover_what_the_index_flags():
    from index.metadata import REVIEW_FIELDS

    assert render.REVIEW_LABELS == REVIEW_FIELDS


def test_the_ui_imports_nothing_from_index():
    offenders = []
    for path in sorted((ROOT / "assistant" / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n == "index" or n.startswith("index.")]
    assert offenders == []
