"""Key figures of a report (budget, spending, 三公经费, staffing, internal units) and their consistency checks.

Figures are read from the cleaned text (page breaks joined, repeats dropped) so that a sentence
broken across a page still parses; every figure is cited by the original sentence that holds it,
mapped back through `CleanText.origin`. Only the sections that describe the department and its
budget are read: achievement sections are dense with 亿元/家/% figures that are not key figures.
A number counts only when the words right before it (or right after, for `17个编制`) name a
metric in the canonical vocabulary, or when it is the first unlabelled amount under a heading
that names one (`（一）基本支出情况` / `年初预算数为1193.43万元`).
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from .cleaning import CleanText, clean, heading_level, sentence_spans
from .metadata import PROJECT_KINDS
from .models import Check, Figure, Report
from .sections import Segment, segments
from .tables import BUDGET_COLUMNS, TEMPLATE_MONEY_COLUMNS, Row, grid_rows, table_rows, template_money_unit

PROJECT_PART_PREFIX = "项目支出:"

# Canonical money metrics (万元) and how reports write them; matched on width-folded text.
_MONEY_ALIASES: tuple[tuple[str, str], ...] = (
    ("一般公共预算拨款收入", r"一般公共预算(?:财政)?拨款(?:收入)?|财政拨款收入|一般公共预算收入"),
    ("收入合计", r"收入合计|总收入|收入总计|收入总额|本年收入"),
    ("总支出", r"总支出|支出合计|支出总计|支出总额|本年支出"),
    ("基本支出", r"基本支出"),
    ("项目支出", r"项目(?:资金|经费)?支出"),
    ("人员经费", r"人员经费"),
    ("公用经费", r"(?:日常)?公用经费"),
    ("三公经费", r"[“\"]?三公[”\"]?(?:经费)?"),
    ("公务接待费", r"(?:国内)?公务接待(?:费用?|经费)?"),
    ("公务用车运行维护费", r"公务用?车(?:辆)?运行(?:维护)?(?:费用?|经费)?"),
    ("公务用车购置费", r"公务用?车(?:辆)?购置(?:费用?|经费)?"),
    ("因公出国（境）费", r"因公出国(?:\(境\))?(?:费用?|经费)?"),
)
SANGONG_PARTS = ("公务接待费", "公务用车运行维护费", "公务用车购置费", "因公出国（境）费")

# 功能分类 classes (政府收支分类科目, 类), old names included; `灾害防治应急管理支出` is a common slip.
FUNCTIONAL_LINES = (
    "一般公共服务支出",
    "外交支出",
    "国防支出",
    "公共安全支出",
    "教育支出",
    "科学技术支出",
    "文化旅游体育与传媒支出",
    "文化体育与传媒支出",
    "社会保障和就业支出",
    "社会保险基金支出",
    "卫生健康支出",
    "医疗卫生与计划生育支出",
    "节能环保支出",
    "城乡社区支出",
    "农林水支出",
    "交通运输支出",
    "资源勘探工业信息等支出",
    "资源勘探信息等支出",
    "商业服务业等支出",
    "金融支出",
    "援助其他地区支出",
    "自然资源海洋气象等支出",
    "国土海洋气象等支出",
    "住房保障支出",
    "粮油物资储备支出",
    "应急物资储备支出",
    "灾害防治及应急管理支出",
    "其他支出",
    "债务付息支出",
    "债务发行费用支出",
)
_FUNCTIONAL_SPELLINGS = {"灾害防治应急管理支出": "灾害防治及应急管理支出"}
_NOT_FUNCTIONAL = {"总支出", "基本支出", "项目支出"}

# Staffing metrics: (canonical, pattern, unit).
_STAFF_ALIASES: tuple[tuple[str, str, str], ...] = (
    ("编制", r"(?:核定|人员|机构)?编制(?:数|总数)?", "个"),
    ("行政编制", r"行政(?:人员)?编制(?:数)?", "个"),
    ("事业编制", r"事业(?:人员)?编制(?:数)?", "个"),
    ("工勤编制", r"工勤(?:人员)?编制(?:数)?", "个"),
    ("在职人数", r"在职(?:在编)?(?:人员|职工|干部职工|人数)?|实有人数|在编人员", "人"),
    ("退休人数", r"离?退休(?:人员|职工|干部|人数)?", "人"),
    ("临聘人员", r"临聘(?:人员)?|临时聘用(?:人员)?|编外(?:聘用)?人员", "人"),
)
STAFF_PARTS = ("行政编制", "事业编制", "工勤编制")
_STAFF_UNIT = {metric: unit for metric, _, unit in _STAFF_ALIASES}

_MONEY_RE = [(metric, re.compile(pattern)) for metric, pattern in _MONEY_ALIASES]
_FUNCTIONAL_RE = re.compile("|".join(sorted((re.escape(n) for n in (*FUNCTIONAL_LINES, *_FUNCTIONAL_SPELLINGS)), key=len, reverse=True)))
_GENERIC_LINE = re.compile(r"[\u4e00-\u9fff]{2,12}支出$")
_STAFF_RE = [(metric, re.compile(pattern)) for metric, pattern, _ in _STAFF_ALIASES]

# The money figures at the head of a self-evaluation table, and how questions name its figures.
TABLE_MONEY = ("年初预算数", "全年预算数", "全年执行数")
_TABLE_RE = (
    # "自评各得了多少分", "自评打了几分": a question that asks the score with words between
    ("自评得分", re.compile(r"自评(?:总)?得?分|总得分|总分|综合得分|自评[^,，。;；]{0,8}?[得打拿]了?(?:多少|几)分")),
    ("预算执行率", re.compile(r"(?:预算|资金)?执行率")),
    ("全年执行数", re.compile(r"全年执行数?")),
    ("全年预算数", re.compile(r"全年预算数?")),
    ("年初预算数", re.compile(r"年初预算数")),
)

# A number as written, or as a PDF's text layer spaces it ("4 ,215.06", "2 846. 32", "97. 4"): one space at most between pieces.
_NUM = r"(?<![\d.])(\d{1,3}(?: ?, ?\d{3})+(?: ?\. ?\d+)?|\d{1,3}(?: \d{3})+(?:\. ?\d+)?|\d+(?: ?\. ?\d+)?)"
_CN_NUM = r"[零〇一二两三四五六七八九十百]+"
# `万` alone is 万元 (`公用经费57.38万`) unless it counts people, firms or items.
_MONEY = re.compile(_NUM + r"\s*(万元|亿元|万(?![人家个户名次件项台])|元)")
_COUNT = re.compile(rf"(?<![\d.])(\d+|{_CN_NUM})\s*(个|人|名)")
_AFTER_COUNT = re.compile(r"\s*(?:(行政|事业|工勤)(?:人员)?)?编制")
_UNITS_AFTER = re.compile(rf"(?<![\d.])(\d+|{_CN_NUM})\s*个(?:内设)?(?:职能)?(?:机构|科室|股室|处室)")
_UNITS_BEFORE = re.compile(rf"内设(?:机构|股室|科室|处室|职能科室|职能股室)?(?:共|有|共有|为)?\s*(\d+|{_CN_NUM})\s*个")

_CLAUSE_BREAK = re.compile(r"[,;。:!?\n]")
# A metric is named within its clause, at most this many characters before the number (reports
# stay under 160). In a run of text with no punctuation, no label is read any further back.
_MAX_LABEL = 300
# A figure quotes its sentence; one longer than this (reports stay under 400 characters) is a run
# with no full stop, and the figure quotes only the clauses around it, at most this far each way.
_MAX_QUOTE = 1000
_QUOTE_REACH = 200
_CLAUSE_MARK = re.compile(r"[,;:、]")
# A printed page number (`- 3 -`) that PDF extraction leaves inside a sentence.
_PAGE_NUMBER = re.compile(r"(?P<pre>[ \t]*\n[ \t\n]*|[ \t]*)-[ \t]*\d{1,4}[ \t]*-[ \t]*(?P<post>\n[ \t\n]*|$)")
# The same page number from its dash on; what comes before it is found by looking back, so that
# a long run of spaces is not read again from each of its positions.
_PAGE_NUMBER_MARK = re.compile(r"-[ \t]*\d{1,4}[ \t]*-[ \t]*(?:\n[ \t\n]*|$)")
_SENTENCE_END = "。！？；;!?：:"
_LINE_BREAK = re.compile(r"(?<![ \t\n])[ \t]*\n[ \t\n]*(?=\S)")
# A paragraph that lists 专项 without a 项目支出 figure of its own: `项目支出主要包括：`, `主要专项：`.
_PROJECT_LIST = re.compile(r"项目(?:资金|经费)?支出(?:主要)?(?:包括|明细|如下)|(?:主要|重点)专项|专项(?:资金)?(?:使用)?(?:情况|明细|包括)")
_PARENTHESES = re.compile(r"\((?!境\))[^()]{0,30}\)")
# Words a label may carry between the metric and its number without changing what is counted.
_FILLER = (
    r"\d{4}\s*年度?|年初预算|年初|预算|决算|实际|预计|执行|全年|本年|当年|全部|数|为|是|共|计|合计|"
    r"总计|共计|总额|金额|安排|累计|达到?|支出|情况|其中|包括|:|\(|\)|\s"
)
_MONEY_TAIL = re.compile(rf"(?:{_FILLER}|资金|经费)*")
_COUNT_TAIL = re.compile(r"(?:为|共|有|共有|数|总数|人数|实有|:|\s)*")
_PART_HEAD = re.compile(
    r"^(?:[,，;；:：、\s]|其中|包括|主要(?:有|是|包括)?|分别(?:是|为)?|以及|另有|还有|[一二三四五六七八九十]是|"
    r"\d{1,2}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)+"
)
_PART_TAIL = re.compile(r"(?:年初预算数?|预算数?|决算数?|实际支出|支出|合计|共计|共|计|为|是|金额|安排|数|[:：\s])+$")
# Carry-overs and income are no 专项, whatever list they stand in.
_NOT_PART = re.compile(r"结转|结余|收入|合计|总计")
_MAX_PART_NAME = 20
_HEADING_WORDS = re.compile(r"(?:情况|明细|如下|包括)$")

_BASIS = re.compile(r"(?P<年初预算>年初预算|年初安排|年初批复)|(?P<决算>决算)|(?P<实际>实际|实有|执行数)|(?P<预计>预计|预估)")

# Sections about achievements, problems and next steps hold no key figures, unless a deeper
# heading is about the budget again (`三、绩效情况 › （一）预算执行情况`).
_SKIP_HEADING = re.compile(r"绩效情况|绩效分析|绩效评价|绩效目标|绩效指标|主要绩效|评价过程|产出|效益|成效|问题|改进|措施|建议|结论|下一步|工作开展|主要工作")
_BUDGET_HEADING = re.compile(r"(?:预算|收支|支出|经费|收入|三公|决算|编制|机构|人员)[^,，。;；]{0,8}(?:情况|设置|明细)$")

# The department's budget execution rate in words (预算执行率, or 资金执行率 as project reports say; one space or line
# break at most before the figure: a wider gap is a table's next cell, its target), and what makes a sentence about a
# part of its budget instead.
_DEPARTMENT_RATE = re.compile(r"(?:预算|资金)执行率(?:为|达到?|是)?[ \u3000\n]?(\d{1,3}(?:\.\d+)?)\s*%")
_RATE_OF_A_PART = re.compile(r"项目|专项|工程")
# A project named by the words right before 项目 ("森林防火项目"); its last characters say which ("农田建设项目").
_NAMED_PART = re.compile(r"[\u4e00-\u9fff]{2,12}(?:项目|专项|工程)")
_OWN_NAME_CHARS = 6
# A project report's own score in words ("项目自评得分93.5分", "该项目总得分97.06分"), not a part's ("产出指标得分48.8分").
_PROJECT_SCORE = re.compile(r"(?:自评(?:综合|总)?得分|总得分|综合得分)(?:为|是)?\s*(\d{1,3}(?:\.\d+)?)\s*分")
# The department's whole self-evaluation score in words ("部门整体支出绩效自评得分93.4分"): a project's table states its own.
_DEPARTMENT_SCORE = re.compile(r"整体(?:支出)?(?:绩效)?(?:自评|评价)?(?:综合|总)?得分(?:为|是)?\s*(\d{1,3}(?:\.\d+)?)\s*分")
# A sentence about the department's whole budget or spending, up to one of its totals: the year, the department
# itself, earlier totals and filler, then the total's own label (预算, 实际支出).
_YEAR_WORDS = r"(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年度?"
_DEPARTMENT_ITSELF = r"部门|整体|本部门|本单位|单位|我局|本局|全局|机关|全[镇乡县市区局]|本级"
_TOTAL_LABEL = r"(?:全年|年初|年度|本年|当年|调整后)?(?:预算数?|(?:实际|决算)?支出(?:数|总额)?)(?:\([^()]{1,6}\))?(?:为|是|共|达)?"
_EARLIER_TOTAL = rf"{_TOTAL_LABEL}\s*{_NUM}\s*(?:万元|亿元|元)|年中(?:追加|调整)[^,;。]*|(?:预算)?执行率\s*{_NUM}\s*%"
_DEPARTMENT_TOTAL = re.compile(rf"(?:\s|[,，、]|{_YEAR_WORDS}|{_DEPARTMENT_ITSELF}|{_EARLIER_TOTAL})*(?P<label>{_TOTAL_LABEL})\s*")
_TO_WAN = {"万元": 1.0, "亿元": 10000.0}
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


@dataclass(frozen=True)
class _Found:
    metric: str
    value: float
    unit: str
    pos: int  # offset of the number in the text figures are read from
    end: int  # offset just after its unit
    quote_from: int | None = None  # where the quote must start when the name began on the line before
    basis: str | None = None  # the basis its label names, when the words before the figure cannot say it


def extract_figures(report: Report) -> list[Figure]:
    """The report's key figures, each with the original sentence that states it."""
    base = clean(report.text)
    cleaned = _repair(base)
    folded = _fold(cleaned.text)
    parts = segments(cleaned)
    sentences = [span for seg in parts for span in sentence_spans(cleaned.text, seg.start, seg.end)]
    starts = [start for start, _ in sentences]
    found: list[_Found] = []
    list_path: tuple[str, ...] | None = None  # the section whose 项目支出 ends `具体如下：`
    named_parts = _Parts(report.meta.kind, report.meta.title)
    score_pattern = _score_pattern(folded, named_parts)
    for seg in parts:
        found += _scores(folded, seg, named_parts, score_pattern)  # stated under 自评结论, which holds no other key figure
        if not _reads(seg.path):
            continue
        # Numbered items after `项目支出1091万元，具体如下：` are its 专项, each in a segment of its own.
        listed = list_path is not None and seg.path[: len(list_path)] == list_path and len(seg.path) > len(list_path)
        money, opens_list = _money(cleaned.text, folded, seg, listed)
        list_path = seg.path if opens_list else list_path if listed else None
        found += money + _counts(folded, seg) + _units(folded, seg) + _rates(folded, seg, named_parts)
    figures: list[Figure] = []
    seen: set[tuple[str, float, str, str | None]] = set()
    bases = _Bases(folded)
    for item in sorted(found, key=lambda f: f.pos):
        start, end = sentences[bisect.bisect_right(starts, item.pos) - 1]
        basis = item.basis or (bases.last(start, item.end) if item.unit in _TO_WAN else None)
        key = (item.metric, item.value, item.unit, basis)
        if key in seen:
            continue
        seen.add(key)
        quote_start, quote_end = _quote_span(folded, start, end, item)
        o_start, o_end = cleaned.span_in_original(quote_start, quote_end)
        figures.append(Figure(report.meta.id, report.meta.bureau, item.metric, item.value, item.unit, basis, report.text[o_start:o_end], o_start, o_end))
    return _inherit_basis(figures) + _table_figures(report, base) + _grid_figures(report, base)


