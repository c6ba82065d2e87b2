"""Read a report's metadata from its text as published: title, bureau, region, years, kind, aliases.

Published pages open with site furniture (navigation, breadcrumbs, 发布机构/来源/发布时间 lines),
split their titles, name the unit only in a table cell (单位名称, 主管部门, 实施单位) or in the
signature, or have no title at all. Each field is read from the most reliable place that holds
it, and the fields that had to be guessed or could not be read are listed in `needs_review`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .gazetteer import Division, leading_division
from .models import ReportMeta

_CJK = r"\u4e00-\u9fff"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|(?<!\s)\s+(?=[{_CJK}])")
# A line set with a space after every character (PDF character spacing): "2 0 2 3 年 度 部 门".
_LETTER_SPACED = re.compile(r"\S(?: \S){3,}")
_TITLE_WORDS = re.compile(r"绩效|自评|评价")
# How a title ends, maybe with a note in brackets after it: …自评报告（2023年度）, …自评表（公开版）.
_TITLE_ENDS = re.compile(r"(?:报告|说明|自评表|评价表|评分表|自评|评价|(?:自评|评价)(?:情况|结果))[）)]?(?:[（(][^（）()]{1,12}[）)])?$")
# A line this short that names no document (报告, 说明, 表) is a menu item of the site: 绩效评价, 预算绩效.
_MENU_LABEL_CHARS = 6
_NAMES_A_DOCUMENT = re.compile(r"报告|说明|表")
_TITLE_QUOTES = '《》〈〉「」『』“”"'
# A page that publishes a report may add this to its title (…2023年项目绩效自评表公开).
_PUBLICATION_SUFFIX = re.compile(r"(?:的)?(?:公开|公示|公告)$")
_SENTENCE_MARKS = re.compile(r"[。；;，,：:！？]")
_SECTION_NUMBER = re.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．](?!\d)|第[一二三四五六七八九十]+部分")
# Lines of site furniture: navigation, breadcrumbs, publisher and date lines, page tools.
# Site names and footers (…人民政府门户网站, 主办单位, ICP备案) are furniture too.
_FURNITURE = re.compile(
    r"首页|当前位置|您的位置|所在位置|[>›»]|发布(?:机构|单位|时间|日期)|信息来源|来源[:：]|索引号|文号|时效性|有效性|"
    r"主题分类|体裁分类|成文日期|创建时间|更新时间|浏览|阅读次数|点击|字号|字体|打印|关闭|分享|责任编辑|附件[:：]|"
    r"\[图|图片|img|\.jpg|\.png|javascript|网站$|门户$|网站标识码|ICP备|公网安备|主办单位|承办单位|主办[:：]|承办[:：]|"
    r"版权所有|技术支持|网站地图|联系我们|扫一扫|二维码",
    re.IGNORECASE,
)
_REPORT_PHRASE = re.compile(r"(?:关于)?(?:部门|单位)?(?:整体支出|项目支出)?(?:预算)?(?:财政资金)?绩效")
_YEAR = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年度?")
# The words an organisation's name ends with: bureaus and commissions, 事业单位 (中心, 院, 站, 所,
# schools), towns and streets (镇, 乡, 街道, 办事处), party and mass organisations (部, 会, 团).
_ORG_SUFFIX = (
    r"(?:人民政府|委员会|联合会|办公室|办事处|管理局|局|委|厅|中心|院|馆|站|队|所|办|政府|部|处|"
    r"学|校|园|会|社|团|台|场|街道|镇|乡)"
)
_ORG = re.compile(rf"[{_CJK}（）()]{{2,30}}?{_ORG_SUFFIX}")
# After an organisation's name a sentence goes on with a verb or a particle ("九江市生态环境局是…",
# "受…财政局委托"); a name that runs on (湘潭县白石镇|人民政府, 中共永兴县委|组织部) is not finished.
_NAME_ENDS = re.compile(
    rf"$|[^{_CJK}]|是|为|在|对|于|关于|的|将|按|根据|依据|受|委托|负责|承担|实施|开展|严格|认真|高度|坚持|围绕|紧紧|"
    r"积极|全面|深入|内设|下设|下辖|辖|现有|共有|共|有|位于|成立|始建|作为|以|和|与|及|同|全年|本年|年度|今年|主要|属|系|隶属|"
    r"切实|加强|组织(?:开展|召开|实施)|召开|制定|完成|编制|推进|落实|结合|通过|立足|聚焦|始终|不断|进一步|扎实|及时|统筹|"
    r"牢固|全力|大力|着力|持续|共同"
)
_ORG_TAIL = re.compile(rf"[{_CJK}]{{0,12}}?{_ORG_SUFFIX}")
# A seal mark beside a unit's name or label: （盖章）, （公章）, (单位章).
_SEAL = re.compile(r"[（(][^（）()]{0,4}章[）)]")
# A unit's budget code before its name: "215-", "215001 ", "[235]".
_CODE_PREFIX = re.compile(r"^(?:[\[【（(]\s*[\dA-Za-z]+\s*[\]】）)]|[\dA-Za-z]+\s*[-—－_.、]?)\s*")
# Labelled fields that name the reporting unit, most specific first: a table cell or a cover-page
# line ("单位名称：…", "主管部门\t…"), then the page's publisher. The unit that carried a project
# out evaluates it, so 实施单位 and 项目单位 come before the 主管部门 above them. A unit label may
# carry a qualifier before it (预算部门、单位名称, 项目主管部门) and a seal mark after it (填报单位（盖章）).
_UNIT_LABELS = (
    "部门（单位）名称",
    "部门(单位)名称",
    "单位名称",
    "部门名称",
    "预算单位",
    "填报单位",
    "报送单位",
    "编制单位",
    "编报单位",
    "报告单位",
    "实施单位",
    "项目单位",
    "主管部门",
)
_PUBLISHER_LABELS = ("发布机构", "发布单位", "信息来源", "来源")
_LABEL_QUALIFIER = 6  # at most this many characters before a unit label
# Table cells: tabs, "|" columns, runs of spaces; and a single space before another "标签：" field.
_CELL_BREAK = re.compile(r"\t|\s*\|\s*|[ \u3000]{2,}|\u3000|\s+(?=[^\s：:]{3,12}[：:])")
_BREADCRUMB = re.compile(r"首页|当前位置|您的位置|所在位置")
_BULLET = re.compile(r"^[-•·*●◆■]\s*")
# What a label may add about the code beside the name: 主管部门及代码, 单位名称（编码）.
_LABEL_CODE = re.compile(r"(?:及|和)?(?:代码|编码)$|[（(](?:代码|编码)[）)]$")
# "[ 发布机构 ] …" and "【来源】…" are labels too.
_BRACKET_LABEL = re.compile(rf"[\[【]\s*([{_CJK}]{{2,10}})\s*[\]】]\s*")
_DATE = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月\s*([\d一二三四五六七八九十]{1,3})\s*日")
# Where a page says when it was published, then any other dated field (填报日期, 报告日期, 成文日期).
_PUBLISHED_LABEL = re.compile(r"发布(?:时间|日期)")
_DATED_LABEL = re.compile(r"日期\s*[:：\t]|时间\s*[:：]")
_YEAR_MONTH = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*\d{1,2}(?!\d)")
# A cover page's date alone on its line: "二〇二四年五月", "2024年4月8日".
_DATE_LINE = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月(?:[\d一二三四五六七八九十]{1,3}日)?")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_HEAD_LINES = 40

# The kinds of report this project knows, and the wording that gives each away: a title is read in
# this order, running text by the kind it mentions first.
KINDS = (
    "第三方绩效评价报告",
    "项目支出绩效自评表",
    "部门整体支出绩效自评表",
    "绩效情况说明",
    "专项资金绩效自评报告",
    "项目支出绩效自评报告",
    "部门整体支出绩效自评报告",
)
# The kinds that evaluate one project or fund, not the department as a whole.
PROJECT_KINDS = frozenset({"项目支出绩效自评表", "专项资金绩效自评报告", "项目支出绩效自评报告"})
# A report an outside body wrote on commission: who commissioned it and who evaluated.
_COMMISSIONED = re.compile(r"(?:受|根据|按照|接受)[^。；\n]{2,30}?委托|委托(?:单位|方)\s*[:：\t]|评价机构\s*[:：\t]")
# An outside body that signs a report: an accounting firm or a consultancy.
_FIRM = re.compile(r"事务所|(?:咨询|评估|管理|评价)(?:服务)?(?:有限|股份)(?:责任)?公司|特殊普通合伙")
# Labels under which a cover names who evaluated or wrote a report.
_EVALUATOR_LABELS = ("评价机构", "评价单位", "编制单位", "编报单位", "报告单位")
_KIND_SIGNS = (
    ("第三方绩效评价报告", re.compile(r"第三方")),
    ("项目支出绩效自评表", re.compile(r"项目(?:支出)?绩效(?:自评|评价)表")),
    ("部门整体支出绩效自评表", re.compile(r"(?:整体支出|部门)绩效(?:自评|评价)表")),
    ("绩效情况说明", re.compile(r"情况的?说明")),
    # Transfer payments (补助资金, 衔接资金, 转移支付) are evaluated as special funds.
    ("专项资金绩效自评报告", re.compile(r"专项资金|专项经费|补助资金|衔接资金|奖补资金|转移支付|债券资金")),
    ("项目支出绩效自评报告", re.compile(r"项目支出|项目绩效")),
    ("部门整体支出绩效自评报告", re.compile(r"整体支出|部门整体")),
)
# How a report names the evaluation it reports, anywhere in its text.
_EVALUATIONS = (
    ("部门整体支出绩效自评报告", re.compile(r"整体支出绩效|部门整体绩效")),
    ("项目支出绩效自评报告", re.compile(r"项目(?:支出)?绩效(?:自评|评价)")),
    ("专项资金绩效自评报告", re.compile(r"专项资金绩效(?:自评|评价)")),
)
# The fields a reader may have to guess, with the names users see.
REVIEW_FIELDS = {"bureau": "单位", "region": "地区", "year": "年度", "kind": "类型", "instructions": "含疑似植入的指令（不作证据）"}
_TABLE_HEADERS = re.compile(r"年度指标值|实际完成值|三级指标")

# Short forms that users type for common bureau names (工信局 for 工业和信息化局 and so on).
_ORG_ABBREVIATIONS = {
    "科技和工业信息化局": "科工信局",
    "工业和信息化局": "工信局",
    "工业和科技局": "工科局",
    "工业信息化局": "工信局",
    "发展和改革局": "发改局",
    "发展和改革委员会": "发改委",
    "住房和城乡建设局": "住建局",
    "人力资源和社会保障局": "人社局",
    "市场监督管理局": "市监局",
    "自然资源和规划局": "自然资源局",
    "文化旅游广电体育局": "文旅广体局",
}


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None

    @classmethod
    def of(cls, division: Division | None) -> Region:
        """The region a gazetteer division lies in, with the levels above it filled in."""
        if division is None:
            return cls()
        city = division.city if division.city != division.province else None
        if division.level == "province":
            return cls(division.province)
        if division.level == "city":
            return cls(division.province, city)
        return cls(division.province, city, division.name)


@dataclass(frozen=True)
class Found:
    """A field's value and whether it was read where it is stated or guessed from weaker evidence."""

    value: object
    sure: bool


