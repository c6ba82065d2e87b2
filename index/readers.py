"""Turn a report file (TXT, Markdown, PDF, DOCX, HTML) into its plain text.

Readers only extract: newlines become "\\n" and paragraphs are separated by a blank line, but
the characters themselves are left alone, because `index.cleaning` repairs extraction damage
and keeps offsets back to this text. Every failure is an `UnreadableFileError` whose message
says why and what to do.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import UnreadableFileError

if TYPE_CHECKING:
    from bs4 import BeautifulSoup
    from docx.document import Document as DocxDocument
    from docx.table import Table

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
MAX_FILE_BYTES: int = 50 * 1024 * 1024

# Chinese text holds almost only GB2312 characters; text in another encoding that happens to
# decode as GB18030 (Big5 does, nearly always) is full of rare ones. Real reports score > 0.95,
# Big5 misread as GB18030 about 0.4.
_MIN_GB2312_SHARE = 0.8
# Characters to sample when judging an encoding: enough to be sure, cheap on a 50 MiB file.
_SAMPLE_CHARS = 20_000
# More than this share of control, unassigned or private-use characters means binary or
# mis-decoded bytes, not text.
_MAX_JUNK_SHARE = 0.05
_TEXT_WHITESPACE = frozenset("\t\n\r\f\v")
_JUNK_CATEGORIES = frozenset({"Cc", "Cn", "Co", "Cs"})
_UTF16_32_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# GBK and GB2312 pages routinely contain characters only their superset GB18030 defines.
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030"}
# Declarations that prove nothing: Western single-byte codecs decode any bytes without error
# and usually mislabel Chinese pages, and a meta tag readable as ASCII cannot be UTF-16/32.
_UNINFORMATIVE_CHARSETS = frozenset(
    {"latin-1", "iso8859-1", "cp1252", "ascii", "utf-16", "utf-16-le", "utf-16-be", "utf-32"}
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""",
    re.IGNORECASE,
)
_HTML_SNIFF_BYTES = 4096

_HTML_DROP = frozenset(
    {"script", "style", "noscript", "template", "title", "meta", "link", "base", "head"}
)
_HTML_BLOCKS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "tr", "br", "hr", "section", "article", "table", "thead", "tbody", "tfoot", "caption",
        "blockquote", "pre", "header", "footer", "main", "aside", "nav", "figure",
        "figcaption", "address", "form", "fieldset", "body",
    }
)
_HTML_CELLS = frozenset({"td", "th"})
# HTML collapses runs of ASCII whitespace; U+00A0 and U+3000 are deliberate and kept.
_HTML_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")
_BREAK = object()
_CELL = object()

_SUPPORTED_LIST = ", ".join(SUPPORTED_SUFFIXES)