def _quote_span(folded: str, start: int, end: int, item: _Found) -> tuple[int, int]:
    """What a figure quotes: its sentence, or in a run-on sentence over _MAX_QUOTE characters its clauses."""
    if end - start > _MAX_QUOTE:
        start, end = _clauses_around(folded, start, end, item)
    return (start if item.quote_from is None else min(start, item.quote_from)), end


def _clauses_around(folded: str, start: int, end: int, item: _Found) -> tuple[int, int]:
    """From the first clause mark within _QUOTE_REACH before the figure to the first one after it."""
    reach_start, reach_end = max(start, item.pos - _QUOTE_REACH), min(end, item.end + _QUOTE_REACH)
    opening = _CLAUSE_MARK.search(folded, reach_start, item.pos)
    closing = _CLAUSE_MARK.search(folded, item.end, reach_end)
    return (opening.end() if opening else reach_start), (closing.end() if closing else reach_end)


def _table_figures(report: Report, cleaned: CleanText) -> list[Figure]:
    """The head of a self-evaluation table (年初预算数…执行率) and its total score, each cited by its row."""
    money_unit = template_money_unit(cleaned.text)
    figures = []
    for row in table_rows(cleaned.text):
        if row.kind == "budget":
            stated = [(column, value) for column, value in zip(BUDGET_COLUMNS, row.cells[1:], strict=False) if column in TABLE_MONEY or column == "执行率"]
        elif row.kind == "total" and _is_score(row.cells[-1]):
            stated = [("自评得分", row.cells[-1])]
        elif row.kind == "source" and (metric := _money_metric(row.cells[0])):
            figures += _spending_row(report, cleaned, row, metric, money_unit)
            continue
        else:
            continue
        start, end = cleaned.span_in_original(row.start, row.end)
        for column, value in stated:
            metric, unit = {"执行率": ("预算执行率", "%"), "自评得分": ("自评得分", "分")}.get(column, (column, money_unit))
            number = float(value.rstrip("%").replace(",", ""))
            figures.append(Figure(report.meta.id, report.meta.bureau, metric, number, unit, row.cells[0], report.text[start:end], start, end))
    return figures


