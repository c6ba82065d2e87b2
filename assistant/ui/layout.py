"""The page: 问答, 比较, 报告 and 简报 tabs, wired to the handlers. Built once per process."""

from __future__ import annotations

import secrets
from pathlib import Path

import gradio as gr

from ..brief import DEFAULT_TITLE as BRIEF_TITLE
from ..service import KINDS, SUPPORTED_SUFFIXES, Assistant
from . import render
from .handlers import ADD_TO_BRIEF, ALL_BUREAUS, ALL_YEARS, Handlers
from .session import ChatSession

TITLE = "绩效自评报告问答助手"
# Questions answered at once; each is short and CPU-bound, and writes to the index queue alone.
QUEUE_CONCURRENCY = 8
QUEUE_MAX_SIZE = 200
INDEX_WRITES = "index-writes"
# The browser's own storage of its conversations and note (localStorage, one per browser profile).
STORAGE_KEY = "budget-assistant-v1"
SECRET_FILE = "browser-state.key"
STATUS_POLL_S = 1.0

CSS = """
.cite a.cite-open { color: inherit; text-decoration: none; }
.cite { color: #1d4ed8; font-weight: 600; cursor: pointer; margin-left: 1px; }
.scope { font-size: 0.8em; color: #6b7280; }
.pending { color: #6b7280; font-style: italic; }
.hint { color: #92400e; }
.abstain { background: #f3f4f6; border: 1px dashed #9ca3af; border-radius: 8px; padding: 10px 12px; color: #4b5563; }
.abstain-head { font-weight: 600; margin-bottom: 4px; }
.abstain-foot { font-size: 0.85em; margin-top: 6px; color: #6b7280; }
.notice-error { background: #fef2f2; border: 1px solid #fca5a5; border-radius: 8px; padding: 8px 12px; color: #991b1b; }
.notice { background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 12px; margin: 6px 0; }
.notice.ok { background: #f0fdf4; border-color: #86efac; color: #166534; }
.sources { display: flex; flex-direction: column; gap: 10px; }
.sources.empty { display: block; color: #6b7280; padding: 8px; }
.sources-head { font-weight: 600; }
.sources-q { color: #6b7280; font-size: 0.85em; margin-top: -6px; }
.src { border: 1px solid #e5e7eb; border-left: 4px solid #3b82f6; border-radius: 6px; padding: 8px 10px; background: #fff; }
.src.flash { box-shadow: 0 0 0 3px #93c5fd; }
.src.maybe { border-left-color: #9ca3af; background: #f9fafb; color: #4b5563; }
.src-meta { font-size: 0.9em; }
.src-n { font-weight: 700; color: #1d4ed8; }
.src-title { font-weight: 600; }
.src-year, .src-section { color: #6b7280; font-size: 0.85em; }
.src-para { margin-top: 4px; line-height: 1.7; }
.sources mark { display: inline; background: #fde68a; color: inherit; padding: 0 1px; }
.cmp-q { font-weight: 600; margin-bottom: 8px; }
.cmp-table { border-collapse: collapse; width: 100%; margin-bottom: 12px; }
.cmp-table th, .cmp-table td { border: 1px solid #e5e7eb; padding: 6px 10px; text-align: left; }
.cmp-table thead th { background: #f3f4f6; }
.cmp-table td.missing { color: #9ca3af; }
.basis { color: #6b7280; font-size: 0.9em; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.side { border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 12px; }
.side.abstain { border-style: dashed; }
.checks h4, .side h4 { margin: 4px 0; }
.checks { margin-top: 10px; background: #fffbeb; border: 1px solid #fcd34d; border-radius: 8px; padding: 6px 12px; }
.checks li.ok { color: #166534; }
.brief h4 { margin: 12px 0 4px; }
.brief .footnotes { border-top: 1px solid #e5e7eb; margin-top: 12px; padding-top: 6px; font-size: 0.9em; color: #374151; }
.brief.empty { color: #6b7280; padding: 8px; }
#chatbot .placeholder { padding: 12px 16px; }
.answer-scope { font-size: 0.85em; color: #6b7280; border-left: 3px solid #d1d5db; padding-left: 6px; margin-bottom: 4px; }
.src[data-source] { cursor: pointer; }
.src[data-source]:hover { background: #f8fafc; }
.src-open { font-size: 0.8em; color: #1d4ed8; margin-top: 4px; }
.notice.warn { background: #fffbeb; border-color: #f59e0b; color: #92400e; }
.notice.warn ul { margin: 4px 0 0 18px; }
.index-running { background: #eff6ff; border-color: #93c5fd; color: #1e3a8a; }
.upload-progress { border: 1px solid #bfdbfe; border-radius: 8px; padding: 8px 12px; background: #eff6ff; }
.upload-progress-track { height: 8px; background: #dbeafe; border-radius: 4px; margin-top: 6px; overflow: hidden; }
.upload-progress-fill { height: 100%; background: #2563eb; transition: width 0.2s; }
#viewer { position: fixed; top: 0; right: 0; width: min(760px, 56vw); height: 100vh; overflow-y: auto; z-index: 1000;
  background: var(--background-fill-primary, #fff); box-shadow: -6px 0 24px rgba(0,0,0,0.18); padding: 12px 16px; }
#viewer-bar { position: sticky; top: -12px; z-index: 2; background: var(--background-fill-primary, #fff); padding: 4px 0; }
.viewer-title { font-weight: 700; font-size: 1.05em; }
.viewer-meta, .viewer-span { color: #6b7280; font-size: 0.85em; }
.viewer-place { margin: 4px 0; color: #1f2937; }
.viewer-pageno { font-weight: 600; }
.viewer-text { white-space: pre-wrap; line-height: 1.8; border-top: 1px solid #e5e7eb; margin-top: 8px; padding-top: 8px; }
.viewer-text mark { background: #fde68a; color: inherit; padding: 0 1px; }
.viewer-cut { color: #9ca3af; }
.page-break { display: block; text-align: center; color: #9ca3af; font-size: 0.85em; margin: 6px 0; }
#viewer-request { display: none !important; }
/* "加入简报" as a visible text button under each answer, not an option behind Gradio's unlabeled flag icon. */
#chatbot .extra-feedback > .icon-button { display: none; }
#chatbot .extra-feedback-options { display: flex; position: static; padding: 0; }
#chatbot .extra-feedback-option { font-size: var(--text-sm); color: #1d4ed8; cursor: pointer; padding: 1px 8px; }
#chatbot .extra-feedback-option:hover { background: #eff6ff; }
/* Nothing to add to a note from an abstention or an error, and nothing to do with a hint at all. */
#chatbot .message-row:has(.abstain, .notice-error) .extra-feedback { display: none; }
#chatbot .message-row:has(.hint) .message-buttons { display: none; }
"""

