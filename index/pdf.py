"""Read a PDF page by page: the text layer, ruled tables as tab-separated rows, and OCR for scans.

Pages are joined with a form feed ("\\f") on a line of its own, so an offset into the text tells
its page (`page_starts`). A page with no text layer is rendered and read by RapidOCR, whose
Chinese models ship in its wheel; the caller learns which pages were read that way.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .errors import UnreadableFileError

logger = logging.getLogger(__name__)

PAGE_BREAK = "\n\f\n"
# A page whose text layer holds fewer visible characters than this is treated as a scan.
_MIN_TEXT_CHARS = 20
# Render scale for OCR: 2 × 72 dpi reads 10-point Chinese reliably at about 3 s a page on a CPU.
_OCR_SCALE = 2.0
# OCR boxes closer than this share of a line's height sit in one cell; wider gaps are table columns.
_CELL_GAP = 1.0
# A line starting this many line heights right of the page's left edge opens a paragraph.
_INDENT = 1.2


@dataclass(frozen=True)
class PdfText:
    """A PDF's text, pages joined by PAGE_BREAK, and the pages (from 1) that came from OCR."""

    text: str
    ocr_pages: tuple[int, ...] = ()


def page_starts(text: str) -> tuple[int, ...]:
    """The offset where each page of a text joined by PAGE_BREAK begins."""
    starts, at = [0], text.find("\f")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\f", at + 1)
    return tuple(starts)


def looks_scanned(text: str, has_images: bool) -> bool:
    """A page with no text layer, or an image with a few characters on it (a stamp, a page number)."""
    visible = len("".join(text.split()))
    return visible == 0 or (has_images and visible < _MIN_TEXT_CHARS)


def pdf_text(data: bytes, page_texts: list[str], scans: list[int], name: str) -> PdfText:
    """Join pages read from the text layer, with ruled tables re-read cell by cell and the scanned pages (from 1) OCR'd."""
    pages = list(page_texts)
    for number, table_text in _table_pages(data, name):
        pages[number - 1] = table_text
    for number, text in _ocr_pages(data, scans, name):
        pages[number - 1] = text
    ocr = tuple(n for n in scans if pages[n - 1].strip())
    return PdfText(PAGE_BREAK.join(page.strip("\n") for page in pages), ocr)


# --- ruled tables ----------------------------------------------------------------------------


def _table_pages(data: bytes, name: str) -> list[tuple[int, str]]:
    """Pages holding ruled tables, read with pdfplumber: lines outside tables, then rows with cells tab-separated."""
    import pdfplumber

    found: list[tuple[int, str]] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                tables = page.find_tables()
                if tables:
                    found.append((number, _page_with_tables(page, tables)))
    except Exception as exc:  # pdfminer fails on some PDFs pypdf reads; keep the text layer then.
        logger.warning("%s: tables could not be read cell by cell (%s); using the text layer", name, exc)
        return []
    return found


def _page_with_tables(page: Any, tables: list[Any]) -> str:
    outside = page
    for table in tables:
        outside = outside.outside_bbox(table.bbox)
    lines = [(line["top"], line["text"]) for line in outside.extract_text_lines()]
    for table in tables:
        for row, cells in zip(table.rows, table.extract()):
            texts = [_cell_text(cell) for cell in cells if cell is not None]
            if any(texts):
                lines.append((row.bbox[1], "\t".join(texts)))
    return "\n".join(text for _, text in sorted(lines, key=lambda line: line[0]))


def _cell_text(cell: str) -> str:
    # A cell's text wraps inside the cell; Chinese wraps without a space.
    return "".join(cell.split("\n")).strip()


def page_png(path: Path, number: int, scale: float = 1.5) -> bytes:
    """Page `number` (from 1) of the PDF at `path`, rendered as PNG bytes (for the source viewer)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        if not 1 <= number <= len(document):
            raise UnreadableFileError(path, f"没有第 {number} 页（共 {len(document)} 页）")
        image = document[number - 1].render(scale=scale).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- OCR -------------------------------------------------------------------------------------


def _ocr_pages(data: bytes, numbers: list[int], name: str) -> list[tuple[int, str]]:
    """OCR the given pages (from 1), with a progress bar per page."""
    if not numbers:
        return []
    import pypdfium2

    engine = _ocr_engine()
    document = pypdfium2.PdfDocument(data)
    read: list[tuple[int, str]] = []
    try:
        for number in tqdm(numbers, desc=f"OCR {name}", unit="页", leave=False):
            image = document[number - 1].render(scale=_OCR_SCALE).to_numpy()
            boxes, _ = engine(image)
            read.append((number, ocr_lines(boxes or [])))
    finally:
        document.close()
    logger.info("%s: %d page(s) read by OCR", name, len(read))
    return read


_ENGINE = None


def _ocr_engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        from rapidocr_onnxruntime import RapidOCR

        _ENGINE = RapidOCR()
    return _ENGINE


def ocr_lines(boxes: list[Any]) -> str:
    """Text boxes (corner points, text, score) laid out as lines: cells of a row tab-separated, paragraphs indented."""
    items = sorted((_Box.of(box) for box in boxes if box[1].strip()), key=lambda b: (b.middle, b.left))
    rows: list[list[_Box]] = []
    for item in items:
        if rows and abs(item.middle - rows[-1][0].middle) < rows[-1][0].height / 2:
            rows[-1].append(item)
        else:
            rows.append([item])
    margin = min((b.left for b in items), default=0.0)
    return "\n".join(_row_text(sorted(row, key=lambda b: b.left), margin) for row in rows)


def _row_text(row: list[_Box], margin: float) -> str:
    height = max(b.height for b in row)
    text = "\u3000\u3000" if row[0].left - margin > _INDENT * height else ""
    for previous, box in zip([None, *row], row):
        if previous is not None:
            text += "\t" if box.left - previous.right > _CELL_GAP * height else ""
        text += box.text.strip()
    return text


@dataclass(frozen=True)
class _Box:
    left: float
    right: float
    top: float
    bottom: float
    text: str

    @classmethod
    def of(cls, box: Any) -> _Box:
        points, text = box[0], box[1]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return cls(min(xs), max(xs), min(ys), max(ys), text)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)