def _spending_row(report: Report, cleaned: CleanText, row: Row, metric: str, unit: str) -> list[Figure]:
    """A self-evaluation table's row of one kind of spending under 年度资金总额 ("其中：基本支出  3,412.80  3,498.16
    3,498.16"): its amount on each basis its column names, the executed amount first, cited by its row."""
    start, end = cleaned.span_in_original(row.start, row.end)
    stated = [
        (
            _BASIS_PREFERENCE.index(basis),
            Figure(report.meta.id, report.meta.bureau, metric, float(value.replace(",", "")), unit, basis, report.text[start:end], start, end),
        )
        for column, value in zip(TEMPLATE_MONEY_COLUMNS, row.cells[1:], strict=False)
        if re.fullmatch(r"[\d,]+(?:\.\d+)?", value) and (basis := basis_named(column)) in _BASIS_PREFERENCE
    ]
    return [figure for _, figure in sorted(stated, key=lambda pair: pair[0])]


def _is_score(cell: str) -> bool:
    """Whether a total row's last cell is a score out of 100, not the 合计 of a money table."""
    return re.fullmatch(r"\d{1,3}(?:\.\d+)?", cell) is not None and float(cell) <= 100


# How a money table's column or a question names the basis of a budget figure; the first that matches wins.
BASIS_PATTERNS = (
    ("年初预算", re.compile(r"年初")),
    ("全年预算", re.compile(r"全年预算|调整")),
    ("决算", re.compile(r"决算")),
    ("实际", re.compile(r"实际|执行数|全年执行|支出数|完成数")),
    ("预计", re.compile(r"预计")),
    ("年初预算", re.compile(r"预算(?:数|$)")),
)
# A table's figures in the order an answer prefers them when the question names no basis: the executed amount first.
_BASIS_PREFERENCE = ("实际", "决算", "全年预算", "年初预算")


