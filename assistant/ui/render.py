"""Answers, comparisons, reports and notes as HTML for the page. Pure functions, no Gradio.

Everything from a report or a user passes through `html.escape`; the only markup is ours.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlencode

from ..brief import Brief, display_quote
from ..models import Answer, Citation, Passage
from ..service import Check, Figure, ReportMeta  # index types, reached through the service

_MARKER = re.compile(r"\[(\d+)\]")
# Characters Markdown would act on in the chat window; report text is literal.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_~|#$\[\]])")
# Where a streamed answer may pause: after a sentence and any markers that close it.
_STREAM_BREAK = re.compile(r"(?<=[。；！？\n])(?!\s*\[\d)")
STREAM_STEPS = 6
CONTEXT_CHARS = 160
PASSAGE_CHARS = 260
# A question longer than this is cut in its chat bubble: a pasted document must not fill the window.
SHOWN_QUESTION_CHARS = 200
# The extractive answerer ends some abstentions by pointing "below" (as the CLI prints them); the
# page says itself where its passages are, so it drops that pointer.
_PASSAGES_BELOW = "下列段落可能相关，仅供参考。"

SOURCES_PLACEHOLDER = '<div class="sources empty">提问后，这里显示每个 [n] 标记对应的原文句子（<mark>高亮</mark>），以及它所在的段落、报告、章节和年度。</div>'
PENDING = '<span class="pending">正在检索报告中的依据……</span>'


def esc(text: object) -> str:
    """HTML-escaped text, quotes included."""
    return html.escape(str(text), quote=True)


def quote_text(quote: str) -> str:
    """A quote for reading: without the spaces and line breaks that PDF extraction left."""
    return display_quote(quote)


def source_query(citation: Citation) -> str:
    """Where a citation points, as a URL query the page's script sends to the source viewer."""
    return urlencode(
        {
            "rid": citation.report_id,
            "start": citation.start,
            "end": citation.end,
            "page": citation.page or "",
            "ocr": 1 if citation.ocr else "",
            "section": citation.section,
        }
    )


def cite_mark(citation: Citation | None, n: int) -> str:
    """The [n] marker: superscript, with where the quote stands and the quote as its tooltip; a click opens the source.

    The link's fragment carries the place (the chat window keeps links but drops data attributes)."""
    if citation is None:
        return f'<sup class="cite">[{n}]</sup>'
    tip = f"{citation.report} › {citation.location}：{quote_text(citation.quote)}（点击查看原文）"
    return f'<sup class="cite" title="{esc(tip)}"><a class="cite-open" href="#source?{esc(source_query(citation))}">[{n}]</a></sup>'


def marked_html(text: str, citations: Iterable[Citation], markdown: bool = False) -> str:
    """Escaped text with each [n] that has a citation as a marker; Markdown-inert when `markdown`."""
    by_n = {c.n: c for c in citations}
    pieces, cursor = [], 0
    for found in _MARKER.finditer(text):
        n = int(found.group(1))
        if n not in by_n:
            continue
        pieces += [_plain(text[cursor : found.start()].rstrip(" "), markdown), cite_mark(by_n[n], n)]
        cursor = found.end()
    pieces.append(_plain(text[cursor:], markdown))
    body = "".join(pieces)
    return body if markdown else body.replace("\n", "<br>")


def _plain(text: str, markdown: bool) -> str:
    escaped = html.escape(text, quote=False)
    return _MARKDOWN_ACTIVE.sub(r"\\\1", escaped) if markdown else escaped


# -- chat --------------------------------------------------------------------------------------


def shorten_question(question: str, limit: int = SHOWN_QUESTION_CHARS) -> str:
    """The question as displayed: whole up to `limit` characters, else cut with a note of its length."""
    if len(question) <= limit:
        return question
    return f"{question[:limit]}…（已截断，共{len(question)}字）"