def compact(text: str) -> str:
    """Drop the spaces that PDF extraction puts around Chinese characters, and inside letter-spaced lines."""
    if _LETTER_SPACED.fullmatch(text.strip()):
        return re.sub(r"\s+", "", text)
    return _SPACE_NEAR_CJK.sub("", text).strip()


def content_hash(text: str) -> str:
    """The hash that identifies a report's content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _head(text: str) -> list[str | None]:
    """The opening non-blank lines, compacted; None where a line is site furniture."""
    lines = (compact(line) for line in text[:6000].splitlines())
    return [None if _FURNITURE.search(line) else line for line in lines if line][: _HEAD_LINES * 2]


def head_lines(text: str) -> list[str]:
    """The opening lines, compacted, with site furniture left out."""
    return [line for line in _head(text) if line is not None][:_HEAD_LINES]


def find_title(text: str) -> str:
    """The report's title: the first short line naming a performance report, joined with its wrapped part; "" if none.

    A title wraps onto the next line only, never across furniture; a cover page's unit line right
    above a title that names no unit belongs to it (宁乡市水利局 / 2023年度部门整体支出 / 绩效自评报告).
    """
    lines = _head(text)
    for i, line in enumerate(lines):
        if line is None:
            continue
        following = lines[i + 1] if i + 1 < len(lines) else None
        if "|" in line:  # a site's head or menu ("某某局 | 政务公开 | 预算绩效"): a title may stand in one cell only
            title = next((cell for cell in line.split("|") if _is_title(cell)), "")
            if not title:
                continue
        elif _is_title(line):
            title = line
        elif following and "|" not in following and _is_title(line + following) and _opens_title(line):
            title = line + following
        else:
            continue
        return _with_unit_above(_PUBLICATION_SUFFIX.sub("", title.strip(_TITLE_QUOTES)), lines[i - 1] if i else None)
    return ""


def _is_title(line: str) -> bool:
    """A short line naming a performance report, not a sentence nor a numbered section heading (三、预算绩效情况说明)."""
    line = _PUBLICATION_SUFFIX.sub("", line.strip(_TITLE_QUOTES))
    if len(line) > 70 or _SENTENCE_MARKS.search(line) or _SECTION_NUMBER.match(line):
        return False
    if len(line) <= _MENU_LABEL_CHARS and not _NAMES_A_DOCUMENT.search(line):
        return False  # a site's menu item (绩效评价, 绩效自评), not a report's title
    return bool(_TITLE_WORDS.search(line) and _TITLE_ENDS.search(line))


def _opens_title(line: str) -> bool:
    """A title's first line, wrapped: it names a year or a place, not a section of the site."""
    return len(line) <= 45 and not _SENTENCE_MARKS.search(line) and bool(_YEAR.search(line) or leading_division(re.sub(r"^关于", "", line))[0])


