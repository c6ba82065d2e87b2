"""Event handlers: call the Assistant, translate what comes back for the screen. No retrieval here."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from ..brief import Brief
from ..errors import AssistantError, ReportIndexError
from ..models import Answer
from ..service import Assistant
from ..uploads import inside
from . import render
from .session import ChatSession, Turn

logger = logging.getLogger(__name__)

ALL_BUREAUS = "全部单位"
ALL_YEARS = "全部年度"
ADD_TO_BRIEF = "加入简报"
# A short pause between streamed steps, so the answer visibly builds up instead of arriving at once.
STREAM_PAUSE_S = 0.04
EXPORT_TTL_S = 3600
EMPTY_QUESTION = "请先输入问题，再按回车或点击“发送”。"


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
        saved = f'<div class="notice ok">已保存“{render.esc(meta.title)}”：{render.esc(meta.bureau)} · {meta.year or "年度不详"} · {render.esc(meta.kind)}。</div>'
        return (saved, *self.corpus_outputs())

    def upload(self, file: str | None, progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 - Gradio's idiom
        """Check an uploaded report, copy it into the uploads folder and index it; the index is untouched on failure."""
        message = self._upload(file, progress) if file else ""
        return (message, None, *self.corpus_outputs())

    def _upload(self, file: str, progress: gr.Progress) -> str:
        upload = Path(file)
        if not inside(upload, gr.utils.get_upload_folder()):
            return render.error_message("只接受通过本页面上传的文件。")
        name = upload.name

        def report(done: float, total: int, label: str) -> None:
            progress(done / (total or 1), desc=label or name)

        progress(0, desc=f"检查 {name}")
        try:
            placed = self.assistant.upload(upload, name, progress=report)
        except (AssistantError, ReportIndexError) as error:
            return render.error_message(f"导入失败：{error}")
        result = placed.result
        changed = result.added or result.replaced
        if not changed:
            return f'<div class="notice ok">“{render.esc(placed.path.name)}”已在索引中，内容没有变化。</div>'
        meta = changed[0]
        verb = "已导入" if result.added else "已更新"
        return (
            f'<div class="notice ok">{verb}“{render.esc(meta.title)}”（{render.esc(meta.bureau or "单位未识别")} · '
            f"{meta.year or '年度不详'}），保存在上传文件夹 {render.esc(str(self.assistant.settings.uploads_dir))}。{render.review_note(meta)}</div>"
        )

    def delete(self, report_id: str | None, confirm_shipped: bool = False) -> tuple:
        """Remove a report from the index; an uploaded report's file too. A shipped report needs `confirm_shipped`."""
        message = self._delete(report_id, confirm_shipped) if report_id else render.error_message("请先选择要删除的报告。")
        return (message, *self.corpus_outputs())

    def _delete(self, report_id: str, confirm_shipped: bool) -> str:
        try:
            removal = self.assistant.remove_report(report_id, confirm_shipped)
        except AssistantError as error:
            return render.error_message(str(error))
        if removal.shipped:
            note = "随项目提供的原文件保留在语料文件夹中；重新导入语料时会再次加入索引。"
        elif removal.file_deleted:
            note = f"文件 {render.esc(Path(removal.meta.source).name)} 已从上传文件夹删除。"
        else:
            note = "原文件不在上传文件夹中，保留未动。"
        return f'<div class="notice ok">已删除“{render.esc(removal.meta.title)}”。{note}</div>'