def basis_named(text: str) -> str | None:
    """The basis (年初预算, 全年预算, 决算, 实际, 预计) a table column or a question names, if any."""
    return next((basis for basis, pattern in BASIS_PATTERNS if pattern.search(text)), None)


def _grid_figures(report: Report, cleaned: CleanText) -> list[Figure]:
    """The figures of a money table (收支执行情况表): each row's amounts by the basis its column states, the
    executed amount first, and the total row's 执行率; each cited by its row."""
    figures = []
    rows = grid_rows(cleaned.text)
    labels = {row.label for row in rows}
    for row in rows:
        metric = _money_metric(row.label) or ("总支出" if row.label in ("合计", "总计") and labels & {"基本支出", "项目支出"} else None)
        if metric is None:
            continue
        to_wan = {"元": 1 / 10000, "亿元": 10000.0}.get(row.unit or "", 1.0)
        start, end = cleaned.span_in_original(row.start, row.end)
        quote = report.text[start:end]
        stated = []
        for column, cell in row.values:
            if not re.match(r"[+-]?\d", cell):
                continue
            number = float(cell.rstrip("%").replace(",", ""))
            if "率" in column:
                if metric == "总支出":
                    stated.append((len(_BASIS_PREFERENCE), Figure(report.meta.id, report.meta.bureau, "预算执行率", number, "%", None, quote, start, end)))
                continue
            basis = basis_named(column)
            if basis in _BASIS_PREFERENCE:
                value = round(number * to_wan, 6)
                stated.append((_BASIS_PREFERENCE.index(basis), Figure(report.meta.id, report.meta.bureau, metric, value, "万元", basis, quote, start, end)))
        figures += [figure for _, figure in sorted(stated, key=lambda pair: pair[0])]
    return figures


def check_figures(figures: list[Figure]) -> list[Check]:
    """Consistency checks (数据核对) of listed parts against their stated totals, report by report."""
    checks: list[Check] = []
    by_report: dict[str, list[Figure]] = {}
    for figure in figures:
        by_report.setdefault(figure.report_id, []).append(figure)
    for report_figures in by_report.values():
        for name, total_metric, is_part, parts_label in _CHECKS:
            for total in (f for f in report_figures if f.metric == total_metric):
                parts = _pick_parts(total, [f for f in report_figures if is_part(f.metric)])
                if len(parts) >= 2:
                    checks.append(_check(name, total, parts, parts_label))
    return checks


_UNITS_NAMED = re.compile(r"内设(?:机构|股室|科室|处室)|(?:科室|股室|处室)(?:数|个数)?")


def metric_pattern(metric: str) -> re.Pattern[str] | None:
    """How reports and questions write a canonical metric (预算执行率: 执行率, 资金执行率…)."""
    return next((pattern for name, pattern in (*_MONEY_RE, *_STAFF_RE, ("内设机构数", _UNITS_NAMED), *_TABLE_RE) if name == metric), None)


def metrics_named(text: str) -> list[str]:
    """The canonical metrics a question names, longest mention first ("三公经费", "行政编制")."""
    folded = _fold(text)
    found: dict[str, int] = {}
    for metric, pattern in (*_MONEY_RE, *_STAFF_RE, ("内设机构数", _UNITS_NAMED), *_TABLE_RE):
        hit = pattern.search(folded)
        if hit and hit.group(0):
            found[metric] = max(found.get(metric, 0), len(hit.group(0)))
    for line in FUNCTIONAL_LINES:
        if line in folded:
            found[line] = len(line)
    return sorted(found, key=lambda m: -found[m])