def _with_unit_above(title: str, above: str | None) -> str:
    """The title with the cover's unit line above it, when the title names no unit itself."""
    if not above or _unit_name(_title_prefix(title)) or _YEAR.search(above):
        return title
    return above + title if _unit_name(above) == above and leading_division(above)[0] else title


def find_bureau(title: str, text: str) -> Found:
    """The full name of the reporting unit: a unit field, the title, the signature, the publisher, the
    department a breadcrumb names, or the opening sentence (the last three are guesses)."""
    sources = (  # read one after another, and only as far as needed
        (lambda: _labelled(text, _UNIT_LABELS, _LABEL_QUALIFIER), True),
        (lambda: _title_prefix(title), True),
        (lambda: _signature(text), True),
        (lambda: _labelled(text, _PUBLISHER_LABELS), False),
        (lambda: _breadcrumb(text), False),
        (lambda: _opening_sentence(text, title), False),
    )
    fallback = None
    for i, (read, sure) in enumerate(sources):
        name = _unit_name(read())
        if name and leading_division(name)[0]:
            return Found(_fullest(name, (_unit_name(other()) for other, _ in sources[i + 1 :])), sure)
        fallback = fallback or name
    return Found(fallback or "", False)


def _fullest(name: str, others: Iterable[str]) -> str:
    """The name as another source writes it with the places above it (雁塔区城管局 → 西安市雁塔区城管局)."""
    for other in others:
        extra = len(other) - len(name)
        if extra > 0 and other.endswith(name) and leading_division(other)[1] >= extra:
            return other
    return name