def question_message(question: str, bureau: str | None, year: int | None) -> str:
    """The user's message as shown (over-long ones cut), with the filters it was asked under."""
    scope = " · ".join(x for x in (bureau, f"{year}年度" if year else None) if x)
    text = _plain(shorten_question(question), True)
    return f'{text}<br><span class="scope">范围：{esc(scope)}</span>' if scope else text


def chat_message(answer: Answer) -> str:
    """An answer for the chat window; abstentions in a grey notice box that points to passages only when there are some."""
    if answer.abstained:
        text = answer.answer.removesuffix(_PASSAGES_BELOW).strip() or answer.answer
        foot = '<div class="abstain-foot">右侧列出的段落只是可能相关，不构成答案。</div>' if answer.passages else ""
        return f'<div class="abstain"><div class="abstain-head">未找到依据</div>{marked_html(text, (), markdown=False)}{foot}</div>'
    return scope_line(answer) + marked_html(answer.answer, answer.citations, markdown=True)


def scope_line(answer: Answer) -> str:
    """How a follow-up was understood ("按 常宁市…局 2022年度报告理解"), above its answer; nothing otherwise."""
    return f'<div class="answer-scope">{esc(answer.scope)}</div>' if answer.scope else ""


def error_message(message: str) -> str:
    return f'<div class="notice-error">{esc(message)}</div>'


def hint_message(message: str) -> str:
    """A hint in the chat window that is not an answer (e.g. to type a question first)."""
    return f'<div class="hint">{esc(message)}</div>'