# Gradio's own strings that its Chinese translation leaves as English or as a bare key.
TRANSLATIONS = {"chatbot.copy_message": "复制", "chatbot.copied_message": "已复制", "common.complete": "完成"}

# Clicking a [n] marker scrolls to its source card in the same tab and flashes it. Gradio writes
# some tooltips in English without a translation key (the table buttons): they are put in Chinese.
HEAD = """
<script>
const ZH_TITLES = {"Copy table data": "复制表格", "Copied to clipboard": "已复制", "Fullscreen": "全屏", "Exit fullscreen mode": "退出全屏"};
let titlesQueued = false;
new MutationObserver(() => {
  if (titlesQueued) return;
  titlesQueued = true;
  requestAnimationFrame(() => {
    titlesQueued = false;
    for (const el of document.querySelectorAll("button[title], button[aria-label]")) {
      for (const attr of ["title", "aria-label"]) {
        const zh = ZH_TITLES[el.getAttribute(attr)];
        if (zh) el.setAttribute(attr, zh);
      }
    }
  });
}).observe(document.documentElement, {subtree: true, childList: true, attributes: true, attributeFilter: ["title", "aria-label"]});
// Clicking a citation (a [n] marker or its source card) opens the report at the cited place.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cite-open");
  const card = !link && event.target.closest && event.target.closest("[data-source]");
  if (!link && !card) return;
  if (link) event.preventDefault();  // no navigation; the click still selects the answer and flashes its card
  const query = link ? (link.getAttribute("href").split("?")[1] || "") : card.dataset.source;
  const box = document.querySelector("#viewer-request textarea, #viewer-request input");
  if (!box) return;
  const q = new URLSearchParams(query);
  box.value = JSON.stringify({rid: q.get("rid"), start: +q.get("start"), end: +q.get("end"),
                              page: q.get("page") ? +q.get("page") : null, ocr: !!q.get("ocr"),
                              section: q.get("section") || "", at: Date.now()});
  box.dispatchEvent(new Event("input", {bubbles: true}));
}, true);
// The highlighted quote scrolled into view whenever the viewer shows a new one.
new MutationObserver(() => {
  const mark = document.querySelector("#viewer #viewer-quote:not([data-seen])");
  if (!mark) return;
  mark.setAttribute("data-seen", "1");
  mark.scrollIntoView({block: "center"});
}).observe(document.documentElement, {subtree: true, childList: true});
document.addEventListener("click", (event) => {
  const mark = event.target.closest && event.target.closest("sup.cite");
  if (!mark) return;
  const n = (mark.textContent.match(/\\d+/) || [])[0];
  const tab = mark.closest(".tabitem") || document;
  // Clicking an answer also loads its sources (chatbot.select): let them arrive first.
  setTimeout(() => {
    const card = tab.querySelector(`.src[data-n="${n}"]`);
    if (!card) return;
    card.scrollIntoView({behavior: "smooth", block: "center"});
    card.classList.add("flash");
    setTimeout(() => card.classList.remove("flash"), 1200);
  }, 400);
});
</script>
"""


