"""Briefing notes (简报): answers from several questions, each cited statement footnoted.

The [n] markers of each answer count from 1; a note renumbers them globally in order of first
appearance. The same quote cited in two answers (same report, same span) gets one footnote,
referenced again. Only the citations an answer's text actually marks become footnotes.

The DOCX carries real Word footnotes: python-docx has no footnote API, so `to_docx` adds the
`word/footnotes.xml` part itself (w:footnote elements, w:footnoteReference runs). A repeated
source is a NOTEREF field to the first reference, so Word keeps the number right after edits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from index.cleaning import squash_spaces

from .models import Answer, Citation

_MARKER = re.compile(r"\[(\d+)\]")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")
SUFFIXES = (".docx", ".md")
DEFAULT_TITLE = "简报"


@dataclass(frozen=True)
class Footnote:
    """One cited source of a note: the report, where in it (section, PDF page) and the exact quote."""

    n: int
    report: str
    section: str
    year: int | None
    quote: str

    @property
    def text(self) -> str:
        """The footnote as printed: report title, section and the quote."""
        return f"{self.report}，{self.section or '正文'}：“{self.quote}”"


# A paragraph is a list of plain-text pieces and global footnote numbers.
Segment = str | int


@dataclass(frozen=True)
class BriefItem:
    """One answer of the note under its heading (the question and its scope), its paragraphs with markers replaced by footnote numbers."""

    question: str
    paragraphs: tuple[tuple[Segment, ...], ...]
    abstained: bool


def answer_scope(answer: Answer) -> str:
    """The bureaus and years an answer speaks of: how a follow-up was understood, else the reports it cites."""
    if answer.scope:
        return answer.scope.removeprefix("按").removesuffix("报告理解").strip()
    cited = dict.fromkeys((c.bureau or c.report, c.year) for c in answer.citations)
    return "；".join(f"{who} {year}年度" if year else who for who, year in cited)


def scoped_heading(answer: Answer) -> str:
    """A note heading that keeps the scope its question was asked in: "基本支出是多少？（常宁市…局 2022年度）"."""
    question = answer.question or "（无题）"
    scope = answer_scope(answer)
    return f"{question}（{scope}）" if scope and scope not in question else question


class Brief:
    """A briefing note built from answers; numbering is global across all of them.

    Each answer has a heading (its question and scope, editable) and may have its text edited
    before export: an edited text keeps the citations its [n] markers point at.
    """

    def __init__(self, answers: Iterable[Answer] = (), title: str = DEFAULT_TITLE, headings: Iterable[str] | None = None) -> None:
        self.answers: list[Answer] = list(answers)
        self.headings: list[str] = list(headings) if headings is not None else [scoped_heading(a) for a in self.answers]
        if len(self.headings) != len(self.answers):
            raise ValueError("简报的标题数与回答数不一致。(one heading per answer)")
        self.title = title

    def __len__(self) -> int:
        return len(self.answers)

    def add(self, answer: Answer, heading: str | None = None) -> None:
        self.answers.append(answer)
        self.headings.append(heading or scoped_heading(answer))

    def remove(self, index: int) -> None:
        del self.answers[index]
        del self.headings[index]

    def clear(self) -> None:
        self.answers.clear()
        self.headings.clear()

    def set_title(self, title: str) -> None:
        """The note's title as exported; blank falls back to the default."""
        self.title = " ".join((title or "").split()) or DEFAULT_TITLE

    def edit(self, index: int, heading: str | None = None, text: str | None = None) -> list[int]:
        """Change one entry's heading and/or text. Returns the cited [n] whose markers the new
        text no longer has (their sources leave the note's footnotes)."""
        if not 0 <= index < len(self.answers):
            raise IndexError(f"简报中没有第 {index + 1} 条。")
        answer = self.answers[index]
        if heading is not None:
            self.headings[index] = " ".join(heading.split()) or scoped_heading(answer)
        if text is not None:
            text = text.strip()
            if not text:
                raise ValueError("回答的文字不能为空；不需要这一条时请移除它。")
            self.answers[index] = replace(answer, answer=text)
        before = {int(n) for n in _MARKER.findall(answer.answer)}
        after = {int(n) for n in _MARKER.findall(self.answers[index].answer)}
        return sorted(n for n in before - after if any(c.n == n for c in answer.citations))

    def layout(self) -> tuple[list[BriefItem], list[Footnote]]:
        """The answers with global footnote numbers, and the footnotes in number order."""
        numbers: dict[tuple[str, int, int], int] = {}
        footnotes: list[Footnote] = []
        items = []
        for answer, heading in zip(self.answers, self.headings):
            by_n = {c.n: c for c in answer.citations}

            def number(citation: Citation) -> int:
                key = (citation.report_id, citation.start, citation.end)
                if key not in numbers:
                    numbers[key] = len(numbers) + 1
                    footnotes.append(
                        Footnote(
                            numbers[key],
                            citation.report,
                            citation.location,
                            citation.year,
                            display_quote(citation.quote),
                        )
                    )
                return numbers[key]

            paragraphs = []
            for block in re.split(r"\n\s*\n", answer.answer.strip()):
                segments: list[Segment] = []
                cursor = 0
                for found in _MARKER.finditer(block):
                    citation = by_n.get(int(found.group(1)))
                    if citation is None:
                        continue  # a bracketed number in the text, not a marker
                    segments.append(block[cursor : found.start()].rstrip(" "))
                    segments.append(number(citation))
                    cursor = found.end()
                segments.append(block[cursor:])
                paragraphs.append(tuple(s for s in segments if s != ""))
            items.append(BriefItem(heading, tuple(p for p in paragraphs if p), answer.abstained))
        return items, footnotes

    def footnotes(self) -> list[Footnote]:
        """Only the sources the answers actually cite, in number order."""
        return self.layout()[1]

    # -- Markdown --------------------------------------------------------------------------

    def to_markdown(self) -> str:
        """The note as Markdown with footnotes ([^n] references, definitions at the end)."""
        items, footnotes = self.layout()
        lines = [f"# {self.title}", "", f"生成时间：{_now()}；共 {len(items)} 个问题，{len(footnotes)} 条引用。", ""]
        for i, item in enumerate(items, 1):
            lines += [f"## {i}. {_md_escape(item.question or '（无题）')}", ""]
            if item.abstained:
                lines += ["> 报告中没有找到能回答这个问题的内容。", ""]
            for paragraph in item.paragraphs:
                text = "".join(f"[^{s}]" if isinstance(s, int) else _md_escape(s) for s in paragraph)
                lines += [text, ""]
        if footnotes:
            lines += ["---", ""]
            lines += [f"[^{f.n}]: {_md_escape(f.text)}" for f in footnotes]
            lines.append("")
        return "\n".join(lines)

    # -- Word ------------------------------------------------------------------------------

    def to_docx(self, path: Path | str) -> Path:
        """Write the note as a Word document with real footnotes; returns the path."""
        from docx import Document
        from docx.shared import Pt

        items, footnotes = self.layout()
        document = Document()
        _chinese_fonts(document)
        notes = _FootnotesPart.add_to(document)
        document.add_heading(self.title, 0)
        info = document.add_paragraph(f"生成时间：{_now()}；共 {len(items)} 个问题，{len(footnotes)} 条引用。")
        info.runs[0].font.size = Pt(9)
        by_n = {f.n: f for f in footnotes}
        referenced: set[int] = set()
        for i, item in enumerate(items, 1):
            document.add_heading(_xml_safe(f"{i}. {item.question or '（无题）'}"), level=2)
            if item.abstained:
                document.add_paragraph("报告中没有找到能回答这个问题的内容。").runs[0].italic = True
            for segments in item.paragraphs:
                paragraph = document.add_paragraph()
                for segment in segments:
                    if isinstance(segment, str):
                        paragraph.add_run(_xml_safe(segment))
                    elif segment in referenced:
                        notes.repeat_reference(paragraph, segment)
                    else:
                        notes.reference(paragraph, segment, by_n[segment].text)
                        referenced.add(segment)
        path = Path(path)
        document.save(path)
        return path