def stream_steps(answer: Answer) -> list[str]:
    """Chat messages that grow sentence by sentence up to the whole answer (for streaming)."""
    if answer.abstained:
        return [chat_message(answer)]
    pieces = [p for p in _STREAM_BREAK.split(answer.answer) if p]
    size = max(1, -(-len(pieces) // STREAM_STEPS))
    steps = []
    for end in range(size, len(pieces) + size, size):
        partial = "".join(pieces[: min(end, len(pieces))])
        steps.append(scope_line(answer) + marked_html(partial, answer.citations, markdown=True))
    return steps or [chat_message(answer)]


# -- sources -----------------------------------------------------------------------------------


def paragraph_around(text: str, start: int, end: int, limit: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """(before, quote, after): the quote inside its paragraph, cut to `limit` characters each side."""
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end < 0 else para_end
    left = max(para_start, start - limit)
    right = min(para_end, end + limit)
    before = ("…" if left > para_start else "") + text[left:start]
    after = text[end:right] + ("…" if right < para_end else "")
    return before, text[start:end], after


def sources_html(answer: Answer | None, report_text: Callable[[str], str], scope: str = "chat") -> str:
    """Each cited sentence highlighted in its paragraph; for an abstention, the possibly related passages."""
    if answer is None:
        return SOURCES_PLACEHOLDER
    if answer.abstained or not answer.citations:
        return _maybe_related(answer.passages)
    texts: dict[str, str] = {}
    cards = []
    for citation in sorted(answer.citations, key=lambda c: c.n):
        if citation.report_id not in texts:
            texts[citation.report_id] = report_text(citation.report_id)
        text = texts[citation.report_id]
        if text[citation.start : citation.end] == citation.quote:
            before, quote, after = paragraph_around(text, citation.start, citation.end)
        else:  # the report changed or went since the answer was given: show the quote alone
            before, quote, after = "", citation.quote, ""
        cards.append(
            f'<div class="src" id="{scope}-src-{citation.n}" data-n="{citation.n}" data-source="{esc(source_query(citation))}" title="点击在原文中查看">'
            f'<div class="src-meta"><span class="src-n">[{citation.n}]</span> '
            f'<span class="src-title">{esc(citation.report)}</span>'
            f"{f' · <span class=src-year>{citation.year}年度</span>' if citation.year else ''}</div>"
            f'<div class="src-section">{esc(citation.location)}</div>'
            f'<div class="src-para">{esc(before)}<mark>{esc(quote)}</mark>{esc(after)}</div>'
            '<div class="src-open">在原文中查看 ›</div></div>'
        )
    asked = f'<div class="sources-q">问：{esc(shorten_question(answer.question))}</div>' if answer.question else ""
    return f'<div class="sources"><div class="sources-head">引用来源（{len(cards)}）</div>{asked}{"".join(cards)}</div>'


def _maybe_related(passages: Iterable[Passage]) -> str:
    cards = []
    for p in passages:
        text = p.text if len(p.text) <= PASSAGE_CHARS else p.text[:PASSAGE_CHARS] + "…"
        cards.append(
            '<div class="src maybe">'
            f'<div class="src-meta"><span class="src-title">{esc(p.report)}</span>'
            f"{f' · <span class=src-year>{p.year}年度</span>' if p.year else ''}</div>"
            f'<div class="src-section">{esc(p.section or "正文")}</div>'
            f'<div class="src-para">{esc(text)}</div></div>'
        )
    if not cards:
        return '<div class="sources maybe"><div class="sources-head">没有找到可能相关的段落。</div></div>'
    return f'<div class="sources maybe"><div class="sources-head">可能相关的段落（未引用）</div>{"".join(cards)}</div>'


# -- comparisons -------------------------------------------------------------------------------


def comparison_html(answer: Answer) -> str:
    """The side-by-side table with each cell cited, each side's cited answer, and the 数据核对 notes."""
    if answer.sides is None:
        body = chat_message(answer) if answer.abstained else marked_html(answer.answer, answer.citations)
        return f'<div class="cmp"><div class="notice">这个问题没有被识别为两个单位的比较，下面是普通回答。</div><div class="side">{body}</div></div>'
    by_n = {c.n: c for c in answer.citations}
    bureaus = [side.bureau for side in answer.sides]
    parts = [f'<div class="cmp"><div class="cmp-q">{esc(answer.question)}</div>']
    if answer.table:
        head = "".join(f"<th>{esc(b)}</th>" for b in bureaus)
        rows = []
        for row in answer.table:
            cells = []
            for cell in row.cells:
                if cell.citation is None:
                    cells.append(f'<td class="missing">{esc(cell.value)}</td>')
                    continue
                basis = f'<span class="basis">（{esc(cell.basis)}）</span>' if cell.basis else ""
                cells.append(f"<td>{esc(cell.value)} {esc(cell.unit)}{basis}{cite_mark(by_n.get(cell.citation), cell.citation)}</td>")
            rows.append(f"<tr><th>{esc(row.metric)}</th>{''.join(cells)}</tr>")
        parts.append(f'<table class="cmp-table"><thead><tr><th>指标</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    else:
        parts.append('<div class="notice">报告中没有可以并列比较的关键数据；请看下面各单位的回答。</div>')
    parts.append('<div class="sides">')
    for side in answer.sides:
        klass = "side abstain" if side.abstained else "side"
        parts.append(f'<div class="{klass}"><h4>{esc(side.bureau)}</h4><div>{marked_html(side.answer, side.citations)}</div></div>')
    parts.append("</div>")
    notes = [line for line in answer.answer.split("\n") if line.startswith("注意：")]
    if notes or answer.checks:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes) + "".join(f"<li>{esc(c)}</li>" for c in answer.checks)
        parts.append(f'<div class="checks"><h4>数据核对</h4><ul>{items}</ul></div>')
    parts.append("</div>")
    return "".join(parts)


# -- briefing notes ----------------------------------------------------------------------------


def brief_html(brief: Brief) -> str:
    """A preview of the note as it will be exported: global numbering, only the sources cited."""
    if not len(brief):
        return '<div class="brief empty">简报为空。在「问答」或「比较」页点击“加入简报”，把带引用的回答收进来。</div>'
    items, footnotes = brief.layout()
    parts = [f'<div class="brief"><div class="brief-head">共 {len(items)} 条回答，{len(footnotes)} 个引用来源</div>']
    for i, item in enumerate(items, 1):
        parts.append(f"<h4>{i}. {esc(item.question)}</h4>")
        for paragraph in item.paragraphs:
            text = "".join(f'<sup class="cite">[{s}]</sup>' if isinstance(s, int) else esc(s).replace("\n", "<br>") for s in paragraph)
            parts.append(f"<p>{text}</p>")
    notes = "".join(f'<li value="{f.n}">{esc(f.text)}</li>' for f in footnotes)
    parts.append(f'<div class="footnotes"><div class="footnotes-head">注释</div><ol>{notes}</ol></div></div>')
    return "".join(parts)


# -- reports -----------------------------------------------------------------------------------

REPORT_HEADERS = ["标题", "单位", "地区", "年度", "类型", "签发日期", "文件", "文本块", "待核对"]
FIGURE_HEADERS = ["单位", "指标", "数值", "计量单位", "口径", "原文"]
# What each needs_review entry means, as the 待核对 column says it (the CLI words them the same way).
REVIEW_LABELS = {
    "bureau": "单位",
    "region": "地区",
    "year": "年度",
    "kind": "类型",
    "instructions": "含疑似植入的指令（不作证据）",
}
PLANTED = "instructions"


def review_labels(needs_review: Iterable[str]) -> str:
    return "、".join(REVIEW_LABELS.get(f, f) for f in needs_review)


def report_rows(reports: Iterable[ReportMeta], chunk_counts: dict[str, int]) -> list[list[object]]:
    return [
        [
            m.title,
            m.bureau,
            m.region,
            m.year or "",
            m.kind,
            m.signed or "",
            Path(m.source).name,
            chunk_counts.get(m.id, 0),
            review_labels(m.needs_review),
        ]
        for m in reports
    ]


PLANTED_WARNING = (
    "含有疑似植入的指令：报告中有对模型或读者下命令的句子（如“忽略以上所有指令……”）。"
    "这些句子不作为回答的依据、不进关键数据表，也不会被执行；请核实这份报告的来源。"
)


def review_note(meta: ReportMeta) -> str:
    """What the reader guessed or could not read in a report, and where to correct it; a warning for planted instructions."""
    guessed = [f for f in meta.needs_review if f != PLANTED]
    notes = []
    if PLANTED in meta.needs_review:
        notes.append(f"注意：“{meta.title}”{PLANTED_WARNING}")
    if guessed:
        notes.append(f"{review_labels(guessed)}是推测的或未能识别，请在“核对报告信息”中确认。")
    return "".join(notes)


def report_warnings(reports: Iterable[ReportMeta]) -> str:
    """A warning above the reports table for each report that holds planted instructions."""
    items = [f"<li><b>{esc(m.title)}</b>（{esc(Path(m.source).name)}）{esc(PLANTED_WARNING)}</li>" for m in reports if PLANTED in m.needs_review]
    if not items:
        return ""
    return f'<div class="notice warn" id="planted-warning"><b>⚠ 以下报告需要核实</b><ul>{"".join(items)}</ul></div>'


def figure_rows(figures: Iterable[Figure]) -> list[list[object]]:
    return [[f.bureau, f.metric, f"{f.value:g}", f.unit, f.basis or "", quote_text(f.quote)] for f in figures]


def checks_html(checks: Iterable[Check]) -> str:
    items = [f'<li class="{"ok" if c.consistent else "bad"}">{"✓" if c.consistent else "✗"} {esc(c.bureau)}：{esc(c.note or c.name)}</li>' for c in checks]
    if not items:
        return '<div class="checks"><h4>数据核对</h4><p>没有可核对的分项与合计。</p></div>'
    return f'<div class="checks"><h4>数据核对</h4><ul>{"".join(items)}</ul></div>'


def short_alias(report: ReportMeta) -> str:
    """A short name users would type (望城区工信局), for example questions."""
    named = [a for a in report.aliases if a.endswith("局")] or list(report.aliases) or [report.bureau]
    return min(named, key=len)


# -- the source viewer -------------------------------------------------------------------------

VIEW_CONTEXT = 600  # characters shown each side of a quote when a source opens
VIEW_MORE = 3000  # characters added by 显示更多上文 / 显示更多下文
_SNAP = 200  # a window edge moves to the nearest line break within this many characters
_PAGE_BREAK = "\f"


def source_window(text: str, start: int, end: int, before: int = VIEW_CONTEXT, after: int = VIEW_CONTEXT) -> tuple[int, int]:
    """The part of a report shown around a quote: `before`/`after` characters each side, ends snapped to line breaks."""
    left = max(0, start - before)
    if left > 0:
        line = text.rfind("\n", max(0, left - _SNAP), left)
        left = line + 1 if line >= 0 else left
    right = min(len(text), end + after)
    if right < len(text):
        line = text.find("\n", right, right + _SNAP)
        right = line if line >= 0 else right
    return left, right


def _viewer_text(text: str, first_page: int | None) -> str:
    """Report text for the viewer (shown pre-wrapped): PDF page breaks as a marked divider."""
    pieces = text.split(_PAGE_BREAK)
    out = [esc(pieces[0])]
    for i, piece in enumerate(pieces[1:], 1):
        label = f"第 {first_page + i} 页" if first_page else "换页"
        out.append(f'<span class="page-break">—— {label} ——</span>{esc(piece)}')
    return "".join(out)


def source_view_html(
    title: str,
    bureau: str,
    year: int | None,
    file_name: str,
    section: str,
    page: int | None,
    ocr: bool,
    text: str,
    window: tuple[int, int],
    quote: tuple[int, int],
) -> str:
    """The report around a cited quote: where it stands (section, page) and the text with the quote highlighted."""
    left, right = window
    start, end = quote
    pdf = _PAGE_BREAK in text
    first_page = text.count(_PAGE_BREAK, 0, left) + 1 if pdf else None
    before = text[left:start]
    page_of_end = (first_page or 0) + before.count(_PAGE_BREAK)
    place = [f"章节：{esc(section or '正文')}"]
    if page:
        place.append(f'<span class="viewer-pageno">第 {page} 页</span>' + ("（扫描页，OCR识别）" if ocr else ""))
    head = (
        f'<div class="viewer-title">{esc(title)}</div>'
        f'<div class="viewer-meta">{esc(bureau or "单位未识别")} · {f"{year}年度" if year else "年度不详"} · {esc(file_name)}</div>'
        f'<div class="viewer-place">{" · ".join(place)}</div>'
        f'<div class="viewer-span">显示第 {left + 1}–{right} 字，全文共 {len(text)} 字。</div>'
    )
    body = (
        ('<span class="viewer-cut">……</span>' if left > 0 else "")
        + _viewer_text(before, first_page)
        + f'<mark id="viewer-quote">{_viewer_text(text[start:end], page_of_end)}</mark>'
        + _viewer_text(text[end:right], page_of_end + text[start:end].count(_PAGE_BREAK))
        + ('<span class="viewer-cut">……</span>' if right < len(text) else "")
    )
    return f'<div class="viewer">{head}<div class="viewer-text">{body}</div></div>'


def viewer_error(message: str) -> str:
    return f'<div class="viewer">{error_message(message)}</div>'


# -- progress ----------------------------------------------------------------------------------


def progress_html(name: str, fraction: float, label: str) -> str:
    """One progress bar for an upload: how far, and the stage (读取 / 嵌入 / 保存 / 更新检索索引)."""
    percent = max(0, min(100, round(fraction * 100)))
    return (
        f'<div class="upload-progress" data-percent="{percent}">'
        f'<div class="upload-progress-label">正在导入“{esc(name)}”：{esc(label or "准备中")}（{percent}%）</div>'
        f'<div class="upload-progress-track"><div class="upload-progress-fill" style="width:{percent}%"></div></div></div>'
    )


def index_status_html(describe: str) -> str:
    """The page's note while the first index is built; nothing once it is."""
    if not describe:
        return ""
    return f'<div class="notice index-running">{esc(describe)}。页面已可使用，索引建好后即可提问。</div>'
