"""Plain data types that travel through the pipeline: reports, sections, chunks, figures."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

SECTION_SEPARATOR = " › "


@dataclass(frozen=True)
class ReportMeta:
    """What a report says about itself: read from its text, never from its file name."""

    id: str
    title: str
    bureau: str
    province: str | None
    city: str | None
    county: str | None
    year: int | None
    signed: str | None  # ISO date, when the report is signed
    kind: str
    aliases: tuple[str, ...]
    source: str
    content_hash: str
    published: int | None = None  # the year the report was published, not the year it evaluates
    needs_review: tuple[str, ...] = ()  # fields guessed or missing ("bureau", "region", "year", "kind"), "instructions" planted
    pages: tuple[int, ...] = ()  # where each page starts in the text (PDF only)
    ocr_pages: tuple[int, ...] = ()  # pages (from 1) whose text was read by OCR

    def __post_init__(self) -> None:
        # Read back from JSON these are lists; a frozen dataclass must stay hashable.
        for name in ("aliases", "needs_review", "pages", "ocr_pages"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def page_at(self, offset: int) -> int | None:
        """The page (from 1) holding a text offset, for paged reports."""
        return bisect_right(self.pages, offset) if self.pages else None

    def read_by_ocr(self, offset: int) -> bool:
        return self.page_at(offset) in self.ocr_pages

    @property
    def region(self) -> str:
        """Province, city and county joined, as far as the text gives them."""
        return "".join(part for part in (self.province, self.city, self.county) if part)


@dataclass(frozen=True)
class Section:
    """A numbered heading and the span of original text it governs."""

    path: tuple[str, ...]
    start: int
    end: int

    @property
    def label(self) -> str:
        return SECTION_SEPARATOR.join(self.path)


@dataclass(frozen=True)
class Chunk:
    """A quotable span of one report. `start`/`end` index the report's original text."""

    id: str
    report_id: str
    ordinal: int
    section: str
    text: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]  # original offsets of each sentence, for quoting


@dataclass(frozen=True)
class Figure:
    """A key figure stated in a report, with the sentence that states it."""

    report_id: str
    bureau: str
    metric: str
    value: float
    unit: str
    basis: str | None
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class Check:
    """A consistency check (数据核对): parts against their stated total."""

    report_id: str
    bureau: str
    name: str
    total: Figure
    parts: tuple[Figure, ...]
    parts_sum: float
    consistent: bool
    note: str


@dataclass(frozen=True)
class Report:
    """A parsed report: metadata, original text, section tree and the chunks to index."""

    meta: ReportMeta
    text: str
    sections: tuple[Section, ...]
    chunks: tuple[Chunk, ...] = field(default=())
