"""Event handlers: call the Assistant, translate what comes back for the screen. No retrieval here."""

from __future__ import annotations

import io
import json
import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from ..brief import Brief
from ..errors import AssistantError, ConfirmationNeeded, ReportIndexError
from ..models import Answer
from ..service import Assistant, Conversation
from ..uploads import inside
from . import render
from .session import ChatSession, Turn, conversation_label

logger = logging.getLogger(__name__)

ALL_BUREAUS = "全部单位"
ALL_YEARS = "全部年度"
ADD_TO_BRIEF = "加入简报"
# A short pause between streamed steps, so the answer visibly builds up instead of arriving at once.
STREAM_PAUSE_S = 0.04
EXPORT_TTL_S = 3600
EMPTY_QUESTION = "请先输入问题，再按回车或点击“发送”。"
CORPUS_OUTPUT_COUNT = 11  # what corpus_outputs returns
PROGRESS_POLL_S = 0.2  # how often an upload's progress bar is redrawn


class Handlers:
    """The app's event handlers around one shared Assistant; per-user data lives in ChatSession."""

    def __init__(self, assistant: Assistant, export_dir: Path | None = None) -> None:
        self.assistant = assistant
        self.export_dir = export_dir or Path(tempfile.mkdtemp(prefix="brief-exports-"))

    # -- corpus choices --------------------------------------------------------------------

    def bureau_choices(self) -> list[str]:
        return self.assistant.analyzer.bureaus()

    def year_choices(self) -> list[str]:
        return [str(y) for y in sorted({r.year for r in self.assistant.reports() if r.year})]

    def report_choices(self) -> list[tuple[str, str]]:
        return [(f"{m.title}（{Path(m.source).name}）", m.id) for m in self.assistant.reports()]

    def example_questions(self) -> list[str]:
        """Examples built from the reports in the index, so they work on any corpus."""
        reports = list({r.bureau: r for r in self.assistant.reports()}.values())
        if not reports:
            return []
        first = render.short_alias(reports[0])
        examples = [f"{first}的基本支出是多少？", f"{first}的自评报告指出了哪些存在的问题？"]
        if len(reports) > 1:
            second = render.short_alias(reports[1])
            examples += [f"{second}机关有多少个编制？", f"比较{first}和{second}的基本支出"]
        return examples

    # -- chat ------------------------------------------------------------------------------

    def ask(self, message: str, bureau: str, year: str, session: ChatSession) -> Iterator[tuple]:
        """Answer one chat message, streaming: the question at once, then the answer, then its sources."""
        question = (message or "").strip()
        if not question:
            # A hint below the chat, not a turn: the next question or 清空对话 replaces it. (Not a
            # gr.Warning toast: Gradio titles those "Warning" in English whatever the title says.)
            hint = {"role": "assistant", "content": render.hint_message(EMPTY_QUESTION)}
            yield [*self._messages(session), hint], gr.skip(), session, ""
            return
        turn = Turn(
            question,
            None if bureau in (None, "", ALL_BUREAUS) else bureau,
            None if year in (None, "", ALL_YEARS) else int(year),
        )
        session.turns.append(turn)
        yield from self._answer(turn, session, box="")

    def regenerate(self, session: ChatSession) -> Iterator[tuple]:
        """Ask the last question again, under the filters it was asked with."""
        last = session.pop_turn()
        if last is None:
            yield self._messages(session), gr.skip(), session, gr.skip()
            return
        turn = Turn(last.question, last.bureau, last.year)
        session.turns.append(turn)
        yield from self._answer(turn, session, box=gr.skip())

    def show_sources(self, session: ChatSession, selected: gr.SelectData) -> str:
        """The sources of whichever answer the user clicked, not only the latest one."""
        index = selected.index[0] if isinstance(selected.index, (list, tuple)) else selected.index
        turn_no = int(index) // 2
        if turn_no >= len(session.turns) or session.turns[turn_no].answer is None:
            return gr.skip()
        return render.sources_html(session.turns[turn_no].answer, self.assistant.report_text, "chat")

    def clear(self, session: ChatSession) -> tuple:
        session.clear_chat()
        return [], render.SOURCES_PLACEHOLDER, session

    def _answer(self, turn: Turn, session: ChatSession, box: object) -> Iterator[tuple]:
        """Stream one turn's answer; the question box gets `box` once, then is left alone, so a
        question typed while an answer streams in survives it."""
        yield self._messages(session, render.PENDING), '<div class="sources empty">正在检索……</div>', session, box
        asked_before = len(session.conversation.queries)
        try:
            answer = self.assistant.ask(turn.question, turn.bureau, turn.year, session.conversation)
        except (AssistantError, ReportIndexError) as error:
            turn.error = str(error)
        except Exception as error:  # the page must not hang on "正在检索" whatever happens
            logger.exception("question failed: %s", turn.question)
            turn.error = f"内部错误，请稍后再试（{type(error).__name__}: {error}）"
        else:
            turn.answer = answer
        turn.in_conversation = len(session.conversation.queries) > asked_before
        if turn.answer is None:
            yield self._messages(session), render.SOURCES_PLACEHOLDER, session, gr.skip()
            return
        for step in render.stream_steps(turn.answer)[:-1]:
            yield self._messages(session, step), gr.skip(), session, gr.skip()
            time.sleep(STREAM_PAUSE_S)
        yield (
            self._messages(session),
            render.sources_html(turn.answer, self.assistant.report_text, "chat"),
            session,
            gr.skip(),
        )

    @staticmethod
    def _messages(session: ChatSession, last: str | None = None) -> list[dict]:
        """The chat as openai-style messages: a user and an assistant message per turn."""
        messages = []
        for i, turn in enumerate(session.turns):
            messages.append({"role": "user", "content": render.question_message(turn.question, turn.bureau, turn.year)})
            if last is not None and i == len(session.turns) - 1:
                content = last
            elif turn.answer is not None:
                content = render.chat_message(turn.answer)
            else:
                content = render.error_message(turn.error or "没有回答。")
            messages.append({"role": "assistant", "content": content})
        return messages

    # -- persistence and conversations -----------------------------------------------------

    def restore(self, stored: object) -> tuple:
        """A page (re)loaded: this browser's conversations and note, from its own storage."""
        session = ChatSession.from_store(stored)
        self._replay(session)
        return (*self._conversation_view(session), *self.brief_outputs(session), *self.brief_editor(session))

    def save(self, session: ChatSession) -> tuple:
        """Write this session's conversations and note to the browser's storage; refresh the list."""
        return session.to_store(), self._conversation_choices(session)

    def new_conversation(self, session: ChatSession) -> tuple:
        session.start_new()
        return self._conversation_view(session)

    def open_conversation(self, conversation_id: str | None, session: ChatSession) -> tuple:
        if conversation_id and conversation_id != session.conversation_id and session.open(conversation_id):
            self._replay(session)
        return self._conversation_view(session)

    def delete_conversation(self, session: ChatSession) -> tuple:
        """Forget the conversation on screen (in this browser) and show the next one."""
        session.delete(session.conversation_id)
        self._replay(session)
        return self._conversation_view(session)

    def _conversation_view(self, session: ChatSession) -> tuple:
        """Chat window, sources of the latest answer, the session and the conversation list."""
        answer = session.last_answer()
        sources = render.sources_html(answer, self._report_text_or_empty, "chat") if answer else render.SOURCES_PLACEHOLDER
        return self._messages(session), sources, session, self._conversation_choices(session)

    @staticmethod
    def _conversation_choices(session: ChatSession) -> dict:
        choices = [(conversation_label(c), c["id"]) for c in session.conversations()]
        current = session.conversation_id if session.turns else None
        return gr.update(choices=choices, value=current)

    def _replay(self, session: ChatSession) -> None:
        """Rebuild a restored conversation's history, so a follow-up after a reload still knows what it follows."""
        conversation = Conversation()
        for turn in session.turns:
            if not turn.in_conversation:
                continue
            try:
                conversation.queries.append(self.assistant.understand(turn.question, turn.bureau, turn.year, conversation))
            except (AssistantError, ReportIndexError):
                continue
        session.conversation = conversation

    def _report_text_or_empty(self, report_id: str) -> str:
        """A report's text for a stored answer's sources; the report may have gone since."""
        try:
            return self.assistant.report_text(report_id)
        except (AssistantError, ReportIndexError, KeyError):
            return ""

    # -- the source viewer -----------------------------------------------------------------

    def open_source(self, request: str) -> Iterator[tuple]:
        """A clicked citation's report at the cited place: its text at once, then (for a PDF) the rendered page."""
        try:
            wanted = json.loads(request or "{}")
            report_id = str(wanted["rid"])
            start, end = int(wanted["start"]), int(wanted["end"])
            page = int(wanted["page"]) if wanted.get("page") else None
            view = {
                "rid": report_id,
                "start": start,
                "end": end,
                "page": page,
                "ocr": bool(wanted.get("ocr")),
                "section": str(wanted.get("section") or ""),
                "before": render.VIEW_CONTEXT,
                "after": render.VIEW_CONTEXT,
            }
        except (ValueError, KeyError, TypeError):
            return
        html, meta_ok, more = self._source_view(view)
        image_off = gr.update(value=None, visible=False)
        yield gr.update(visible=True), html, image_off, view, *more
        if not meta_ok or not page:
            return
        try:
            png = self.assistant.page_image(report_id, page)
        except (AssistantError, ReportIndexError) as error:
            yield (
                gr.skip(),
                html + render.viewer_error(f"无法显示第 {page} 页的页面图像：{error}"),
                image_off,
                view,
                *more,
            )
            return
        from PIL import Image

        image = Image.open(io.BytesIO(png))
        yield gr.skip(), gr.skip(), gr.update(value=image, visible=True, label=f"PDF 第 {page} 页"), view, *more

    def more_source(self, view: dict | None, side: str) -> tuple:
        """Widen the viewer's window: more of the text before or after the quote."""
        if not view:
            return gr.skip(), view, gr.skip(), gr.skip()
        view = {**view, side: view[side] + render.VIEW_MORE}
        html, _, more = self._source_view(view)
        return html, view, *more

    def _source_view(self, view: dict) -> tuple[str, bool, tuple]:
        """The viewer's HTML for `view`, whether the report was found, and the two 显示更多 buttons."""
        off = (gr.update(interactive=False), gr.update(interactive=False))
        meta = {m.id: m for m in self.assistant.reports()}.get(view["rid"])
        if meta is None:
            return render.viewer_error("这份报告已不在索引中，无法打开原文。"), False, off
        try:
            text = self.assistant.report_text(meta.id)
        except (AssistantError, ReportIndexError) as error:
            return render.viewer_error(f"无法读取原文：{error}"), False, off
        start, end = view["start"], view["end"]
        if not 0 <= start <= end <= len(text):
            return render.viewer_error("引用的位置超出了这份报告的原文：报告可能已更新，请重新提问。"), False, off
        window = render.source_window(text, start, end, view["before"], view["after"])
        html = render.source_view_html(
            meta.title,
            meta.bureau,
            meta.year,
            Path(meta.source).name,
            view["section"],
            view["page"],
            view["ocr"],
            text,
            window,
            (start, end),
        )
        more = (gr.update(interactive=window[0] > 0), gr.update(interactive=window[1] < len(text)))
        return html, True, more

    # -- indexing status -------------------------------------------------------------------

    def index_status(self) -> tuple:
        """On page load: the indexing note, and whether to keep polling for it."""
        status = self.assistant.status
        waiting = status.running or not self.assistant.reports()
        return render.index_status_html(status.describe()), gr.Timer(active=waiting)

    def poll_status(self) -> tuple:
        """While the first index is built: how far it is; once built, every list of reports refreshed."""
        status = self.assistant.status
        if status.running:
            return (render.index_status_html(status.describe()), gr.skip(), *[gr.skip()] * CORPUS_OUTPUT_COUNT)
        if not self.assistant.reports():
            return (
                '<div class="notice">索引中还没有报告：请在「报告」页上传报告。</div>',
                gr.skip(),
                *[gr.skip()] * CORPUS_OUTPUT_COUNT,
            )
        return ("", gr.Timer(active=False), *self.corpus_outputs())

    # -- briefing notes --------------------------------------------------------------------

    def add_latest(self, session: ChatSession) -> tuple:
        """Add the latest chat answer to the note."""
        turn = session.turns[-1] if session.turns else None
        return self._add(session, turn.answer if turn else None)

    def add_from_chat(self, session: ChatSession, like: gr.LikeData) -> tuple:
        """Add the answer whose '加入简报' option was chosen in the chat window."""
        index = like.index[0] if isinstance(like.index, (list, tuple)) else like.index
        turn_no = int(index) // 2
        if like.liked != ADD_TO_BRIEF or turn_no >= len(session.turns):
            return gr.skip(), session, gr.skip(), gr.skip(), gr.skip()
        return self._add(session, session.turns[turn_no].answer)

    def add_comparison(self, session: ChatSession) -> tuple:
        return self._add(session, session.comparison)

    def _add(self, session: ChatSession, answer: Answer | None) -> tuple:
        unchanged = (gr.skip(), gr.skip(), gr.skip())
        if answer is None:
            return "还没有可加入的回答。", session, *unchanged
        if answer.abstained or not answer.citations:
            return "这条回答没有找到依据，没有可引用的来源，未加入简报。", session, *unchanged
        if answer in session.brief.answers:
            return "这条回答已在简报中。", session, *unchanged
        session.brief.add(answer)
        status = f"已加入简报（共 {len(session.brief)} 条）。到「简报」页预览和下载。"
        return (status, session, *self.brief_outputs(session))

    def brief_editor(self, session: ChatSession) -> tuple:
        """The note's title box and the choice of entry to edit."""
        choices = [(f"{i}. {h}", i - 1) for i, h in enumerate(session.brief.headings, 1)]
        return session.brief.title, gr.update(choices=choices, value=None), "", ""

    def set_brief_title(self, title: str, session: ChatSession) -> tuple:
        session.brief.set_title(title)
        return (session, *self.brief_outputs(session))

    def brief_entry(self, index: int | None, session: ChatSession) -> tuple:
        """One entry's heading and text (with its [n] markers), to edit."""
        if index is None or not 0 <= int(index) < len(session.brief):
            return "", ""
        index = int(index)
        return session.brief.headings[index], session.brief.answers[index].answer

    def save_brief_entry(self, index: int | None, heading: str, text: str, session: ChatSession) -> tuple:
        """Save an edited heading and text; the [n] markers kept still point at their sources."""
        if index is None or not 0 <= int(index) < len(session.brief):
            return (render.error_message("请先选择要修改的条目。"), session, *self.brief_outputs(session), gr.skip())
        try:
            dropped = session.brief.edit(int(index), heading, text)
        except (ValueError, IndexError) as error:
            return (render.error_message(str(error)), session, *self.brief_outputs(session), gr.skip())
        note = f"已保存第 {int(index) + 1} 条的修改。"
        if dropped:
            note += f"修改后的文字不再有 {'、'.join(f'[{n}]' for n in dropped)} 标记，对应的来源不再列入脚注。"
        choices = [(f"{i}. {h}", i - 1) for i, h in enumerate(session.brief.headings, 1)]
        return (
            f'<div class="notice ok">{render.esc(note)}</div>',
            session,
            *self.brief_outputs(session),
            gr.update(choices=choices, value=int(index)),
        )

    def remove_last_note(self, session: ChatSession) -> tuple:
        if len(session.brief):
            session.brief.remove(len(session.brief) - 1)
        return (session, *self.brief_outputs(session))

    def clear_brief(self, session: ChatSession) -> tuple:
        session.brief.clear()
        return (session, *self.brief_outputs(session))

    def brief_outputs(self, session: ChatSession) -> tuple:
        """Preview, and the two download buttons pointing at freshly written files."""
        brief: Brief = session.brief
        if not len(brief):
            off = gr.update(value=None, interactive=False)
            return render.brief_html(brief), off, off
        self._sweep_exports()
        folder = self.export_dir / uuid.uuid4().hex
        folder.mkdir(parents=True)
        markdown = folder / "简报.md"
        markdown.write_text(brief.to_markdown(), encoding="utf-8")
        docx = brief.to_docx(folder / "简报.docx")
        return (
            render.brief_html(brief),
            gr.update(value=str(markdown), interactive=True),
            gr.update(value=str(docx), interactive=True),
        )

    def _sweep_exports(self) -> None:
        """Remove note files written long ago; Gradio serves its own copies of the recent ones."""
        cutoff = time.time() - EXPORT_TTL_S
        for folder in self.export_dir.iterdir():
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                pass

    # -- comparisons -----------------------------------------------------------------------

    def compare(self, first: str, second: str, topic: str, session: ChatSession) -> Iterator[tuple]:
        """Two bureaus and a topic, each side with its own evidence."""
        if not first or not second:
            yield render.error_message("请选择两个要比较的单位。"), gr.skip(), session
            return
        yield '<div class="pending">正在比较……</div>', gr.skip(), session
        yield self._comparison(session, lambda: self.assistant.compare(first, second, topic or ""))

    def compare_question(self, question: str, session: ChatSession) -> Iterator[tuple]:
        """A typed comparison question, e.g. 比较望城和常宁的基本支出."""
        yield '<div class="pending">正在比较……</div>', gr.skip(), session
        yield self._comparison(session, lambda: self.assistant.ask(question or ""))

    def _comparison(self, session: ChatSession, run) -> tuple:
        try:
            answer = run()
        except (AssistantError, ReportIndexError) as error:
            return render.error_message(str(error)), "", session
        except Exception as error:
            logger.exception("comparison failed")
            return render.error_message(f"内部错误，请稍后再试（{type(error).__name__}: {error}）"), "", session
        session.comparison = answer
        return (
            render.comparison_html(answer),
            render.sources_html(answer, self.assistant.report_text, "cmp"),
            session,
        )

    # -- reports ---------------------------------------------------------------------------

    def figures(self, bureau: str) -> tuple:
        figures, checks = self.assistant.figures(None if bureau in (None, "", ALL_BUREAUS) else bureau)
        return render.figure_rows(figures), render.checks_html(checks)

    def corpus_outputs(self) -> tuple:
        """Everything that lists the corpus: tables, figure view and every choice of bureau, year or report."""
        reports = self.assistant.reports()
        rows = render.report_rows(reports, self.assistant.chunk_counts())
        bureaus = self.bureau_choices()
        years = self.year_choices()
        choices = self.report_choices()
        figure_rows, checks = self.figures(ALL_BUREAUS)
        first = bureaus[0] if bureaus else None
        second = bureaus[1] if len(bureaus) > 1 else None
        return (
            rows,
            figure_rows,
            checks,
            gr.update(choices=[ALL_BUREAUS, *bureaus], value=ALL_BUREAUS),  # figures filter
            gr.update(choices=choices, value=None),  # delete
            gr.update(choices=choices, value=None),  # metadata to correct
            gr.update(choices=[ALL_BUREAUS, *bureaus], value=ALL_BUREAUS),  # chat bureau filter
            gr.update(choices=[ALL_YEARS, *years], value=ALL_YEARS),  # chat year filter
            gr.update(choices=bureaus, value=first),  # compare: first
            gr.update(choices=bureaus, value=second),  # compare: second
            render.report_warnings(reports),  # reports with planted instructions
        )

    def metadata_fields(self, report_id: str | None) -> tuple:
        """The chosen report's bureau, year and kind, to edit."""
        meta = {m.id: m for m in self.assistant.reports()}.get(report_id or "")
        if meta is None:
            return "", None, None, ""
        return meta.bureau, meta.year, meta.kind, render.review_note(meta)

    def correct_metadata(self, report_id: str | None, bureau: str, year: float | None, kind: str | None) -> tuple:
        """Save a user's corrections; questions, filters, comparisons and citations use them at once."""
        if not report_id:
            return (render.error_message("请先选择要核对的报告。"), *self.corpus_outputs())
        try:
            meta = self.assistant.correct_metadata(report_id, bureau=bureau.strip() or None, year=int(year) if year else None, kind=kind or None)
        except AssistantError as error:
            return (render.error_message(f"保存失败：{error}"), *self.corpus_outputs())
        saved = (
            f'<div class="notice ok">已保存“{render.esc(meta.title)}”：{render.esc(meta.bureau)} · {meta.year or "年度不详"} · {render.esc(meta.kind)}。</div>'
        )
        return (saved, *self.corpus_outputs())

    def upload(self, file: str | None) -> Iterator[tuple]:
        """Check an uploaded report, copy it into the uploads folder and index it, with one progress
        bar that moves per stage (读取 / 嵌入 / 保存); the index is untouched on failure."""
        skips = [gr.skip()] * CORPUS_OUTPUT_COUNT
        if not file:
            yield ("", gr.skip(), *skips)
            return
        upload = Path(file)
        if not inside(upload, gr.utils.get_upload_folder()):
            yield (render.error_message("只接受通过本页面上传的文件。"), None, *skips)
            return
        name = upload.name
        state = {"fraction": 0.0, "label": f"检查 {name}"}
        outcome: dict = {}

        def report(done: float, total: int, label: str) -> None:
            state["fraction"], state["label"] = done / (total or 1), label

        def work() -> None:
            try:
                outcome["placed"] = self.assistant.upload(upload, name, progress=report)
            except (AssistantError, ReportIndexError) as error:
                outcome["message"] = render.error_message(f"导入失败：{error}")
            except Exception as error:  # the bar must not spin forever whatever happens
                logger.exception("upload failed: %s", name)
                outcome["message"] = render.error_message(f"导入失败：内部错误（{type(error).__name__}: {error}）")

        worker = threading.Thread(target=work, name=f"upload-{name}", daemon=True)
        worker.start()
        shown = None
        while True:
            bar = render.progress_html(name, state["fraction"], state["label"])
            if bar != shown:
                yield (bar, gr.skip(), *skips)
                shown = bar
            if not worker.is_alive():
                break
            worker.join(PROGRESS_POLL_S)
        message = outcome.get("message") or self._uploaded(outcome["placed"])
        yield (message, None, *self.corpus_outputs())

    def _uploaded(self, placed) -> str:
        result = placed.result
        changed = result.added or result.replaced
        if not changed:
            return f'<div class="notice ok">“{render.esc(placed.path.name)}”已在索引中，内容没有变化。</div>'
        meta = changed[0]
        verb = "已导入" if result.added else "已更新"
        klass = "notice warn" if render.PLANTED in meta.needs_review else "notice ok"
        return (
            f'<div class="{klass}">{verb}“{render.esc(meta.title)}”（{render.esc(meta.bureau or "单位未识别")} · '
            f"{meta.year or '年度不详'}），保存在上传文件夹 {render.esc(str(self.assistant.settings.uploads_dir))}。{render.esc(render.review_note(meta))}</div>"
        )

    def delete(self, report_id: str | None, confirm_shipped: bool = False) -> tuple:
        """Remove a report from the index; an uploaded report's file too. A shipped report needs `confirm_shipped`."""
        if not report_id:
            return (render.error_message("请先选择要删除的报告。"), gr.skip(), *[gr.skip()] * CORPUS_OUTPUT_COUNT)
        try:
            message = self._delete(report_id, confirm_shipped)
        except ConfirmationNeeded as error:
            # Nothing changed: the choice stays, so ticking the box and clicking again is all it takes.
            warn = (
                f'<div class="notice warn confirm-needed"><b>需要确认：</b>{render.esc(error)}'
                "<br>请勾选“确认：这是随项目提供的报告……”，再点击“从索引中删除”。</div>"
            )
            return (warn, gr.skip(), *[gr.skip()] * CORPUS_OUTPUT_COUNT)
        return (message, False, *self.corpus_outputs())

    def _delete(self, report_id: str, confirm_shipped: bool) -> str:
        try:
            removal = self.assistant.remove_report(report_id, confirm_shipped)
        except ConfirmationNeeded:
            raise
        except AssistantError as error:
            return render.error_message(str(error))
        if removal.shipped:
            note = "随项目提供的原文件保留在语料文件夹中；重新导入语料时会再次加入索引。"
        elif removal.file_deleted:
            note = f"文件 {render.esc(Path(removal.meta.source).name)} 已从上传文件夹删除。"
        else:
            note = "原文件不在上传文件夹中，保留未动。"
        return f'<div class="notice ok">已删除“{render.esc(removal.meta.title)}”。{note}</div>'