def build_app(assistant: Assistant, max_upload_mb: int = 20, export_dir: Path | None = None) -> gr.Blocks:
    """The whole page around one Assistant; each browser session gets its own ChatSession."""
    h = Handlers(assistant, export_dir)
    bureaus = h.bureau_choices()
    years = h.year_choices()
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        session = gr.State(ChatSession())
        # Conversations and the note, kept in this browser only (its localStorage), as plain JSON.
        stored = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=browser_secret(assistant))
        gr.Markdown(f"## {TITLE}\n每个回答都引用报告原句：点击 [n] 标记或引用卡片，在原文中查看它的位置。")
        index_status = gr.HTML("", elem_id="index-status")
        status_timer = gr.Timer(STATUS_POLL_S, active=True)
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):  # noqa: SIM117 - the page's layout reads best nested
                with gr.Row():
                    with gr.Column(scale=3):
                        with gr.Row(equal_height=True):
                            conversations = gr.Dropdown([], value=None, label="历史对话（只保存在本浏览器中）", scale=4, elem_id="conv-list")
                            new_chat = gr.Button("新对话", size="sm", scale=1, min_width=80, elem_id="conv-new")
                            drop_chat = gr.Button("删除此对话", size="sm", variant="stop", scale=1, min_width=100, elem_id="conv-delete")
                        chatbot = gr.Chatbot(
                            label="对话",
                            show_label=False,  # a floating label would cover the placeholder and the first message
                            height=520,
                            layout="panel",
                            latex_delimiters=[],
                            feedback_options=[ADD_TO_BRIEF],
                            buttons=["copy"],
                            placeholder="请用中文提问：某局的基本支出、编制人数、存在的问题，或比较两个局。可以追问，如“那常宁呢？”。点击某条回答，右侧显示它的引用来源。",
                            elem_id="chatbot",
                        )
                        with gr.Row():
                            message = gr.Textbox(
                                label="问题",
                                show_label=False,
                                placeholder="输入问题，按回车发送",
                                scale=5,
                                max_lines=4,
                                elem_id="question",
                            )
                            send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="send")
                        with gr.Row():
                            add_note = gr.Button("加入简报", size="sm", elem_id="add-note")
                            again = gr.Button("重新生成", size="sm", elem_id="regenerate")
                            clear = gr.Button("清空对话", size="sm", elem_id="clear")
                        note_status = gr.Markdown(elem_id="note-status")
                        examples = h.example_questions()
                        if examples:
                            gr.Examples(examples=[[q] for q in examples], inputs=[message], label="示例问题")
                    with gr.Column(scale=2):
                        with gr.Row():
                            bureau = gr.Dropdown([ALL_BUREAUS, *bureaus], value=ALL_BUREAUS, label="单位", elem_id="bureau-filter")
                            year = gr.Dropdown([ALL_YEARS, *years], value=ALL_YEARS, label="年度", elem_id="year-filter")
                        sources = gr.HTML(render.SOURCES_PLACEHOLDER, label="引用来源", elem_id="sources")

            with gr.Tab("比较", id="compare"):
                gr.Markdown("选择两个单位和比较内容，或直接输入比较问题。每个单位的依据分别检索，表中每个数值都注明出处。")
                with gr.Row():
                    first = gr.Dropdown(bureaus, value=bureaus[0] if bureaus else None, label="单位一", elem_id="cmp-first")
                    second = gr.Dropdown(bureaus, value=bureaus[1] if len(bureaus) > 1 else None, label="单位二", elem_id="cmp-second")
                    topic = gr.Textbox(
                        label="比较内容",
                        value="基本支出",
                        placeholder="如：基本支出、三公经费、存在的问题",
                        elem_id="cmp-topic",
                    )
                    run_compare = gr.Button("比较", variant="primary", elem_id="cmp-run")
                with gr.Row():
                    compare_text = gr.Textbox(
                        label="或直接输入比较问题",
                        placeholder="如：比较望城和常宁的基本支出",
                        scale=5,
                        elem_id="cmp-question",
                    )
                    run_compare_text = gr.Button("提问", scale=1, elem_id="cmp-ask")
                with gr.Row():
                    with gr.Column(scale=3):
                        comparison = gr.HTML('<div class="notice">比较结果显示在这里。</div>', elem_id="cmp-result")
                        add_comparison = gr.Button("将比较结果加入简报", size="sm", elem_id="cmp-add-note")
                        compare_status = gr.Markdown()
                    with gr.Column(scale=2):
                        compare_sources = gr.HTML("", label="引用来源", elem_id="cmp-sources")

            with gr.Tab("报告", id="reports"):
                report_warnings = gr.HTML("", elem_id="report-warnings")
                reports_table = gr.Dataframe(
                    headers=render.REPORT_HEADERS,
                    interactive=False,
                    label="已收录的报告",
                    wrap=True,
                    column_widths=["22%", "15%", "10%", "6%", "11%", "8%", "14%", "6%", "8%"],
                    elem_id="reports-table",
                )
                with gr.Row():
                    with gr.Column():
                        upload = gr.File(
                            label=f"上传报告（{' / '.join(s.lstrip('.').upper() for s in SUPPORTED_SUFFIXES)}，不超过 {max_upload_mb} MB）",
                            file_types=list(SUPPORTED_SUFFIXES),
                            type="filepath",
                            elem_id="upload",
                        )
                    with gr.Column():
                        delete_choice = gr.Dropdown([], label="删除报告", elem_id="delete-choice")
                        confirm_shipped = gr.Checkbox(
                            False,
                            label="确认：这是随项目提供的报告，也从索引中移除（原文件保留）",
                            elem_id="confirm-shipped",
                        )
                        delete = gr.Button("从索引中删除", variant="stop", elem_id="delete")
                with gr.Accordion("核对报告信息（单位、年度、类型）", open=False, elem_id="meta-form"):
                    with gr.Row():
                        meta_choice = gr.Dropdown([], label="报告", elem_id="meta-choice", scale=3)
                        meta_bureau = gr.Textbox(
                            label="单位全称",
                            placeholder="例如：长沙市望城区工业和信息化局",
                            elem_id="meta-bureau",
                            scale=3,
                        )
                        meta_year = gr.Number(label="评价年度", precision=0, minimum=1990, maximum=2100, elem_id="meta-year", scale=1)
                        meta_kind = gr.Dropdown(list(KINDS), label="报告类型", elem_id="meta-kind", scale=2)
                    meta_note = gr.Markdown(elem_id="meta-note")
                    save_meta = gr.Button("保存更正", variant="primary", elem_id="meta-save")
                report_status = gr.HTML("", elem_id="report-status")
                gr.Markdown("### 关键数据")
                figure_bureau = gr.Dropdown([ALL_BUREAUS, *bureaus], value=ALL_BUREAUS, label="单位", elem_id="figure-bureau")
                figures_table = gr.Dataframe(
                    headers=render.FIGURE_HEADERS,
                    interactive=False,
                    wrap=True,
                    column_widths=["16%", "12%", "8%", "7%", "8%", "49%"],
                    elem_id="figures-table",
                )
                checks = gr.HTML("")

            with gr.Tab("简报", id="brief"):
                gr.Markdown("简报汇集你加入的回答。导出时 [n] 按全文统一编号；同一句原文只出一个脚注，只列出实际引用的来源。")
                brief_title = gr.Textbox(BRIEF_TITLE, label="简报标题", max_lines=1, elem_id="brief-title")
                with gr.Row():
                    download_docx = gr.DownloadButton("下载 Word（.docx）", interactive=False, variant="primary", elem_id="download-docx")
                    download_md = gr.DownloadButton("下载 Markdown（.md）", interactive=False, elem_id="download-md")
                    drop_last = gr.Button("移除最后一条", elem_id="brief-drop-last")
                    clear_brief = gr.Button("清空简报", variant="stop", elem_id="brief-clear")
                brief_view = gr.HTML(render.brief_html(ChatSession().brief), elem_id="brief-view")
                with gr.Accordion("修改条目（标题和文字；保留 [n] 标记，引用随之保留）", open=False, elem_id="brief-editor"):
                    brief_item = gr.Dropdown([], value=None, label="条目", elem_id="brief-item")
                    brief_heading = gr.Textbox(label="标题（问题及其范围）", max_lines=2, elem_id="brief-heading")
                    brief_text = gr.Textbox(label="文字", lines=5, elem_id="brief-text")
                    save_entry = gr.Button("保存修改", variant="primary", elem_id="brief-save")
                    brief_edit_status = gr.HTML("", elem_id="brief-edit-status")

        # The source viewer: a panel over the right of the page, whichever tab the citation was in.
        with gr.Column(visible=False, elem_id="viewer") as viewer:
            with gr.Row(elem_id="viewer-bar"):  # stays at the top while the text scrolls
                more_before = gr.Button("显示更多上文", size="sm", elem_id="viewer-more-before")
                more_after = gr.Button("显示更多下文", size="sm", elem_id="viewer-more-after")
                close_viewer = gr.Button("关闭原文", size="sm", variant="primary", elem_id="viewer-close")
            viewer_body = gr.HTML("", elem_id="viewer-body")
            viewer_page = gr.Image(
                label="PDF 页面",
                type="pil",
                format="png",
                interactive=False,
                visible=False,
                buttons=[],
                elem_id="viewer-page",
            )
        viewer_request = gr.Textbox("", visible="hidden", elem_id="viewer-request")
        viewer_state = gr.State(None)

        # -- wiring ----------------------------------------------------------------------------
        chat_outputs = [chatbot, sources, session, message]
        brief_outputs = [brief_view, download_md, download_docx]
        corpus_outputs = [
            reports_table,
            figures_table,
            checks,
            figure_bureau,
            delete_choice,
            meta_choice,
            bureau,
            year,
            first,
            second,
            report_warnings,
        ]
        conversation_outputs = [chatbot, sources, session, conversations]
        editor_outputs = [brief_title, brief_item, brief_heading, brief_text]
        saved = [stored, conversations]

        private = {"api_visibility": "private"}

        def saving(event) -> None:
            """After anything that changes a conversation or the note, write them to the browser."""
            event.then(h.save, [session], saved, show_progress="hidden", **private)

        saving(send.click(h.ask, [message, bureau, year, session], chat_outputs, api_name="ask"))
        saving(message.submit(h.ask, [message, bureau, year, session], chat_outputs, **private))
        saving(again.click(h.regenerate, [session], chat_outputs, **private))
        saving(chatbot.retry(h.regenerate, [session], chat_outputs, **private))
        chatbot.select(h.show_sources, [session], [sources], **private)
        saving(clear.click(h.clear, [session], [chatbot, sources, session], **private))
        saving(chatbot.clear(h.clear, [session], [chatbot, sources, session], **private))
        for event in (
            add_note.click(h.add_latest, [session], [note_status, session, *brief_outputs], **private),
            chatbot.like(h.add_from_chat, [session], [note_status, session, *brief_outputs], **private),
        ):
            saving(event.then(h.brief_editor, [session], editor_outputs, **private))

        saving(new_chat.click(h.new_conversation, [session], conversation_outputs, **private))
        saving(conversations.input(h.open_conversation, [conversations, session], conversation_outputs, **private))
        saving(drop_chat.click(h.delete_conversation, [session], conversation_outputs, **private))

        run_compare.click(h.compare, [first, second, topic, session], [comparison, compare_sources, session], api_name="compare")
        run_compare_text.click(
            h.compare_question,
            [compare_text, session],
            [comparison, compare_sources, session],
            api_name="compare_question",
        )
        compare_text.submit(
            h.compare_question,
            [compare_text, session],
            [comparison, compare_sources, session],
            **private,
        )
        saving(
            add_comparison.click(h.add_comparison, [session], [compare_status, session, *brief_outputs], **private).then(
                h.brief_editor, [session], editor_outputs, **private
            )
        )

        for button, handler in ((drop_last, h.remove_last_note), (clear_brief, h.clear_brief)):
            saving(button.click(handler, [session], [session, *brief_outputs], **private).then(h.brief_editor, [session], editor_outputs, **private))
        saving(brief_title.blur(h.set_brief_title, [brief_title, session], [session, *brief_outputs], **private))
        saving(brief_title.submit(h.set_brief_title, [brief_title, session], [session, *brief_outputs], **private))
        brief_item.input(h.brief_entry, [brief_item, session], [brief_heading, brief_text], **private)
        saving(
            save_entry.click(
                h.save_brief_entry,
                [brief_item, brief_heading, brief_text, session],
                [brief_edit_status, session, *brief_outputs, brief_item],
                **private,
            )
        )

        viewer_outputs = [viewer, viewer_body, viewer_page, viewer_state, more_before, more_after]
        viewer_request.change(h.open_source, [viewer_request], viewer_outputs, show_progress="hidden", **private)
        more_before.click(
            lambda view: h.more_source(view, "before"),
            [viewer_state],
            [viewer_body, viewer_state, more_before, more_after],
            **private,
        )
        more_after.click(
            lambda view: h.more_source(view, "after"),
            [viewer_state],
            [viewer_body, viewer_state, more_before, more_after],
            **private,
        )
        close_viewer.click(lambda: gr.update(visible=False), None, [viewer], **private)

        figure_bureau.input(h.figures, [figure_bureau], [figures_table, checks], **private)
        upload.upload(
            h.upload,
            [upload],
            [report_status, upload, *corpus_outputs],
            concurrency_limit=1,
            concurrency_id=INDEX_WRITES,
            show_progress="hidden",  # the handler draws one progress bar of its own in report_status
            **private,
        )
        delete.click(
            h.delete,
            [delete_choice, confirm_shipped],
            [report_status, confirm_shipped, *corpus_outputs],
            concurrency_limit=1,
            concurrency_id=INDEX_WRITES,
            show_progress_on=[report_status],
            **private,
        )
        meta_choice.input(h.metadata_fields, [meta_choice], [meta_bureau, meta_year, meta_kind, meta_note], **private)
        save_meta.click(
            h.correct_metadata,
            [meta_choice, meta_bureau, meta_year, meta_kind],
            [report_status, *corpus_outputs],
            concurrency_limit=1,
            concurrency_id=INDEX_WRITES,
            show_progress_on=[report_status],
            **private,
        )
        # Another session may have uploaded or deleted since this page was built.
        demo.load(h.corpus_outputs, None, corpus_outputs, **private)
        # This browser's own conversations and note, from its storage.
        demo.load(h.restore, [stored], [*conversation_outputs, *brief_outputs, *editor_outputs], **private)
        # The first index may still be building: say so, and refresh the lists when it is done.
        demo.load(h.index_status, None, [index_status, status_timer], **private)
        status_timer.tick(h.poll_status, None, [index_status, status_timer, *corpus_outputs], show_progress="hidden", **private)
    return demo