def is_functional_line(metric: str) -> bool:
    """Whether a metric is a 功能分类 spending line (一般公共服务支出 and so on)."""
    return metric.endswith("支出") and metric not in _NOT_FUNCTIONAL and ":" not in metric


_CHECKS = (
    ("基本支出+项目支出=总支出", "总支出", lambda m: m in ("基本支出", "项目支出"), "基本支出与项目支出"),
    ("项目支出明细=项目支出", "项目支出", lambda m: m.startswith(PROJECT_PART_PREFIX), "项目支出明细"),
    ("功能分类=项目支出", "项目支出", is_functional_line, "功能分类支出"),
    ("三公经费明细=三公经费", "三公经费", lambda m: m in SANGONG_PARTS, "三公经费明细"),
    ("编制明细=编制", "编制", lambda m: m in STAFF_PARTS, "编制明细"),
)


def _pick_parts(total: Figure, candidates: list[Figure]) -> tuple[Figure, ...]:
    """One figure per part metric, on the total's basis where the text gives one."""
    chosen: dict[str, Figure] = {}
    for part in candidates:
        if total.basis and part.basis and part.basis != total.basis:
            continue
        held = chosen.get(part.metric)
        if held is None or (held.basis != total.basis and part.basis == total.basis):
            chosen[part.metric] = part
    return tuple(sorted(chosen.values(), key=lambda f: f.start))


def _check(name: str, total: Figure, parts: tuple[Figure, ...], parts_label: str) -> Check:
    factor = _TO_WAN.get(total.unit, 1.0)
    parts_sum = round(sum(p.value * _TO_WAN.get(p.unit, 1.0) / factor for p in parts), 6)
    # Reports round every line to 0.01 on its own, so the sum may drift by a cent a line.
    consistent = abs(parts_sum - total.value) <= 0.01 * len(parts) + 0.05
    fmt = "{:.2f}" if total.unit in _TO_WAN else "{:g}"
    sums = (fmt.format(parts_sum), fmt.format(total.value), fmt.format(abs(parts_sum - total.value)))
    note = f"{parts_label}合计{sums[0]}{total.unit}，与所列{total.metric}{sums[1]}{total.unit}相差{sums[2]}{total.unit}"
    note += "，在舍入误差之内。" if consistent else "。"
    return Check(total.report_id, total.bureau, name, total, parts, parts_sum, consistent, note)


def _repair(cleaned: CleanText) -> CleanText:
    """Undo two page-break scars `clean` leaves, for reading figures only.

    A printed page number (`- 3 -`) inside a sentence goes with the break around it, and a short
    unnumbered line cut mid-word (`本年收入` / `合计3815.47万元`) is joined to the next line, unless either is a
    table's row (its cells apart by tabs).
    """
    text = cleaned.text
    keep = [True] * len(text)
    for start, pre_end, end in _page_numbers(text):
        before = _text_end(text, start)
        mid_sentence = before > 0 and text[before - 1] not in _SENTENCE_END
        _drop(keep, start if mid_sentence else pre_end, end)
    # The title line stays apart from what follows it.
    title_end = text.find("\n", len(text) - len(text.lstrip()))
    for match in _LINE_BREAK.finditer(text, title_end + 1 if title_end >= 0 else len(text)):
        line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()].strip()
        next_end = text.find("\n", match.end())
        following = text[match.end() : next_end if next_end >= 0 else len(text)]
        in_table = "\t" in line or "\t" in following  # a table's rows (cells apart by tabs) and its caption stay lines
        if (
            line
            and line[-1] not in _SENTENCE_END
            and not in_table
            and not heading_level(line)
            and not heading_level(following)
            and not _PAGE_NUMBER.match(following)
        ):
            _drop(keep, match.start(), match.end())
    if all(keep):
        return cleaned
    origin = tuple(itertools.compress(cleaned.origin, keep))
    return CleanText("".join(itertools.compress(text, keep)), origin, cleaned.original)


def _drop(keep: list[bool], start: int, end: int) -> None:
    keep[start:end] = [False] * (end - start)


def _page_numbers(text: str) -> Iterator[tuple[int, int, int]]:
    """Each printed page number as `_PAGE_NUMBER.finditer` finds it: its start, where `pre` ends, its end."""
    previous_end = 0
    for mark in _PAGE_NUMBER_MARK.finditer(text):
        # `pre` is the whole run of blanks before the dash, back to the previous page number.
        start = mark.start()
        while start > previous_end and text[start - 1] in " \t\n":
            start -= 1
        previous_end = mark.end()
        yield start, mark.start(), mark.end()


def _text_end(text: str, end: int, floor: int = 0) -> int:
    """`len(text[:end].rstrip())`, looking back no further than `floor`, without copying the text."""
    while end > floor and text[end - 1].isspace():
        end -= 1
    return end


