"""The assistant as one object: the index, its search, and the answerers, built from Settings."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.embedding import make_embedder
from index.errors import ReportIndexError
from index.ingest import Ingester, IngestResult, Progress
from index.isolation import ReadLimits, read_isolated, render_page_isolated
from index.metadata import KINDS
from index.models import Check, Figure, ReportMeta
from index.readers import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, ReportText
from index.search import HybridSearch
from index.store import Health, ReportStore

from .answering import ExtractiveAnswerer, Scorer
from .compare import Comparer, comparison_topic, side_topics
from .errors import BadCorrectionError, BadQuestionError, ConfirmationNeeded, UploadError
from .models import Answer
from .query import Query, QueryAnalyzer, check_question, is_bare_follow_up, rewrite_follow_up, without_names
from .settings import Settings
from .uploads import inside, place_upload

logger = logging.getLogger(__name__)

__all__ = ["KINDS", "SUPPORTED_SUFFIXES", "Assistant", "Check", "Conversation", "Figure", "IndexingStatus", "Removal", "ReportMeta", "Upload"]

# Chunks fetched for the answerer to rerank by sentence; a chunk that only one retriever ranks
# high lands low in the fusion (the dense model is weak on short formal references).
RERANK_POOL = 30
PAGE_CACHE = 32  # rendered PDF pages kept for the source viewer


@dataclass
class Conversation:
    """One chat's history: the questions asked so far, as resolved. Never shared between users."""

    queries: list[Query] = field(default_factory=list)

    @property
    def last(self) -> Query | None:
        return self.queries[-1] if self.queries else None


@dataclass
class IndexingStatus:
    """How far the running ingest is, for a page that polls it; `running` is False between ingests."""

    running: bool = False
    done: float = 0.0
    total: int = 0
    label: str = ""

    def describe(self) -> str:
        """ "正在建立索引：嵌入 a.pdf（1.4/3 份）", or "" when no ingest runs."""
        if not self.running:
            return ""
        return f"正在建立索引：{self.label or '准备中'}（{self.done:.1f}/{self.total} 份）"


@dataclass
class Upload:
    """What became of an uploaded file: where it lies now and what the ingest did with it."""

    path: Path
    result: IngestResult


@dataclass
class Removal:
    """A report taken out of the index, and what happened to its file."""

    meta: ReportMeta
    file_deleted: bool
    shipped: bool