def write_brief(answers: list[Answer], out: Path) -> Path:
    """Write a note of these answers to `out`, as DOCX or Markdown by its suffix."""
    out = Path(out)
    suffix = out.suffix.lower()
    brief = Brief(answers)
    if suffix == ".docx":
        return brief.to_docx(out)
    if suffix in (".md", ".markdown"):
        out.write_text(brief.to_markdown(), encoding="utf-8")
        return out
    raise ValueError(f"简报只能导出为 {' 或 '.join(SUFFIXES)}，不支持“{out.suffix or '（无后缀）'}”。(choose a .docx or .md file name)")


def display_quote(quote: str) -> str:
    """The quote as read and printed: without the spaces and line breaks PDF extraction put in it."""
    return squash_spaces(quote).strip()


def _xml_safe(text: str) -> str:
    """Text without the control characters XML cannot hold (PDF extraction leaves form feeds)."""
    return _XML_INVALID.sub("", text)


def _md_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M")


def _chinese_fonts(document) -> None:
    """Body text in 宋体 for Chinese characters; Word otherwise picks a Japanese font from the template."""
    from docx.oxml.ns import qn

    for name in ("Normal", "Title", "Heading 2"):
        style = document.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "宋体")


class _FootnotesPart:
    """The word/footnotes.xml part of one document, and the runs that reference it."""

    # Word requires these two in every footnotes part, and lists them in settings.xml.
    _SKELETON = (
        '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "<w:r><w:separator/></w:r></w:p></w:footnote>"
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
        "</w:footnotes>"
    )
    # CT_Settings children that must follow w:footnotePr, in schema order.
    _SETTINGS_AFTER = (
        "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
        "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
        "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults",
        "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
    )  # fmt: skip

    def __init__(self, element) -> None:
        self.element = element

    @classmethod
    def add_to(cls, document) -> _FootnotesPart:
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart
        from docx.oxml import parse_xml

        element = parse_xml(cls._SKELETON)
        part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, element, document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)
        settings = document.settings.element
        footnote_pr = parse_xml(
            '<w:footnotePr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
        )
        settings.insert_element_before(footnote_pr, *cls._SETTINGS_AFTER)
        return cls(element)

    def reference(self, paragraph, n: int, text: str) -> None:
        """Add footnote `n` with `text`, and its reference mark (bookmarked for repeats) to `paragraph`."""
        from docx.oxml import parse_xml

        w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        self.element.append(
            parse_xml(
                f'<w:footnote {w} w:id="{n}"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
                '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
                f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve"> {_xml_escape(text)}</w:t></w:r>'
                "</w:p></w:footnote>"
            )
        )
        p = paragraph._p
        p.append(parse_xml(f'<w:bookmarkStart {w} w:id="{n}" w:name="{_bookmark(n)}"/>'))
        p.append(parse_xml(f'<w:r {w}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="{n}"/></w:r>'))
        p.append(parse_xml(f'<w:bookmarkEnd {w} w:id="{n}"/>'))

    def repeat_reference(self, paragraph, n: int) -> None:
        """A second mark for footnote `n`: a NOTEREF field showing the same number."""
        from docx.oxml import parse_xml

        w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        paragraph._p.append(
            parse_xml(
                f'<w:fldSimple {w} w:instr=" NOTEREF {_bookmark(n)} \\f \\h ">'
                f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>{n}</w:t></w:r></w:fldSimple>'
            )
        )


def _bookmark(n: int) -> str:
    return f"_RefFootnote{n}"


def _xml_escape(text: str) -> str:
    return _xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
