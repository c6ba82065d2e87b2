"""Read a report's metadata from its text as published: title, bureau, region, years, kind, aliases.

Published pages open with site furniture (navigation, breadcrumbs, 发布机构/来源/发布时间 lines),
split their titles, name the unit only in a table cell (单位名称, 主管部门, 实施单位) or in the
signature, or have no title at all. Each field is read from the most reliable place that holds
it, and the fields that had to be guessed or could not be read are listed in `needs_review`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from .gazetteer import Division, leading_division
from .models import ReportMeta

_CJK = r"\u4e00-\u9fff"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|(?<!\s)\s+(?=[{_CJK}])")
_TITLE_WORDS = re.compile(r"绩效|自评|评价")
_TITLE_ENDS = re.compile(r"(?:报告|说明|自评表|评价表|评分表|自评|评价)[）)]?$")
_SENTENCE_MARKS = re.compile(r"[。；;，,：:！？]")
# Lines of site furniture: navigation, breadcrumbs, publisher and date lines, page tools.
_FURNITURE = re.compile(
    r"首页|当前位置|您的位置|[>›»]|发布(?:机构|单位|时间|日期)|信息来源|来源[:：]|索引号|文号|时效性|主题分类|"
    r"浏览|阅读次数|点击|字号|打印|关闭|分享|责任编辑|附件[:：]|\[图|图片|img|\.jpg|\.png|javascript",
    re.IGNORECASE,
)
_REPORT_PHRASE = re.compile(r"(?:关于)?(?:部门|单位)?(?:整体支出|项目支出)?(?:预算)?(?:财政资金)?绩效")
_YEAR = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年度?")
_ORG_SUFFIX = r"(?:人民政府|委员会|联合会|办公室|管理局|局|委|厅|中心|院|馆|站|队|所|办|政府)"
_ORG = re.compile(rf"[{_CJK}（）()]{{2,30}}?{_ORG_SUFFIX}")
_CODE_PREFIX = re.compile(r"^[\dA-Za-z]+\s*[-—－_.、]?\s*")
# Labelled fields that name the reporting unit, most specific first: a table cell or a cover-page
# line ("单位名称：…", "主管部门\t…"), then the page's publisher.
_UNIT_LABELS = ("部门（单位）名称", "部门(单位)名称", "单位名称", "部门名称", "预算单位", "填报单位", "报送单位", "主管部门", "实施单位", "项目单位")
_PUBLISHER_LABELS = ("发布机构", "发布单位", "信息来源", "来源")
_DATE = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月\s*([\d一二三四五六七八九十]{1,3})\s*日")
_ISO_DATE = re.compile(r"((?:19|20)\d{2})[-/.年]\s*(\d{1,2})[-/.月]\s*(\d{1,2})")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_HEAD_LINES = 40

# The kinds of report this project knows, and the wording that gives each away, checked in order.
KINDS = (
    "第三方绩效评价报告",
    "项目支出绩效自评表",
    "部门整体支出绩效自评表",
    "绩效情况说明",
    "专项资金绩效自评报告",
    "项目支出绩效自评报告",
    "部门整体支出绩效自评报告",
)
_KIND_SIGNS = (
    ("第三方绩效评价报告", re.compile(r"第三方|受.{2,30}?委托")),
    ("项目支出绩效自评表", re.compile(r"项目(?:支出)?绩效(?:自评|评价)表")),
    ("部门整体支出绩效自评表", re.compile(r"(?:整体支出|部门)绩效(?:自评|评价)表")),
    ("绩效情况说明", re.compile(r"情况的?说明")),
    ("专项资金绩效自评报告", re.compile(r"专项资金|专项经费")),
    ("项目支出绩效自评报告", re.compile(r"项目支出|项目绩效")),
    ("部门整体支出绩效自评报告", re.compile(r"整体支出|部门整体")),
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
    """Drop the spaces that PDF extraction puts around Chinese characters."""
    return _SPACE_NEAR_CJK.sub("", text).strip()


def content_hash(text: str) -> str:
    """The hash that identifies a report's content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def head_lines(text: str) -> list[str]:
    """The opening lines, compacted, with site furniture left out."""
    lines = (compact(line) for line in text[:6000].splitlines())
    return [line for line in lines if line and not _FURNITURE.search(line)][:_HEAD_LINES]


def find_title(text: str) -> str:
    """The report's title: the first short line naming a performance report, joined with its wrapped part; "" if none."""
    lines = head_lines(text)
    for i, line in enumerate(lines):
        if _is_title(line):
            return line
        pair = line + lines[i + 1] if i + 1 < len(lines) else ""
        if _is_title(pair) and _opens_title(line):
            return pair
    return ""