def serve(demo: gr.Blocks, host: str, port: int, auth: list[tuple[str, str]] | None, max_upload_mb: int) -> None:
    """Queue and launch: questions run side by side, index writes one at a time.

    Never through a public share link: the page uploads and deletes reports, and a share link
    would bypass the rule that only a login lets it leave this machine. `share=False` also wins
    over $GRADIO_SHARE, and `quiet` drops Gradio's hint to set share=True (app.py prints the address).
    """
    demo.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        quiet=True,
        auth=auth or None,
        auth_message=f"请登录 {TITLE}",
        max_file_size=f"{max_upload_mb}mb",
        css=CSS,
        head=HEAD,
        footer_links=["api"],
        run_history=False,
        enable_monitoring=False,
        ssr_mode=False,
        show_error=True,
        i18n=gr.I18n(**{"zh-CN": TRANSLATIONS}),
    )


def browser_secret(assistant: Assistant) -> str:
    """The key the page's stored conversations are encrypted with, kept beside the index so they
    stay readable after a restart (a new key each launch would lose them)."""
    folder = Path(assistant.settings.index_dir)
    path = folder / SECRET_FILE
    try:
        secret = path.read_text(encoding="utf-8").strip()
        if secret:
            return secret
    except OSError:
        pass
    secret = secrets.token_hex(16)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(secret, encoding="utf-8")
    except OSError:
        pass  # a read-only index: conversations then last until the next restart
    return secret
