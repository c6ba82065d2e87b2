"""Turn a report file (TXT, Markdown, PDF, DOCX, HTML) into its plain text.

Readers only extract: newlines become "\\n" and paragraphs are separated by a blank line, but
the characters themselves are left alone, because `index.cleaning` repairs extraction damage
and keeps offsets back to this text. A table lays out one way whatever the format: a row per line,
its cells apart by tabs (a text file's table drawn with bars is laid out so too). Every failure is an
`UnreadableFileError` whose message says why and what to do.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import UnreadableFileError
from index.pdf import PdfText, looks_scanned, page_starts, pdf_text

if TYPE_CHECKING:
    from bs4 import BeautifulSoup
    from docx.document import Document as DocxDocument
    from docx.table import Table

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
MAX_FILE_BYTES: int = 50 * 1024 * 1024
# A Word document unpacks to a few times its size; a zip bomb to thousands of times.
MAX_UNZIPPED_BYTES: int = 200 * 1024 * 1024
MAX_ZIP_RATIO: int = 100
MAX_ZIP_MEMBERS: int = 2000

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
_UNINFORMATIVE_CHARSETS = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii", "utf-16", "utf-16-le", "utf-16-be", "utf-32"})
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""",
    re.IGNORECASE,
)
_HTML_SNIFF_BYTES = 4096

_HTML_DROP = frozenset({"script", "style", "noscript", "template", "title", "meta", "link", "base", "head"})
_HTML_BLOCKS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "tr",
        "br",
        "hr",
        "section",
        "article",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "caption",
        "blockquote",
        "pre",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "figure",
        "figcaption",
        "address",
        "form",
        "fieldset",
        "body",
    }
)
_HTML_CELLS = frozenset({"td", "th"})
# HTML collapses runs of ASCII whitespace; U+00A0 and U+3000 are deliberate and kept.
_HTML_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")
_BREAK = object()
_CELL = object()

_SUPPORTED_LIST = ", ".join(SUPPORTED_SUFFIXES)


@dataclass(frozen=True)
class ReportText:
    """A report file's text, with where its pages start (PDF only) and which pages were read by OCR."""

    text: str
    pages: tuple[int, ...] = ()
    ocr_pages: tuple[int, ...] = ()