class Assistant:
    """Answers questions about the indexed reports; every answer cites the sentences it uses.

    Safe to share between threads: questions read the index as last committed while an ingest
    prepares its reports, and wait only for each report's final switch into the stores.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedder = make_embedder(settings.embedder.backend, settings.embedder.model)
        server = settings.store.mode == "server"
        self.store = ReportStore(
            settings.index_dir,
            self.embedder.signature,
            self.embedder.dim,
            chroma_host=settings.store.host if server else None,
            chroma_port=settings.store.port,
        )
        self.search = HybridSearch(self.store, self.embedder)
        fitted = settings.answerer
        self.answerer = ExtractiveAnswerer(self.store, Scorer(fitted.weights, fitted.bias, fitted.abstain_below))
        self.comparer = Comparer(self.store, self.search, self.answerer, RERANK_POOL, settings.top_k)
        self.analyzer = self._analyzer()
        self.status = IndexingStatus()
        self._pages: dict[tuple[str, int, int], bytes] = {}  # rendered PDF pages, oldest first
        self.llm = None
        if settings.llm.enabled:
            from .llm import LLMAnswerer

            self.llm = LLMAnswerer(settings.llm, self.answerer)

    def _analyzer(self) -> QueryAnalyzer:
        return QueryAnalyzer(self.store.reports(), self.store.report_text)

    # -- the index -------------------------------------------------------------------------

    def ingest(self, paths: list[Path] | None = None, prune: bool = False, progress: Progress | None = None) -> IngestResult:
        """Bring the index in line with the given files (default: the corpus and uploads folders)."""
        folders = paths or [p for p in (self.settings.corpus_dir, self.settings.uploads_dir) if p.is_dir()] or [self.settings.corpus_dir]

        def track(done: float, total: int, label: str) -> None:
            self.status = IndexingStatus(True, done, total, label)
            if progress:
                progress(done, total, label)

        self.status = IndexingStatus(True)
        try:
            result = Ingester(self.store, self.embedder, self.settings.chunk_tokens, self.read_file).run(folders, prune, track)
        finally:
            self.status = IndexingStatus()
            self._index_changed()
        return result

    def upload(self, file: Path, original_name: str, progress: Progress | None = None) -> Upload:
        """Put an uploaded report into the uploads folder and index it. On failure the copy is
        removed again and UploadError says why; nothing stored changes."""
        target, copied = place_upload(file, original_name, self.settings.uploads_dir, self.settings.ui.max_upload_mb)
        try:
            result = self.ingest([target], progress=progress)
            failure = "；".join(reason for _, reason in result.failed)
        except ReportIndexError as error:
            result, failure = None, str(error)
        shown = Path(original_name).name
        if result is None or result.failed or result.duplicates:
            if copied:
                target.unlink(missing_ok=True)
            if result is not None and result.duplicates:
                raise UploadError(f"“{shown}”与已导入的 {Path(result.duplicates[0][1]).name} 内容相同，未重复导入。")
            raise UploadError(f"“{shown}”无法建立索引：{failure}。索引保持不变。")
        return Upload(target, result)

    def _index_changed(self) -> None:
        self.analyzer = self._analyzer()
        self.answerer.index_changed()

    def read_file(self, path: Path, max_bytes: int = MAX_FILE_BYTES) -> ReportText:
        """A file's text, read in a worker process under the configured memory and time limits: files are untrusted."""
        reading = self.settings.reading
        return read_isolated(path, ReadLimits(reading.memory_mb, reading.timeout_s, max_bytes))

    def remove_report(self, report_id: str, confirm_shipped: bool = False) -> Removal:
        """Take a report out of the index. An uploaded report's file goes too; a shipped report's
        file (in the corpus folder) stays, and removing one needs `confirm_shipped`."""
        meta = {m.id: m for m in self.store.reports()}.get(report_id)
        if meta is None:
            raise BadCorrectionError("这份报告已不在索引中。")
        source = Path(meta.source)
        shipped = inside(source, self.settings.corpus_dir)
        if shipped and not confirm_shipped:
            raise ConfirmationNeeded(f"“{meta.title}”是随项目提供的报告（{self.settings.corpus_dir}/{source.name}）。确需从索引中移除时，请先勾选确认。")
        with self.store.writing():
            self.store.remove(report_id)
            self.store.rebuild_lexical()
        self._index_changed()
        uploaded = inside(source, self.settings.uploads_dir) and source.is_file()
        if uploaded:
            source.unlink()
        return Removal(meta, uploaded, shipped)

    def check(self, repair: bool = False) -> Health:
        """Registry, vectors and lexical index checked against each other; `repair` mends them (lost vectors re-embedded)."""
        with self.store.writing():
            health = self.store.check(repair, embed=self.embedder.get_text_embedding_batch if repair else None)
        if health.repaired:
            self._index_changed()
        return health

    def reports(self) -> list[ReportMeta]:
        return self.store.reports()

    def report_text(self, report_id: str) -> str:
        """A report's original text, which citation offsets point into."""
        return self.store.report_text(report_id)

    def chunk_counts(self) -> dict[str, int]:
        return self.store.chunk_counts()

    def page_image(self, report_id: str, page: int) -> bytes:
        """A PDF report's page (from 1) as PNG, for the source viewer; rendered in a worker
        process (the file is untrusted) and kept for the next look."""
        meta = self.store.report(report_id)
        if not meta.source.lower().endswith(".pdf"):
            raise BadCorrectionError(f"“{meta.title}”不是 PDF，没有页面图像。")
        source = Path(meta.source)
        if not source.is_file():
            raise BadCorrectionError(f"“{meta.title}”的原文件 {source} 已不在原处，无法显示页面。")
        key = (report_id, page, source.stat().st_mtime_ns)
        if key not in self._pages:
            reading = self.settings.reading
            self._pages[key] = render_page_isolated(source, page, ReadLimits(reading.memory_mb, reading.timeout_s))
            while len(self._pages) > PAGE_CACHE:
                self._pages.pop(next(iter(self._pages)))
        return self._pages[key]

    def find_report(self, name: str) -> ReportMeta:
        """A report by its source path, file name or id."""
        name = name.strip()
        resolved = str(Path(name).resolve()) if name else ""
        found = [r for r in self.store.reports() if name and name in (r.source, r.id, Path(r.source).name) or r.source == resolved]
        if len(found) != 1:
            known = "、".join(Path(r.source).name for r in self.store.reports()) or "（尚无报告）"
            problem = "对应多份报告，请给出完整路径" if found else "没有对应的已导入报告"
            raise BadCorrectionError(f"“{name}”{problem}。已导入：{known}")
        return found[0]

    def correct_metadata(self, name: str, bureau: str | None = None, year: int | None = None, kind: str | None = None) -> ReportMeta:
        """Record a user's corrections to a report's bureau, fiscal year or kind; they hold across re-ingest and prune."""
        report = self.find_report(name)
        fields = correction_fields(bureau, year, kind)
        if fields:
            with self.store.writing():
                self.store.correct(report.source, fields)
            self._index_changed()
        return self.store.report(report.id)

    def figures(self, bureau: str | None = None) -> tuple[list[Figure], list[Check]]:
        """Key figures and consistency checks, for one bureau (any alias) or all."""
        ids = [r.id for r in self.analyzer.resolve_bureau(bureau)] if bureau else None
        with self.store.reading():
            return self.store.figures(ids), self.store.checks(ids)

    # -- questions -------------------------------------------------------------------------

    def understand(self, question: str, bureau: str | None = None, year: int | None = None, conversation: Conversation | None = None) -> Query:
        """Check the question, expand a follow-up, and scope it to reports."""
        text = check_question(question, self.settings.max_question_chars)
        if not self.analyzer.reports:
            if self.status.running:
                raise BadQuestionError(f"{self.status.describe()}。索引建好后即可提问，请稍候。")
            raise BadQuestionError("索引中还没有报告：请先导入报告（python -m assistant ingest）。")
        previous = conversation.last if conversation else None
        if previous is None and is_bare_follow_up(text, self.analyzer):
            names = "、".join(m.bureau for m in self.analyzer.named_in(text))
            return Query(text, (), (), (), "what", False, missing=f"这像是接着上一个问题问的，但之前没有问题。请把问题说完整，例如“{names}的基本支出是多少？”")
        text = rewrite_follow_up(text, previous, self.analyzer)
        query = self.analyzer.analyze(text, bureau=bureau, year=year)
        if previous and not query.named_bureaus and not bureau and not query.missing:
            # A follow-up that names no bureau stays with the bureaus of the conversation.
            query = replace(query, reports=previous.reports, named_bureaus=previous.named_bureaus)
        return query

    def ask(self, question: str, bureau: str | None = None, year: int | None = None, conversation: Conversation | None = None) -> Answer:
        """A cited answer to one question (comparisons included), or a plain abstention."""
        with self.store.reading():
            return self._ask(question, bureau, year, conversation)

    def _ask(self, question: str, bureau: str | None, year: int | None, conversation: Conversation | None) -> Answer:
        started = time.perf_counter()
        query = self.understand(question, bureau, year, conversation)
        previous = conversation.last if conversation else None
        follow_up = previous is not None and (query.text != question.strip() or not self.analyzer.named_in(question))
        if conversation is not None:
            conversation.queries.append(query)
        timings: dict[str, float] = {}
        if query.compare:
            answer = self._compare_query(query, timings)
            timings["total"] = (time.perf_counter() - started) * 1000
            return replace(answer, question=question, timings_ms=timings)
        # Fetch more than top_k: the answerer reranks chunks by their best sentence.
        vector = None if query.missing else self.search.embed(query.text, timings)
        hits = [] if query.missing else self.search.search(self.answerer.lexical_query(query), RERANK_POOL, query.report_ids, timings, vector)
        answer_started = time.perf_counter()
        answer = self.answerer.answer(query, hits, self.settings.top_k, vector)
        if self.llm and not answer.abstained:
            answer = self.llm.answer(query, hits, answer, timings, vector)
        timings["answer_ms"] = (time.perf_counter() - answer_started) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        return replace(answer, question=question, timings_ms=timings, scope=understood_scope(query) if follow_up else "")

    def compare(self, first: str, second: str, topic: str) -> Answer:
        """Compare two bureaus (any aliases) on a topic, each side with its own evidence."""
        with self.store.reading():
            return self._compare(first, second, topic)

    def _compare(self, first: str, second: str, topic: str) -> Answer:
        started = time.perf_counter()
        sides = [self.analyzer.resolve_bureau(first), self.analyzer.resolve_bureau(second)]
        if sides[0][0].bureau == sides[1][0].bureau:
            raise BadQuestionError(f"“{first}”和“{second}”是同一个单位（{sides[0][0].bureau}），请选择两个不同的单位进行比较。")
        topic = check_question(topic, self.settings.max_question_chars)
        timings: dict[str, float] = {}
        answer = self.comparer.compare(f"比较{first}和{second}：{topic}", [topic], sides, timings)
        timings["total"] = (time.perf_counter() - started) * 1000
        return replace(answer, timings_ms=timings)

    def _compare_query(self, query: Query, timings: dict[str, float]) -> Answer:
        """A comparison asked in chat: the bureaus it names, or all when it says 两个局 of a two-bureau corpus."""
        bureaus = list(query.named_bureaus) or self.analyzer.kind_named(query.text) or self.analyzer.bureaus()
        if len(bureaus) < 2:
            return Answer(query.text, "比较需要至少两个单位，请在问题中写明要比较的单位。", True, (), ())
        if len(bureaus) > 2 and not query.named_bureaus:
            return Answer(query.text, f"要比较哪些单位？请在问题中写明。已收录的单位：{'、'.join(bureaus)}", True, (), ())
        sides = [[r for r in query.reports if r.bureau == b] or self.analyzer.resolve_bureau(b) for b in bureaus]
        names = [alias for r in self.analyzer.reports for alias in r.aliases]
        mentions = self.analyzer.named_in(query.text)
        blanked = without_names(query.text, tuple(self.analyzer.reports))  # "西峡退役军人局": the short form typed after a place too
        own = side_topics(blanked, mentions, names) if [m.bureau for m in mentions] == bureaus else None
        return self.comparer.compare(query.text, own or [comparison_topic(blanked, names)], sides, timings)