def read_report_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Return the plain text of a report file, newlines normalised to "\\n"."""
    if max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive number of bytes, got {max_bytes}")
    path = Path(path)
    if not path.exists():
        raise UnreadableFileError(path, "file not found. Check the path and the file name.")
    if path.is_dir():
        raise UnreadableFileError(
            path, "this is a directory, not a file. Pass the report files inside it instead."
        )
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise UnreadableFileError(
            path,
            f"unsupported file type {suffix or '(no suffix)'!r}. Supported types: "
            f"{_SUPPORTED_LIST}. Convert the file (e.g. .doc or .xlsx to .docx or PDF) first.",
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableFileError(
            path,
            f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes. "
            "Split the file or raise the size limit.",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(
            path, f"the file could not be read ({exc.strerror or exc}). Check its permissions."
        ) from exc
    if not data:
        raise UnreadableFileError(path, "the file is empty (0 bytes). Re-export or re-download it.")
    text = _normalise_newlines(reader(path, data))
    if not text.strip():
        raise UnreadableFileError(
            path, "the file holds only whitespace, no text. Re-export or re-download it."
        )
    logger.debug("read %s: %d characters", path, len(text))
    return text


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- plain text ----------------------------------------------------------------------------


def _decode_text_bytes(path: Path, data: bytes) -> str:
    """Decode text bytes: BOM, strict UTF-8, plausible GB18030, else charset-normalizer."""
    if data.startswith(codecs.BOM_UTF8):
        return _checked(path, _strict_decode(path, data, "utf-8-sig"), "UTF-8")
    for bom, encoding in _UTF16_32_BOMS:
        if data.startswith(bom):
            return _checked(path, _strict_decode(path, data, encoding), encoding.upper())
    if b"\x00" in data:
        raise UnreadableFileError(
            path,
            "the file contains NUL bytes, so it is binary (or UTF-16 without a byte-order mark), "
            "not text. Open it in its program and save it as UTF-8 text.",
        )
    try:
        return _checked(path, data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_chinese(text):
        logger.debug("%s decoded as GB18030", path)
        return _checked(path, text, "GB18030")
    return _decode_detected(path, data)


def _decode_detected(path: Path, data: bytes) -> str:
    # Imported here: only files that are neither UTF-8 nor GB18030 need it.
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding is None:
        raise UnreadableFileError(
            path,
            "the text encoding could not be recognised (not UTF-8, GBK/GB18030 or any other "
            "known encoding), or the file is binary. Save it as UTF-8 text.",
        )
    logger.warning("%s is neither UTF-8 nor GB18030; detected %s", path, best.encoding)
    return _checked(path, _strict_decode(path, data, best.encoding), best.encoding)


def _strict_decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFileError(
            path, f"the text is not valid {encoding} ({exc}). Save it again as UTF-8 text."
        ) from exc


def _checked(path: Path, text: str, encoding: str) -> str:
    if _junk_share(text) > _MAX_JUNK_SHARE:
        raise UnreadableFileError(
            path,
            f"decoded as {encoding}, the content is mostly non-printable characters: it is "
            "binary or in an unknown encoding. Save it as UTF-8 text.",
        )
    return text


def _junk_share(text: str) -> float:
    sample = text[:_SAMPLE_CHARS]
    if not sample:
        return 0.0
    junk = sum(
        1
        for ch in sample
        if ch == "\ufffd"
        or (ch not in _TEXT_WHITESPACE and unicodedata.category(ch) in _JUNK_CATEGORIES)
    )
    return junk / len(sample)


def _looks_chinese(text: str) -> bool:
    """Tell real GB18030 Chinese from other bytes that merely decode as GB18030."""
    wide = [ch for ch in text[: _SAMPLE_CHARS * 2] if ord(ch) > 0x7F][:_SAMPLE_CHARS]
    if not wide:
        return True
    in_gb2312 = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        in_gb2312 += 1
    return in_gb2312 / len(wide) >= _MIN_GB2312_SHARE


# --- PDF -----------------------------------------------------------------------------------


def _read_pdf(path: Path, data: bytes) -> str:
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many published PDFs are encrypted only to restrict printing or copying; they open
            # with the empty user password.
            try:
                decrypted = reader.decrypt("")
            except DependencyError as exc:
                raise UnreadableFileError(
                    path,
                    "the PDF is encrypted with AES and the 'cryptography' package is not "
                    "installed. Install it (pip install cryptography) or save an unencrypted copy.",
                ) from exc
            if not decrypted:
                raise UnreadableFileError(
                    path,
                    "the PDF is password-protected. Save an unprotected copy and index that.",
                )
        pages = list(reader.pages)
    except UnreadableFileError:
        raise
    except FileNotDecryptedError as exc:
        raise UnreadableFileError(
            path, "the PDF is password-protected. Save an unprotected copy and index that."
        ) from exc
    except Exception as exc:  # pypdf raises many exception types on malformed input.
        raise UnreadableFileError(
            path,
            f"the PDF is damaged or not a PDF ({type(exc).__name__}: {exc}). "
            "Download or export it again.",
        ) from exc
    if not pages:
        raise UnreadableFileError(path, "the PDF has no pages. Download or export it again.")
    texts: list[str] = []
    failed = 0
    for number, page in enumerate(pages, start=1):
        try:
            texts.append((page.extract_text() or "").rstrip("\n"))
        except Exception as exc:  # One broken page must not lose the rest of the report.
            failed += 1
            logger.warning("%s: page %d could not be read: %s", path, number, exc)
            texts.append("")
    if failed == len(pages):
        raise UnreadableFileError(
            path, "no page of the PDF could be read; it is damaged. Download or export it again."
        )
    text = "\n\n".join(texts)
    if not text.strip():
        raise UnreadableFileError(
            path,
            "the PDF has no text layer (is it a scan?). Run OCR on it first, e.g. "
            "ocrmypdf -l chi_sim, and index the result.",
        )
    return text


# --- DOCX ----------------------------------------------------------------------------------


def _read_docx(path: Path, data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFileError(
            path,
            "not a valid .docx file (a .docx is a ZIP package). If it is an old .doc or was "
            "renamed, open it in Word or WPS and save it as .docx.",
        )
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(_docx_blocks(document))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UnreadableFileError(
            path,
            f"the .docx package is damaged or is not a Word document ({exc}). "
            "Open it in Word or WPS and save it as .docx again.",
        ) from exc
    except Exception as exc:  # lxml and python-docx raise assorted errors on broken XML.
        raise UnreadableFileError(
            path,
            f"the .docx could not be parsed ({type(exc).__name__}: {exc}). "
            "Open it in Word or WPS and save it as .docx again.",
        ) from exc
    text = "\n\n".join(block for block in blocks if block.strip())
    if not text.strip():
        raise UnreadableFileError(
            path, "the .docx contains no text in its body. Check that it is the right file."
        )
    return text


def _docx_blocks(document: DocxDocument) -> Iterator[str]:
    """Yield paragraph texts and table texts in document order."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    # python-docx's own iter_inner_content() skips content controls, so walk the XML.
    parent = document._body
    p_tag, tbl_tag = qn("w:p"), qn("w:tbl")
    sdt_tag, sdt_content_tag = qn("w:sdt"), qn("w:sdtContent")

    def walk(element: Iterable[Any]) -> Iterator[str]:
        for child in element:
            if child.tag == p_tag:
                yield Paragraph(child, parent).text
            elif child.tag == tbl_tag:
                yield _docx_table_text(Table(child, parent))
            elif child.tag == sdt_tag:
                # Content controls (templates, cover pages) wrap ordinary paragraphs and tables.
                for content in child.iter(sdt_content_tag):
                    yield from walk(content)
                    break

    yield from walk(document.element.body)


