"""Read a report's metadata from its own text: title, bureau, region, year, date signed, kind, aliases."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .models import ReportMeta

_CJK = r"\u4e00-\u9fff"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_TITLE_WORDS = re.compile(r"绩效|自评|评价|报告|情况说明")
_REPORT_PHRASE = re.compile(r"(?:部门|单位)?(?:整体支出|项目支出)?(?:预算)?绩效")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_PLACE = re.compile(rf"([{_CJK}]{{2,9}}?(?:自治区|自治州|省|地区|市|州|盟|区|县|旗)|[{_CJK}]县)")
_ORG = re.compile(rf"[{_CJK}]{{2,16}}?(?:局|委员会|委|办公室|厅|中心|院|馆|站|队|所)")
_DATE = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月\s*([\d一二三四五六七八九十]{1,3})\s*日")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}

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
    "教育局": "教育局",
    "农业农村局": "农业农村局",
    "商务局": "商务局",
    "财政局": "财政局",
}


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None


def compact(text: str) -> str:
    """Drop the spaces that PDF extraction puts around Chinese characters."""
    return _SPACE_NEAR_CJK.sub("", text).strip()


def content_hash(text: str) -> str:
    """The hash that identifies a report's content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_title(text: str) -> str:
    """The report's title: the first short paragraph that names a performance report."""
    lines = [compact(line) for line in text.splitlines() if line.strip()][:12]
    # A title may wrap onto a second line; never onto a sentence of the body.
    candidates = [line for i, line in enumerate(lines) for line in (line, line + (lines[i + 1] if i + 1 < len(lines) else ""))]
    for candidate in candidates:
        if len(candidate) <= 80 and _TITLE_WORDS.search(candidate) and not re.search(r"[。；;，,]", candidate):
            return candidate
    return lines[0][:80] if lines else ""


def find_bureau(title: str, text: str) -> tuple[str, Region]:
    """The full bureau name and its region, from the title or else from the signature."""
    for candidate in (_strip_year(title), _signature(text)):
        bureau, region = _parse_bureau(candidate)
        if bureau:
            return bureau, region
    return "", Region()


def _strip_year(title: str) -> str:
    title = re.sub(r"^关于", "", title)
    title = _YEAR.sub("", title, count=1) if _YEAR.match(title) else title
    found = _REPORT_PHRASE.search(title)
    return title[: found.start()] if found else title


def _signature(text: str) -> str:
    lines = [compact(line) for line in text.strip().splitlines()[-4:] if line.strip()]
    return next((line for line in lines if _ORG.fullmatch(line)), "")


def _parse_bureau(candidate: str) -> tuple[str, Region]:
    candidate = _YEAR.split(candidate)[0] if _YEAR.search(candidate[4:] or "") else candidate
    places, rest = [], candidate
    while found := _PLACE.match(rest):
        if _ORG.fullmatch(rest) and not _ORG.match(rest[found.end() :]):
            break
        places.append(found.group(1))
        rest = rest[found.end() :]
    org = _ORG.match(rest)
    if not places or not org:
        return "", Region()
    return "".join(places) + org.group(0), _region(places)


def _region(places: list[str]) -> Region:
    province = next((p for p in places if p.endswith(("省", "自治区"))), None)
    lower = [p for p in places if p != province]
    if len(lower) >= 2:
        return Region(province, lower[0], lower[1])
    if lower and lower[0].endswith(("区", "县", "旗")):
        return Region(province, None, lower[0])
    return Region(province, lower[0] if lower else None, None)


def find_year(title: str, text: str) -> int | None:
    """The fiscal year the report evaluates: the year its title names, else the first 'N年度'."""
    found = _YEAR.search(title) or re.search(r"((?:19|20)\d{2})\s*年度", text[:2000])
    return int(found.group(1)) if found else None


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


def find_kind(title: str) -> str:
    """The kind of report, from the wording of its title."""
    if "项目支出" in title or "项目绩效" in title:
        return "项目支出绩效自评报告"
    if re.search(r"情况的?说明", title):
        return "绩效情况说明"
    if "整体支出" in title or "部门整体" in title:
        return "整体支出绩效自评报告"
    if "评价报告" in title:
        return "绩效评价报告"
    return "绩效自评报告"


def aliases(bureau: str, region: Region) -> tuple[str, ...]:
    """The names a user may type for this bureau: 望城, 望城区, 望城区工信局, full name…"""
    if not bureau:
        return ()
    local = region.county or region.city or region.province or ""
    org = bureau[bureau.rfind(local) + len(local) :] if local else bureau
    org_forms = {org, _ORG_ABBREVIATIONS.get(org, org)}
    local_forms = {local, _short_place(local)} - {""}
    names = {bureau, local, _short_place(local)}
    names |= {place + form for place in local_forms for form in org_forms}
    names |= {bureau.replace(org, form) for form in org_forms}
    return tuple(sorted((n for n in names if len(n) >= 2), key=lambda n: (-len(n), n)))


def _short_place(place: str) -> str:
    for suffix in ("自治区", "自治州", "地区", "省", "市", "区", "县", "州", "盟", "旗"):
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            return place[: -len(suffix)]
    return place


def read_metadata(text: str, source: str) -> ReportMeta:
    """All the metadata this project keeps about a report, read from its text."""
    title = find_title(text)
    bureau, region = find_bureau(title, text)
    digest = content_hash(text)
    return ReportMeta(
        id=digest[:16],
        title=title,
        bureau=bureau,
        province=region.province,
        city=region.city,
        county=region.county,
        year=find_year(title, text),
        signed=find_signed_date(text),
        kind=find_kind(title),
        aliases=aliases(bureau, region),
        source=source,
        content_hash=digest,
    )