def _is_title(line: str) -> bool:
    return len(line) <= 70 and bool(_TITLE_WORDS.search(line) and _TITLE_ENDS.search(line)) and not _SENTENCE_MARKS.search(line)


def _opens_title(line: str) -> bool:
    """A title's first line, wrapped: it names a year or a place, not a section of the site."""
    return len(line) <= 45 and not _SENTENCE_MARKS.search(line) and bool(_YEAR.search(line) or leading_division(re.sub(r"^关于", "", line))[0])


def find_bureau(title: str, text: str) -> Found:
    """The full name of the reporting unit: a unit field, the title, the signature, the publisher, or the opening sentence."""
    sources = (  # read one after another, and only as far as needed
        (lambda: _labelled(text, _UNIT_LABELS), True),
        (lambda: _title_prefix(title), True),
        (lambda: _signature(text), True),
        (lambda: _labelled(text, _PUBLISHER_LABELS), False),
        (lambda: _opening_sentence(text, title), False),
    )
    fallback = None
    for read, sure in sources:
        name = _unit_name(read())
        if name and leading_division(name)[0]:
            return Found(name, sure)
        fallback = fallback or name
    return Found(fallback or "", False)


def _labelled(text: str, labels: tuple[str, ...]) -> str:
    """The value of the first labelled field found, on its line or alone on the next (one cell per line)."""
    lines = [compact(line) for line in text[:8000].splitlines()]
    lines = [line for line in lines if line]
    for label in labels:
        for i, line in enumerate(lines):
            cells = re.split(r"[\t:：]+|\s{2,}", line)
            if label not in cells and not line.startswith(label):
                continue
            after = line[line.index(label) + len(label) :].lstrip("\t :：　")
            value = after or (lines[i + 1] if i + 1 < len(lines) else "")
            value = re.split(r"[\t]|\s{2,}", value)[0]
            if name := _unit_name(_CODE_PREFIX.sub("", value)):
                return name
    return ""


def _title_prefix(title: str) -> str:
    """The part of the title before its year or report phrase (长沙市望城区工业和信息化局)."""
    title = re.sub(r"^关于", "", title)
    title = _YEAR.sub("", title, count=1) if _YEAR.match(title) else title
    title = _YEAR.split(title)[0] if _YEAR.search(title[2:]) else title
    found = _REPORT_PHRASE.search(title)
    return title[: found.start()] if found else title


def _signature(text: str) -> str:
    lines = [compact(line) for line in text.strip().splitlines()[-6:] if line.strip()]
    return next((line for line in reversed(lines) if _ORG.fullmatch(_DATE.sub("", line))), "")


def _opening_sentence(text: str, title: str) -> str:
    """A unit named in the first sentences of the body ("2023年，红河州数据发展中心实施项目…")."""
    body = "".join(head_lines(text)).replace(title, "", 1)[:400]
    for found in _ORG.finditer(body):
        start = found.start()
        while start < found.end() and not leading_division(body[start : found.end()])[0]:
            start += 1
        name = body[start : found.end()]
        if leading_division(name)[0] and not re.match(r"[（(]?制", body[found.end() :]):
            return name
    return ""


def _unit_name(candidate: str) -> str:
    """The organisation a candidate string opens with, or "" when it names none."""
    candidate = compact(candidate)
    candidate = _YEAR.split(candidate)[0] if _YEAR.search(candidate[2:]) else candidate
    found = re.match(rf"[{_CJK}（）()]{{2,30}}{_ORG_SUFFIX}", candidate)
    return found.group(0) if found and "绩效" not in found.group(0) else ""


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
    """The year the report was published: its page's 发布时间, else the date it was signed."""
    for line in text[:3000].splitlines():
        if re.search(r"发布(?:时间|日期)|日期[:：]|时间[:：]", line) and (found := _ISO_DATE.search(line)):
            return int(found.group(1))
    return int(signed[:4]) if signed else None


def find_signed_date(text: str) -> str | None:
    """The ISO date on the report's closing lines, if it is signed."""
    tail = text.strip()[-120:]
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
    """The kind of report, from the title's wording, else from the opening and the tables it holds."""
    for where, sure in ((title, True), ("".join(head_lines(text))[:600], False)):
        for kind, sign in _KIND_SIGNS:
            if sign.search(where):
                return Found(_as_table(kind, text, title), sure)
    return Found(_as_table("部门整体支出绩效自评报告", text, title), False)


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
    org_forms = {org, _ORG_ABBREVIATIONS.get(org, org)} - {""}
    local_forms = {local, _short(local), *(division.names if division else ())} - {""}
    names = {bureau, *local_forms}
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


def _short(place: str) -> str:
    for suffix in ("自治区", "自治州", "地区", "省", "市", "区", "县", "州", "盟", "旗"):
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