def _labelled(text: str, labels: tuple[str, ...], qualifier: int = 0) -> str:
    """The unit named by the first of these labels that the page fills in; "" if none is."""
    fields = _fields(text)
    for label in labels:
        units = [unit for name, value in fields if (unit := _unit_of_field(name, value, label, qualifier))]
        if len(set(units)) == 1:
            return units[0]
        # Several units under one label: a page of several projects' tables, each with its own 主管部门.
    return ""


def _unit_of_field(name: str, value: str, label: str, qualifier: int) -> str:
    """The unit a field names under this label, or "" when it is another field or names none."""
    if _is_label(name, label, qualifier) and (unit := _unit_name(_CODE_PREFIX.sub("", value))):
        return unit
    return _unit_after(name[len(label) :]) if name.startswith(label) else ""


def _unit_after(rest: str) -> str:
    """A unit written right after its label in one cell ("主管部门 215-某某县水利局"): only a name that opens with its place."""
    unit = _unit_name(_CODE_PREFIX.sub("", rest))
    return unit if unit and leading_division(unit)[0] else ""


def _fields(text: str) -> list[tuple[str, str]]:
    """Every (label, value) pair the opening of a page may hold, in reading order.

    A field is written "标签：值" (several may share a line), as neighbouring cells of a table row
    (tabs or "|"), or as a label alone on its line with the value on the next (one cell per line).
    Pairs are offered liberally; only those whose label is known are read.
    """
    rows = [cells for line in text[:8000].splitlines() if (cells := _cells(line))]
    pairs = []
    for i, cells in enumerate(rows):
        next_line = rows[i + 1][0] if len(cells) == 1 and i + 1 < len(rows) else None
        for j, cell in enumerate(cells):
            label, colon, value = re.split(r"([：:])", cell, maxsplit=1) if re.search(r"[：:]", cell) else (cell, "", "")
            if colon:
                pairs.append((label, value))
            elif (value := cells[j + 1] if j + 1 < len(cells) else next_line) is not None:
                pairs.append((label, value))
    return pairs