def read_report_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Return the plain text of a report file, newlines normalised to "\\n"."""
    return read_report(path, max_bytes).text


def read_report(path: Path, max_bytes: int = MAX_FILE_BYTES) -> ReportText:
    """Read a report file: its plain text, newlines normalised to "\\n", and its pages."""
    if max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive number of bytes, got {max_bytes}")
    path = Path(path)
    reader = _reader_for(path)
    data = _file_bytes(path, max_bytes)
    read = reader(path, data)
    if isinstance(read, PdfText):
        text = _normalise_newlines(read.text)
        result = ReportText(text, page_starts(text), read.ocr_pages)
    else:
        result = ReportText(_normalise_newlines(read))
    if not result.text.strip():
        raise UnreadableFileError(path, "文件里只有空白，没有文字。请重新导出或重新下载。")
    logger.debug("read %s: %d characters", path, len(result.text))
    return result


def _reader_for(path: Path) -> Callable[[Path, bytes], str | PdfText]:
    if not path.exists():
        raise UnreadableFileError(path, "找不到文件。请检查路径和文件名。")
    if path.is_dir():
        raise UnreadableFileError(path, "这是文件夹，不是文件。请改为指定其中的报告文件。")
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise UnreadableFileError(
            path,
            f"不支持的文件类型 {suffix or '（无扩展名）'}。支持：{_SUPPORTED_LIST}。请先把文件（如 .doc、.xlsx）另存为 .docx 或 PDF。",
        )
    return reader


def _file_bytes(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableFileError(path, f"文件大小 {size:,} 字节，超过上限 {max_bytes:,} 字节（{max_bytes // 2**20} MiB）。请拆分文件后再试。")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(path, f"文件无法读取（{exc.strerror or exc}）。请检查文件权限。") from exc
    if not data:
        raise UnreadableFileError(path, "文件是空的（0 字节）。请重新导出或重新下载。")
    return data


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- plain text ----------------------------------------------------------------------------

# A table row drawn with bars, as text saved from a page or a converter writes it ("| 年度资金总额 | 9,845.62 | … |" or
# "合计 | 12,486.37 | 31,952.08"): two bars or more, one between cells; and a line that only draws the columns ("|---|:--:|").
_BARS = "|｜"
_BAR_RULE = re.compile(r"^(?=[^-\n]*-)[ \t\u3000]*[|｜+][ \t\u3000|｜+:-]*$")


def _read_text(path: Path, data: bytes) -> str:
    return _bar_tables_as_rows(_decode_text_bytes(path, data))


def _bar_tables_as_rows(text: str) -> str:
    """Tables drawn with bars laid out as the other readers lay out a table: a row per line, its cells apart by tabs."""
    lines = []
    for line in text.split("\n"):
        if _BAR_RULE.match(line):
            continue
        inner = line.strip().strip(_BARS)
        drawn = sum(line.count(bar) for bar in _BARS) >= 2 and any(bar in inner for bar in _BARS)
        lines.append("\t".join(cell.strip(" \u3000") for cell in re.split("[|｜]", inner)) if drawn else line)
    return "\n".join(lines)


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
            "文件含有 NUL 字节，是二进制文件（或没有字节顺序标记的 UTF-16），不是文本。请用原程序打开并另存为 UTF-8 文本。",
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
            "无法识别文本编码（不是 UTF-8、GBK/GB18030 或其他已知编码），或文件是二进制的。请另存为 UTF-8 文本。",
        )
    logger.warning("%s is neither UTF-8 nor GB18030; detected %s", path, best.encoding)
    return _checked(path, _strict_decode(path, data, best.encoding), best.encoding)


def _strict_decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFileError(path, f"文本不是有效的 {encoding} 编码（{exc}）。请另存为 UTF-8 文本。") from exc


def _checked(path: Path, text: str, encoding: str) -> str:
    if _junk_share(text) > _MAX_JUNK_SHARE:
        raise UnreadableFileError(
            path,
            f"按 {encoding} 解码后大多是不可打印字符：文件是二进制的或编码未知。请另存为 UTF-8 文本。",
        )
    return text


def _junk_share(text: str) -> float:
    sample = text[:_SAMPLE_CHARS]
    if not sample:
        return 0.0
    junk = sum(1 for ch in sample if ch == "\ufffd" or (ch not in _TEXT_WHITESPACE and unicodedata.category(ch) in _JUNK_CATEGORIES))
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


def _read_pdf(path: Path, data: bytes) -> PdfText:
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
                    "PDF 使用 AES 加密，而未安装 cryptography 包。请安装（pip install cryptography）或另存一份未加密的副本。",
                ) from exc
            if not decrypted:
                raise UnreadableFileError(
                    path,
                    "PDF 设有打开密码。请另存一份无密码的副本再导入。",
                )
        pages = list(reader.pages)
    except UnreadableFileError:
        raise
    except FileNotDecryptedError as exc:
        raise UnreadableFileError(path, "PDF 设有打开密码。请另存一份无密码的副本再导入。") from exc
    except Exception as exc:  # pypdf raises many exception types on malformed input.
        raise UnreadableFileError(
            path,
            f"PDF 已损坏或不是 PDF（{type(exc).__name__}: {exc}）。请重新下载或导出。",
        ) from exc
    if not pages:
        raise UnreadableFileError(path, "PDF 没有页面。请重新下载或导出。")
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
        raise UnreadableFileError(path, "PDF 的每一页都无法读取，文件已损坏。请重新下载或导出。")
    scans = [n for n, (page, text) in enumerate(zip(pages, texts), 1) if looks_scanned(text, _has_images(page))]
    read = pdf_text(data, texts, scans, path.name)
    if not read.text.strip():
        raise UnreadableFileError(path, "PDF 没有文字层，OCR 也没有识别出文字（扫描件可能过于模糊）。请换一份更清晰的文件。")
    return read


def _has_images(page: Any) -> bool:
    try:
        objects = page["/Resources"].get_object().get("/XObject")
        return bool(objects) and any(o.get_object().get("/Subtype") == "/Image" for o in objects.get_object().values())
    except Exception:  # A page whose resources cannot be read is taken as holding none.
        return False


# --- DOCX ----------------------------------------------------------------------------------


def _read_docx(path: Path, data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFileError(
            path,
            "不是有效的 .docx 文件（.docx 是 ZIP 包）。如果是旧版 .doc 或被改了扩展名，请用 Word 或 WPS 打开后另存为 .docx。",
        )
    _check_zip_container(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(_docx_blocks(document))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UnreadableFileError(
            path,
            f".docx 包已损坏或不是 Word 文档（{exc}）。请用 Word 或 WPS 打开后重新另存为 .docx。",
        ) from exc
    except Exception as exc:  # lxml and python-docx raise assorted errors on broken XML.
        raise UnreadableFileError(
            path,
            f".docx 无法解析（{type(exc).__name__}: {exc}）。请用 Word 或 WPS 打开后重新另存为 .docx。",
        ) from exc
    text = "\n\n".join(block for block in blocks if block.strip())
    if not text.strip():
        raise UnreadableFileError(path, ".docx 正文中没有文字。请确认文件是否正确。")
    return text


def _check_zip_container(path: Path, data: bytes) -> None:
    """Refuse a ZIP package that would unpack to far more than it weighs (a zip bomb) before opening it."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise UnreadableFileError(path, f".docx 包已损坏（{exc}）。请用 Word 或 WPS 打开后重新另存为 .docx。") from exc
    unpacked = sum(member.file_size for member in members)
    packed = max(sum(member.compress_size for member in members), 1)
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnreadableFileError(path, f".docx 包内有 {len(members):,} 个文件，超过上限 {MAX_ZIP_MEMBERS:,} 个，不像正常的 Word 文档，已拒绝。")
    if unpacked > MAX_UNZIPPED_BYTES:
        raise UnreadableFileError(path, f".docx 解压后共 {unpacked:,} 字节，超过上限 {MAX_UNZIPPED_BYTES // 2**20} MiB，可能是压缩炸弹，已拒绝。")
    if unpacked / packed > MAX_ZIP_RATIO:
        raise UnreadableFileError(path, f".docx 的压缩比为 {unpacked / packed:,.0f}:1，超过上限 {MAX_ZIP_RATIO}:1，可能是压缩炸弹，已拒绝。")


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
            "网页没有可见文字（只有脚本、样式或标记），可能由 JavaScript 渲染。请改存网页的文字或 PDF。",
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


_READERS: dict[str, Callable[[Path, bytes], str | PdfText]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".html": _read_html,
    ".htm": _read_html,
}