class _FoldTable(dict):
    """str.translate table for width folding, each character folded once and remembered."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code))
        self[code] = folded if len(folded) == 1 else chr(code)
        return self[code]


_FOLD_TABLE = _FoldTable()


def _fold(text: str) -> str:
    """Width-folded text of the same length, so offsets into it are offsets into the cleaned text."""
    return text.translate(_FOLD_TABLE)


def _reads(path: tuple[str, ...]) -> bool:
    """Whether a section may hold key figures, judged from its innermost telling 一、/（一） heading.

    Numbered items below those are ignored: `8.推进国企退休人员社会化管理` is an achievement.
    """
    for title in reversed(path):
        if heading_level(title) not in (1, 2):
            continue
        if _SKIP_HEADING.search(title):
            return False
        if _BUDGET_HEADING.search(title):
            return True
    return True


def _cn_int(token: str) -> int:
    """An integer written in digits or in Chinese numerals up to the hundreds."""
    if token.isdigit():
        return int(token)
    total, digit = 0, 0
    for char in token:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        else:  # 十 or 百
            total += (digit or 1) * (10 if char == "十" else 100)
            digit = 0
    return total + digit


def _label_start(folded: str, seg: Segment, pos: int, previous_end: int) -> int:
    """Start of the clause that names the number at pos; `名称：100万元` reaches back past the colon."""
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(folded, max(seg.start, previous_end), pos)]
    start = breaks[-1] if breaks else max(seg.start, previous_end)
    if len(breaks) >= 1 and folded[start - 1] == ":" and _nameless(folded[start:pos]):
        start = breaks[-2] if len(breaks) >= 2 else max(seg.start, previous_end)
    return max(start, pos - _MAX_LABEL)


def _cut_line(folded: str, seg: Segment, start: int, previous_end: int) -> tuple[int, int] | None:
    """Where the last clause of the line before `start` begins, and that line, if a page break cut it.

    A line cut mid-sentence (`2.公用经` / `费57万元`) does not end in punctuation.
    """
    if folded[start - 1 : start] != "\n":
        return None
    line_end = _text_end(folded, start, seg.start)
    line_start = max(seg.start, folded.rfind("\n", seg.start, line_end) + 1)
    if line_end <= line_start or folded[line_end - 1] in _SENTENCE_END:
        return None
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(folded, line_start, line_end)]
    return max([line_start, previous_end, *breaks[-1:]]), line_start


def _item_cut(line: str) -> bool:
    """Whether a numbered line is a list item cut short, not a heading (`（二）项目支出情况`)."""
    line = line.strip()
    return heading_level(line) >= 3 and _heading_metric(line) is None and not _HEADING_WORDS.search(line)


def _rightmost(label: str, patterns: Iterable[tuple[str, re.Pattern[str]]]) -> tuple[str, int] | None:
    """The metric named closest to the number (ties go to the longer name), and where its name ends."""
    best: tuple[int, int, str] | None = None
    for metric, pattern in patterns:
        for match in pattern.finditer(label):
            key = (match.end(), match.end() - match.start(), metric)
            if best is None or key[:2] > best[:2]:
                best = key
    return (best[2], best[0]) if best else None


def _money_metric(label: str) -> str | None:
    """The money metric a clause names right before its amount, if any."""
    label = _PARENTHESES.sub(lambda m: " " * len(m.group()), label)
    if "购置及运行" in label:  # 公务用车购置及运行维护费 is the sum of two parts: skip it
        return None
    hit = _rightmost(label, _MONEY_RE)
    lines = list(_FUNCTIONAL_RE.finditer(label))
    if lines and (hit is None or lines[-1].end() > hit[1]):
        hit = (_FUNCTIONAL_SPELLINGS.get(lines[-1].group(), lines[-1].group()), lines[-1].end())
    if hit is None or not _MONEY_TAIL.fullmatch(label[hit[1] :]):
        return None
    return hit[0]


def _department_total(folded: str, seg: Segment, pos: int) -> str | None:
    """The basis of a department's whole budget or spending stated in a sentence that names nothing else
    ("全年预算1,587.90万元，实际支出1,521.64万元": 全年预算, then 支出), or None.

    Only the year, the department itself (部门, 全镇), other such totals and filler may come before the
    figure in its sentence: "项目预算15.00万元，支出12.75万元" and "基本支出预算…，实际支出…" state a part's.
    """
    if _DEPARTMENT_PARTS.head_a_part(seg):
        return None
    sentence_start = max((folded.rfind(c, seg.start, pos) + 1 for c in "。;\n"), default=seg.start)
    named = _DEPARTMENT_TOTAL.fullmatch(folded, sentence_start, pos)
    if not named:
        return None
    label = named.group("label")
    if "支出" in label:
        return "支出"
    return "年初预算" if "年初" in label else "全年预算"


def _nameless(label: str) -> bool:
    return _MONEY_TAIL.fullmatch(_PART_HEAD.sub("", label)) is not None


def _part_name(label: str) -> str | None:
    """The short name of a listed 专项, from the clause before its amount."""
    name = _PART_TAIL.sub("", _PART_HEAD.sub("", re.sub(r"\s+", "", label)))
    if len(name) < 2 or _NOT_PART.search(name):
        return None
    if len(name) > _MAX_PART_NAME and "、" in name and "等" in name:
        # `A、B、C等方面专项` → `A等方面专项`: the whole list stays in the quote.
        name = name.split("、")[0] + name[name.rfind("等") :]
    return name


def _heading_metric(title: str) -> str | None:
    hit = _rightmost(_fold(title), _MONEY_RE)
    return hit[0] if hit else None


def _money(text: str, folded: str, seg: Segment, listed: bool = False) -> tuple[list[_Found], bool]:
    """Amounts whose clause names a money metric, plus the 专项 listed under 项目支出.

    Also says whether the segment ends by announcing a list of 专项 (`项目支出…，具体如下：`).
    """
    found: list[_Found] = []
    heading_metric = _heading_metric(seg.path[-1]) if seg.path else None
    in_projects = listed or any(_heading_metric(t) == "项目支出" or _PROJECT_LIST.search(_fold(t)) for t in seg.path)
    paragraph_projects = -1  # start of the paragraph that last named 项目支出 or began a list of 专项
    generic: list[tuple[_Found, int]] = []
    paragraphs = _Paragraphs(folded, seg)
    project_list = _GrowingSearch(_PROJECT_LIST, folded)
    previous_end = seg.start
    for match in _MONEY.finditer(folded, seg.start, seg.end):
        pos, unit = match.start(1), match.group(2)
        value = float(re.sub(r"[,\s]", "", match.group(1)))
        if unit == "元":
            value, unit = round(value / 10000, 6), "万元"
        elif unit == "万":
            unit = "万元"
        start = _label_start(folded, seg, pos, previous_end)
        cut = _cut_line(folded, seg, start, previous_end)
        previous_end = match.end()
        label, name_start, quote_from = folded[start:pos], start, None
        paragraph = paragraphs.start(pos)
        if project_list.finds(paragraph, pos):
            paragraph_projects = paragraph
        metric = _money_metric(label)
        if metric is None and cut:
            clause_start, line_start = cut
            if metric := _money_metric(folded[clause_start:start].rstrip() + label):
                # A label holding more than filler is the second half of a word the break cut.
                quote_from = None if _nameless(label) else line_start
            elif clause_start > line_start or _item_cut(folded[line_start:start]):
                # `4.项目支出明细：乡村振兴` / `示范村建设经费1223万元`, `（4）中小企业发展` / `专项546.99万元`
                name_start, quote_from = clause_start, line_start
        # `（一）基本支出情况` / `年初预算数为1193.43万元`: the heading names the first bare amount.
        if metric is None and heading_metric and name_start == start and _nameless(label) and all(f.metric != heading_metric for f in found):
            metric = heading_metric
        if metric is None and (basis := _department_total(folded, seg, pos)):
            found.append(_Found("总支出", value, unit, pos, match.end(), basis=None if basis == "支出" else basis))
            continue
        if metric is None:
            line = _generic_line(label)
            name = _part_name(text[name_start:pos])
            if line:
                generic.append((_Found(line, value, unit, pos, match.end()), paragraph))
            elif name and (in_projects or paragraph_projects == paragraph):
                found.append(_Found(PROJECT_PART_PREFIX + name, value, unit, pos, match.end(), quote_from))
            continue
        if metric == "项目支出":
            paragraph_projects = paragraph
        elif not is_functional_line(metric):
            paragraph_projects = -1
        found.append(_Found(metric, value, unit, pos, match.end(), quote_from))
    # An unlisted `XX支出` counts as a functional line only beside a listed one.
    lines_at = {paragraphs.start(f.pos) for f in found if is_functional_line(f.metric)}
    found += [f for f, paragraph in generic if paragraph in lines_at]
    end = _text_end(folded, seg.end)
    last = paragraphs.start(end)
    announces = paragraph_projects == last or _PROJECT_LIST.search(folded, last, end) is not None
    opens_list = folded[end - 1] == ":" and announces
    return found, opens_list


class _Paragraphs:
    """Paragraph starts in one segment; a list a page break split after `；` is still one paragraph.

    Each line's paragraph is worked out once: looking back from every amount in a long paragraph
    would read it again for each.
    """

    def __init__(self, folded: str, seg: Segment) -> None:
        self.folded, self.seg = folded, seg
        self.newlines = [m.start() for m in re.finditer("\n", folded[seg.start : seg.end])]
        self.of_line: dict[int, int] = {}

    def start(self, pos: int) -> int:
        """Start of the paragraph at pos."""
        line = self._line_start(pos)
        chain = []
        while line not in self.of_line:
            chain.append(line)
            before = _text_end(self.folded, line, self.seg.start)
            if line == self.seg.start or before == self.seg.start or self.folded[before - 1] not in ";,":
                self.of_line[line] = line
                break
            line = self._line_start(before)
        start = self.of_line[line]
        self.of_line.update(dict.fromkeys(chain, start))
        return start

    def _line_start(self, pos: int) -> int:
        """Where the line holding the character before `pos` starts (the segment start at most)."""
        i = bisect.bisect_left(self.newlines, pos - self.seg.start) - 1
        return self.seg.start + self.newlines[i] + 1 if i >= 0 else self.seg.start


class _GrowingSearch:
    """Whether a pattern occurs in text[start:end] for ends that grow, each part read once."""

    _LONGEST_MATCH = 32

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.pattern, self.text = pattern, text
        self.start, self.end, self.found = -1, -1, False

    def finds(self, start: int, end: int) -> bool:
        if start != self.start or end < self.end:
            self.start, self.end, self.found = start, start, False
        if not self.found:
            self.found = self.pattern.search(self.text, max(start, self.end - self._LONGEST_MATCH), end) is not None
        self.end = end
        return self.found


def _generic_line(label: str) -> str | None:
    name = _PART_HEAD.sub("", re.sub(r"[\s:为]+$", "", label.strip()))
    hit = _GENERIC_LINE.search(name)
    if not hit or hit.group() in _NOT_FUNCTIONAL or _rightmost(hit.group(), _MONEY_RE):
        return None
    return hit.group()


def _counts(folded: str, seg: Segment) -> list[_Found]:
    """Headcounts and 编制, named right before the number or (`17个编制`) right after it."""
    found: list[_Found] = []
    previous_end = seg.start
    for match in _COUNT.finditer(folded, seg.start, seg.end):
        pos = match.start(1)
        start = _label_start(folded, seg, pos, previous_end)
        previous_end = match.end()
        label = folded[start:pos]
        hit = _rightmost(label, _STAFF_RE)
        metric = hit[0] if hit and _COUNT_TAIL.fullmatch(label[hit[1] :]) else None
        after = _AFTER_COUNT.match(folded, match.end(), seg.end)
        if after and match.group(2) != "人":
            metric = (after.group(1) or "") + "编制"
        if metric is None:
            continue
        found.append(_Found(metric, float(_cn_int(match.group(1))), _STAFF_UNIT[metric], pos, match.end()))
    return found


def _rates(folded: str, seg: Segment, parts: _Parts) -> list[_Found]:
    """The report's 预算执行率 stated in words (`全年预算执行率98.92%`): a sentence about a part of it (a project or a 专项), or a
    section about one (`（一）…整县推进项目`) states that one's, not the report's (`项目支出预算执行率92.28%`)."""
    found: list[_Found] = []
    if parts.head_a_part(seg):
        return found
    for match in _DEPARTMENT_RATE.finditer(folded, seg.start, seg.end):
        sentence_start = max((folded.rfind(c, seg.start, match.start()) + 1 for c in "。;\n"), default=seg.start)
        if not parts.named_in(folded[sentence_start : match.start()]):
            found.append(_Found("预算执行率", float(match.group(1)), "%", match.start(1), match.end()))
    return found


@dataclass(frozen=True)
class _Parts:
    """What names a part of a report's budget. In a department's report, any project, 专项 or 工程 (`项目支出`); in a report
    on one project, another project than its own: a bare 项目 (`项目累计支出…`) or the one its title names is the report's."""

    kind: str
    title: str

    def named_in(self, text: str) -> bool:
        if self.kind not in PROJECT_KINDS:
            return bool(_RATE_OF_A_PART.search(text))
        return any(m.group(0)[-_OWN_NAME_CHARS:] not in self.title and not _preposition(m.group(0)[:-2]) for m in _NAMED_PART.finditer(text))

    def head_a_part(self, seg: Segment) -> bool:
        """Whether a section's headings name a part (`（一）畜禽粪污资源化利用整县推进项目`), whose figures are its own;
        `（二）项目支出情况` is the budget's project spending, no part."""
        return any(self.named_in(title.replace("项目支出", "")) for title in seg.path)