def _docx_table_text(table: Table) -> str:
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; write it once.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            # Joined with a space so that each row stays on one line.
            cells.append(" ".join(p.text for p in cell.paragraphs).strip())
        lines.append("\t".join(cells))
    return "\n".join(lines)


# --- HTML ----------------------------------------------------------------------------------


def _read_html(path: Path, data: bytes) -> str:
    from bs4 import BeautifulSoup

    markup = _decode_html_bytes(path, data)
    soup = BeautifulSoup(markup, "html.parser")
    text = _html_text(soup)
    if not text.strip():
        raise UnreadableFileError(
            path,
            "the HTML page has no visible text (only scripts, styles or markup); it is "
            "probably rendered by JavaScript. Save the page's text or a PDF of it instead.",
        )
    return text


def _decode_html_bytes(path: Path, data: bytes) -> str:
    declared = _declared_charset(data)
    has_bom = data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    # Valid UTF-8 beats a declaration: sites re-encode pages to UTF-8 and keep the old
    # <meta charset="gb2312">, while GBK bytes are almost never valid UTF-8 by accident.
    if declared and not has_bom and not _is_utf8(data):
        try:
            text = data.decode(declared)
        except UnicodeDecodeError:
            # Mislabelled pages are common (a GBK page declaring UTF-8); trust the bytes.
            logger.warning("%s is not valid %s as it declares; detecting", path, declared)
        else:
            return _checked(path, text, declared)
    return _decode_text_bytes(path, data)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_HTML_SNIFF_BYTES])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _UNINFORMATIVE_CHARSETS:
        return None
    return _ENCODING_ALIASES.get(name, name)


def _html_text(soup: BeautifulSoup) -> str:
    from bs4 import NavigableString, Tag
    from bs4.element import PageElement, PreformattedString

    tokens: list[object] = []
    # An explicit stack: real pages nest deeply enough to hit Python's recursion limit.
    stack: list[tuple[PageElement, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            tokens.append(_BREAK)
            continue
        if isinstance(node, PreformattedString):  # comments, doctype, CDATA, <?...?>
            continue
        if isinstance(node, NavigableString):
            in_pre = any(parent.name == "pre" for parent in node.parents)
            tokens.append(str(node) if in_pre else _HTML_SPACE_RUN.sub(" ", str(node)))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if name in _HTML_DROP and not (name == "head" and node.find("body") is not None):
            # html.parser puts the body inside an unclosed <head>; keep it in that case.
            continue
        if name in _HTML_CELLS:
            tokens.append(_CELL)
        block = name in _HTML_BLOCKS
        if block:
            tokens.append(_BREAK)
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.children)))
    return _join_html_tokens(tokens)


def _join_html_tokens(tokens: list[object]) -> str:
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        paragraph = "".join(current).strip(" \t\n")
        if paragraph:
            paragraphs.append(paragraph)
        current.clear()

    for token in tokens:
        if token is _BREAK:
            flush()
        elif token is _CELL:
            # A tab before every cell; the leading one is stripped, so cells are tab-separated.
            if current and current[-1].endswith(" "):
                current[-1] = current[-1].rstrip(" ")
            current.append("\t")
        else:
            text = str(token)
            if current and current[-1] == "\t":
                text = text.lstrip(" ")
            if text:
                current.append(text)
    flush()
    return "\n\n".join(paragraphs)


_READERS: dict[str, Callable[[Path, bytes], str]] = {
    ".txt": _decode_text_bytes,
    ".md": _decode_text_bytes,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".html": _read_html,
    ".htm": _read_html,
}