def _cells(line: str) -> list[str]:
    """A line's cells, each compacted, with bullets and bracketed labels ("[ 发布机构 ]") made plain."""
    line = _BRACKET_LABEL.sub(r"\1：", _BULLET.sub("", line.strip()))
    return [cell for part in _CELL_BREAK.split(line) if (cell := compact(part))]


def _is_label(name: str, label: str, qualifier: int) -> bool:
    """Whether a cell is this label, maybe with a qualifier before it or a seal mark after it."""
    name = _LABEL_CODE.sub("", _SEAL.sub("", name).strip())
    return name == label or (name.endswith(label) and len(name) - len(label) <= qualifier)


def _title_prefix(title: str) -> str:
    """The part of the title before its year or report phrase (长沙市望城区工业和信息化局)."""
    title = re.sub(r"^关于", "", title)
    title = _YEAR.sub("", title, count=1) if _YEAR.match(title) else title
    title = _YEAR.split(title)[0] if _YEAR.search(title[2:]) else title
    found = _REPORT_PHRASE.search(title)
    return title[: found.start()] if found else title


def _signature(text: str) -> str:
    """The unit that signs the report: a name alone on one of its last lines, beside its date or seal mark.

    Page footers and attachment lines after the signature are passed over.
    """
    for line in reversed(_closing_lines(text)):
        name = _SEAL.sub("", _DATE.sub("", line)).strip()
        if _ORG.fullmatch(name):
            return name
    return ""


def _closing_lines(text: str) -> list[str]:
    """The last lines of the report, compacted, after page footers are left out."""
    lines = [compact(line) for line in text.strip().splitlines()[-16:] if line.strip()]
    return [line for line in lines if not _FURNITURE.search(line)][-6:]


def _breadcrumb(text: str) -> str:
    """The unit whose section of the site holds the page: "首页 > 部门信息公开 > 桃江县统计局 > 财政预决算"."""
    for line in text[:3000].splitlines():
        if not _BREADCRUMB.search(line):
            continue
        for step in reversed(re.split(r"\s*(?:[>›»/]|&gt;)+\s*", compact(line))):
            if (unit := _unit_name(step)) == step and leading_division(unit)[0]:
                return unit
    return ""


def _opening_sentence(text: str, title: str) -> str:
    """A unit named in the first sentences of the body ("2023年，红河州数据发展中心实施项目…").

    Labelled lines ("委托单位：…", an addressee "县财政局：") are not sentences and are left out.
    """
    lines = [line for line in head_lines(text) if not re.match(r"^[^，。；：:]{1,16}[：:]", line)]
    body = "".join(lines).replace(title, "", 1)[:400]
    for found in _ORG.finditer(body):
        start = found.start()
        while start < found.end() and not leading_division(body[start : found.end()])[0]:
            start += 1
        end = _name_end(body, start, found.end())
        name = body[start:end]
        if leading_division(name)[0] and not re.match(r"[（(]?制", body[end:]):
            return name
    return ""


def _name_end(body: str, start: int, end: int) -> int:
    """Where a name found in running text really ends: past the organisation it opens (湘潭县白石镇 → …人民政府)."""
    reach = end
    while not _NAME_ENDS.match(body, reach) and reach - start < 30:
        more = _ORG_TAIL.match(body, reach)
        if not more:
            return end
        reach = more.end()
    return reach if _NAME_ENDS.match(body, reach) else end


def _unit_name(candidate: str) -> str:
    """The organisation a candidate string opens with, or "" when it names none."""
    candidate = compact(candidate)
    candidate = _YEAR.split(candidate)[0] if _YEAR.search(candidate[2:]) else candidate
    found = re.match(rf"[{_CJK}（）()]{{2,30}}{_ORG_SUFFIX}", candidate)
    if not found or "绩效" in found.group(0) or _FIRM.search(candidate):
        return ""  # a firm that evaluated or wrote a report is not the unit reporting
    return found.group(0)