def _preposition(word: str) -> bool:
    """Whether a word is one preposition ("根据项目支出绩效评价指标体系": 根据 names no project)."""
    import jieba.posseg

    tagged = jieba.posseg.lcut(word)
    return len(tagged) == 1 and tagged[0].flag == "p"


# A department report's parts: any project, 专项 or 工程 its text names.
_DEPARTMENT_PARTS = _Parts("", "")


def _score_pattern(folded: str, parts: _Parts) -> re.Pattern[str]:
    """How the report states its own score in words: the department's whole score, unless it is a report on one project
    that states none: then its own ("项目自评得分93.5分"), not a part's ("资金执行得分9.7分")."""
    return _PROJECT_SCORE if parts.kind in PROJECT_KINDS and not _DEPARTMENT_SCORE.search(folded) else _DEPARTMENT_SCORE


def _scores(folded: str, seg: Segment, parts: _Parts, pattern: re.Pattern[str]) -> list[_Found]:
    """The report's own self-evaluation score stated in words (see `_score_pattern`), not another project's; stored
    before any table's total, which may be a project's (项目支出绩效自评表), so a question about the department's
    score gets the department's."""
    found = []
    for match in pattern.finditer(folded, seg.start, seg.end):
        sentence_start = max((folded.rfind(c, seg.start, match.start()) + 1 for c in "。;\n"), default=seg.start)
        if pattern is _DEPARTMENT_SCORE or not parts.named_in(folded[sentence_start : match.start()]):
            found.append(_Found("自评得分", float(match.group(1)), "分", match.start(1), match.end()))
    return found