def understood_scope(query: Query) -> str:
    """How a follow-up was read, in the user's words: "按 常宁市科技和工业信息化局 2022年度报告理解"."""
    if not query.reports:
        return ""
    bureaus = "、".join(dict.fromkeys(r.bureau or r.title for r in query.reports))
    years = "、".join(str(y) for y in sorted({r.year for r in query.reports if r.year}))
    return f"按 {bureaus} {years + '年度' if years else ''}报告理解"


def correction_fields(bureau: str | None, year: int | None, kind: str | None) -> dict:
    """The corrections given, checked; BadCorrectionError says which value cannot be used."""
    fields: dict = {}
    if bureau is not None:
        bureau = "".join(bureau.split())
        if not (2 <= len(bureau) <= 40) or not all("\u4e00" <= c <= "\u9fff" or c in "（）()" for c in bureau):
            raise BadCorrectionError(f"单位名称“{bureau}”不可用：请写 2–40 个汉字的全称，例如“长沙市望城区工业和信息化局”。")
        fields["bureau"] = bureau
    if year is not None:
        if not 1990 <= year <= 2100:
            raise BadCorrectionError(f"年度 {year} 不可用：请写评价的财政年度，例如 2023。")
        fields["year"] = year
    if kind is not None:
        if kind not in KINDS:
            raise BadCorrectionError(f"报告类型“{kind}”不在分类中。可选：{'、'.join(KINDS)}")
        fields["kind"] = kind
    return fields