def find_year(title: str, text: str) -> Found:
    """The fiscal year evaluated: the year the title names, else the first 'N年度' of the body."""
    if found := _YEAR.search(title):
        return Found(_number(found.group(1)), True)
    lines = head_lines(text)
    body = "\n".join(lines)
    if found := re.search(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年度", body) or re.search(r"^((?:19|20)\d{2})\s*年[，,]", body, re.M):
        # A year on the lines right under the title ("（2023年度）") belongs to it.
        return Found(_number(found.group(1)), found.start() < len("\n".join(lines[:3])))
    return Found(None, False)


def find_published_year(text: str, signed: str | None) -> int | None:
    """The year the report was published: its page's 发布时间, else the date it was signed, else its cover's date."""
    lines = text[:3000].splitlines()
    for label in (_PUBLISHED_LABEL, _DATED_LABEL):
        for line in lines:
            if (at := label.search(line)) and (found := _YEAR_MONTH.search(line, at.start())):
                return int(found.group(1))
    if signed:
        return int(signed[:4])
    return _cover_year(text)


def _cover_year(text: str) -> int | None:
    """The year of a date standing alone on one of the opening lines (a cover's "二〇二四年五月")."""
    for line in head_lines(text)[:15]:
        if found := _DATE_LINE.fullmatch(line):
            return _number(found.group(1))
    return None


def find_signed_date(text: str) -> str | None:
    """The ISO date on the report's closing lines, if it is signed; page footers after it are passed over."""
    tail = "\n".join(_closing_lines(text))[-120:]
    dates = list(_DATE.finditer(tail))
    if not dates:
        return None
    year, month, day = (_number(part) for part in dates[-1].groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if all(c in _CN_DIGITS for c in token) and len(token) == 4:
        return int("".join(str(_CN_DIGITS[c]) for c in token))
    tens, _, ones = token.partition("十")
    if "十" not in token:
        return _CN_DIGITS.get(token, 0)
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def find_kind(title: str, text: str = "") -> Found:
    """The kind of report, from the title's wording, else from the opening and the tables it holds.

    An evaluation report that does not call itself a self-evaluation and whose opening says who
    commissioned it or who evaluated (受…委托, 委托单位, 评价机构) is a third party's report.
    """
    if "自评" not in title and _by_outside_body(text):
        return Found("第三方绩效评价报告", "评价" in title)
    if kind := _kind_named(title, earliest=False):
        return Found(_as_table(kind, text, title), True)
    if kind := _kind_named("".join(head_lines(text))[:600], earliest=True):
        if kind in PROJECT_KINDS and (evaluated := _evaluation_named(text)):
            kind = evaluated  # "追加上级专项转移支付资金" in an untitled department report, which names 部门整体支出绩效 later
        return Found(_as_table(kind, text, title), False)
    return Found(_as_table("部门整体支出绩效自评报告", text, title), False)


def _by_outside_body(text: str) -> bool:
    """Whether the report says it was commissioned, or a firm evaluated, wrote or signed it."""
    if _COMMISSIONED.search(text[:3000]):
        return True
    if any(_FIRM.search(line) and len(line) <= 40 and not _SENTENCE_MARKS.search(line) for line in _closing_lines(text)):
        return True  # signed by a firm
    return any(_FIRM.search(value) for name, value in _fields(text[:3000]) if any(_is_label(name, label, 0) for label in _EVALUATOR_LABELS))


def _evaluation_named(text: str) -> str:
    """The kind of evaluation the text names first by its name ("部门整体支出绩效自评得分", "项目支出绩效评价指标体系")."""
    named = [(found.start(), kind) for kind, pattern in _EVALUATIONS if (found := pattern.search(text))]
    return min(named)[1] if named else ""


def _kind_named(words: str, earliest: bool) -> str:
    """The kind these words name: in the taxonomy's order for a title, the first one mentioned for running text."""
    named = [(found.start() if earliest else 0, order, kind) for order, (kind, sign) in enumerate(_KIND_SIGNS) if (found := sign.search(words))]
    return min(named)[2] if named else ""


def _as_table(kind: str, text: str, title: str) -> str:
    """A self-evaluation table rather than a report, when the title or the page says it is one."""
    is_table = "表" in title[-4:] or (not title and len(_TABLE_HEADERS.findall(text[:3000])) >= 2)
    if not is_table or kind in ("第三方绩效评价报告", "绩效情况说明"):
        return kind
    return "项目支出绩效自评表" if kind.startswith(("项目", "专项")) else "部门整体支出绩效自评表"


def aliases(bureau: str) -> tuple[str, ...]:
    """The names a user may type for this bureau: 望城, 望城区, 望城区工信局, full name…"""
    if not bureau:
        return ()
    division, end = leading_division(bureau)
    written = bureau[:end]
    local = _last_place(written, division)
    org = bureau[end:]
    places = set(division.names) if division else set()
    town = _TOWN.match(org)
    if town:  # a town or street government: the town is the most specific place (建瓯市东游镇人民政府 → 东游镇, 东游)
        local, org, written, places = town.group(1), org[town.end() :], written + town.group(1), set()
    org_forms = {org, _ORG_ABBREVIATIONS.get(org, org)} - {""}
    local_forms = {local, _short(local), *places} - {""}
    names = {bureau, *local_forms, *(division.names if division else ())}
    names |= {place + form for place in local_forms for form in org_forms}
    names |= {written + form for form in org_forms}
    return tuple(sorted((n for n in names if len(n) >= 2), key=lambda n: (-len(n), n)))


def _last_place(written: str, division: Division | None) -> str:
    """The most specific place as the name writes it (湖南省株洲市荷塘区 → 荷塘区)."""
    if division is None:
        return ""
    for name in sorted(division.names, key=len, reverse=True):
        if written.endswith(name):
            return name
    return written


_TOWN = re.compile(r"([\u4e00-\u9fff]{1,5}?(?:镇|乡|街道|苏木))(?=人民政府|政府|办事处|党委|$)")


def _short(place: str) -> str:
    for suffix in ("自治区", "自治州", "地区", "街道", "省", "市", "区", "县", "州", "盟", "旗", "镇", "乡"):
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            return place[: -len(suffix)]
    return place


def display_title(title: str, bureau: str, year: int | None, kind: str, source: str) -> str:
    """What a report is called where it has no title line: what is known of it, else its file name."""
    if title:
        return title
    if bureau:
        return f"{bureau}{f'{year}年度' if year else ''}{kind}"
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def read_metadata(text: str, source: str) -> ReportMeta:
    """All the metadata this project keeps about a report, read from its text."""
    title = find_title(text)
    bureau, year, kind = find_bureau(title, text), find_year(title, text), find_kind(title, text)
    region = Region.of(leading_division(bureau.value)[0]) if bureau.value else Region()
    signed = find_signed_date(text)
    review = [name for name, found in (("bureau", bureau), ("year", year), ("kind", kind)) if not found.sure or not found.value]
    if bureau.value and region == Region():
        review.append("region")
    digest = content_hash(text)
    return ReportMeta(
        id=digest[:16],
        title=display_title(title, bureau.value, year.value, kind.value, source),
        bureau=bureau.value,
        province=region.province,
        city=region.city,
        county=region.county,
        year=year.value,
        signed=signed,
        kind=kind.value,
        aliases=aliases(bureau.value),
        source=source,
        content_hash=digest,
        published=find_published_year(text, signed),
        needs_review=tuple(review),
    )


def corrected(meta: ReportMeta, bureau: str | None = None, year: int | None = None, kind: str | None = None) -> ReportMeta:
    """The metadata with a user's corrections applied; region, aliases and a made-up title follow them."""
    changes: dict = {}
    if bureau is not None:
        region = Region.of(leading_division(bureau)[0])
        changes |= dict(bureau=bureau, province=region.province, city=region.city, county=region.county, aliases=aliases(bureau))
    if year is not None:
        changes["year"] = year
    if kind is not None:
        changes["kind"] = kind
    if not changes:
        return meta
    fixed = replace(meta, **changes)
    if meta.title == display_title("", meta.bureau, meta.year, meta.kind, meta.source):
        fixed = replace(fixed, title=display_title("", fixed.bureau, fixed.year, fixed.kind, fixed.source))
    settled = set(changes) | ({"region"} if bureau and fixed.region else set())
    return replace(fixed, needs_review=tuple(f for f in meta.needs_review if f not in settled))