def _units(folded: str, seg: Segment) -> list[_Found]:
    """The number of internal units: `内设股室14个`, `内设办公室、……五个科室`."""
    found: list[_Found] = []
    for match in _UNITS_BEFORE.finditer(folded, seg.start, seg.end):
        found.append(_Found("内设机构数", float(_cn_int(match.group(1))), "个", match.start(1), match.end()))
    last = _LastSeen(folded, "。;\n设", seg.start)
    for match in _UNITS_AFTER.finditer(folded, seg.start, seg.end):
        seen = last.before(match.start())
        sentence_start = max(seg.start, *(seen[c] + 1 for c in "。;\n"))
        if seen["设"] >= sentence_start:
            found.append(_Found("内设机构数", float(_cn_int(match.group(1))), "个", match.start(1), match.end()))
    return found


class _LastSeen:
    """Where each of some characters last occurs before a position, for positions that only grow."""

    def __init__(self, text: str, chars: str, start: int) -> None:
        self.text, self.scanned = text, start
        self.at = dict.fromkeys(chars, -1)

    def before(self, pos: int) -> dict[str, int]:
        for char in self.at:
            found = self.text.rfind(char, self.scanned, pos)
            if found >= 0:
                self.at[char] = found
        self.scanned = pos
        return self.at


class _Bases:
    """Where the text names a basis (年初预算/决算/实际/预计), found in one pass."""

    def __init__(self, folded: str) -> None:
        hits = list(_BASIS.finditer(folded))
        self.starts = [hit.start() for hit in hits]
        self.ends = [hit.end() for hit in hits]
        self.names = [hit.lastgroup for hit in hits]

    def last(self, start: int, end: int) -> str | None:
        """The basis named last in folded[start:end] (a figure's sentence up to the figure)."""
        i = bisect.bisect_right(self.ends, end) - 1
        return self.names[i] if i >= 0 and self.starts[i] >= start else None


def _inherit_basis(figures: Sequence[Figure]) -> list[Figure]:
    """Listed 专项 take the basis of the 项目支出 they break down when their own sentence names none; the 基本支出 and
    项目支出 of a sentence that opens with 其中 take the basis named last in the sentence of the 总支出 stated last before it
    ("全年实际支出1305.72万元。其中基本支出762.48万元，项目支出543.24万元"), so they are never checked against another basis's total."""
    result, total_basis, spending_basis = [], None, None
    for figure in figures:
        if figure.metric == "总支出":
            spending_basis = _named_last(figure.quote) or figure.basis  # "年初预算…，全年执行30,417.66万元。其中…": 实际
        if figure.metric in _SPENDING_PARTS and figure.basis is None and spending_basis and _OPENS_WITH_OF_WHICH.match(figure.quote):
            figure = replace(figure, basis=spending_basis)
        if figure.metric == "项目支出":
            total_basis = figure.basis
        elif figure.metric.startswith(PROJECT_PART_PREFIX) and figure.basis is None and total_basis:
            figure = replace(figure, basis=total_basis)
        result.append(figure)
    return result


def _named_last(sentence: str) -> str | None:
    """The basis a sentence names last: what a 其中 sentence after it breaks down."""
    found = [(m.end(), basis) for basis, pattern in BASIS_PATTERNS for m in pattern.finditer(_fold(sentence))]
    return max(found)[1] if found else None


_SPENDING_PARTS = ("基本支出", "项目支出")
_OPENS_WITH_OF_WHICH = re.compile(r"\s*其中")
