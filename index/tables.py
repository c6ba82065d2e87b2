"""Self-evaluation tables (绩效自评表): indicator rows, the budget row and the total score.

Readers lay a table out either with a row per line and its cells separated by tabs (HTML, DOCX)
or with one cell per line (text saved from a page or a PDF); a text table may set its columns apart
with two spaces or more. The table's columns are the ones
the Ministry of Finance template prescribes, so a row is known by its shape, not by its layout:

- an indicator row: up to two level cells (产出指标, 数量指标), the indicator (三级指标), its
  target (年度指标值) and actual value (实际完成值), then two plain numbers (分值, 得分) and at
  most one more cell, the reason for a shortfall (偏差原因分析及改进措施);
- a goal row, in a table whose header has 年度指标值 and 实际完成值 but no 分值: on one line, up to two levels,
  the indicator, its target and actual value, perhaps 得分, and at most a reason;
- the budget row: 年度资金总额 and its numbers (年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分), and the rows
  under it by source of funds or kind of spending (其中：财政拨款, 基本支出, 项目支出);
- the total: 总分 (or 合计/总得分) with its full marks and the score given.

Each row is one quotable unit with exact offsets, and reads with its column names:
"三级指标“水质达标率”：年度指标值≥95%，实际完成值93%，分值15，得分12".
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_AMOUNT = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
_LEVEL = re.compile(r"^[\u4e00-\u9fff]{0,10}指标(?:[（(]\d+(?:\.\d+)?分[）)])?$")
_HEADER = re.compile(
    r"^(?:一级指标|二级指标|三级指标|年度指标值|实际完成值|分值|得分|偏差原因.*|年初预算数|全年预算数|全年执行数|执行率|"
    r"绩效指标|项目资金.*|项目名称|主管部门|实施单位|项目单位|单位名称|年度总体目标|预期目标|实际完成情况)$"
)
_BUDGET = re.compile(r"^年度资金总额[:：]?$")
# A row of the budget by source of funds under 年度资金总额 (其中：财政拨款, 上年结转, 中央资金, 其他资金), or by kind
# of spending (其中：基本支出, 项目支出).
_SOURCE = re.compile(r"^(?:其中[:：]?)?[\u4e00-\u9fff]{1,10}(?:资金|拨款|结转|结余|支出)[:：]?$")
_AMOUNT_OR_DASH = re.compile(rf"{_AMOUNT.pattern}|^[-—–/／]$")
_TOTAL = re.compile(r"^(?:总分|合计|总得分|自评得分|综合得分)[:：]?$")
BUDGET_COLUMNS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
TEMPLATE_MONEY_COLUMNS = BUDGET_COLUMNS[:3]
# The template's amounts are in 万元 unless its head says 元 ("项目资金（元）").
_TEMPLATE_IN_YUAN = re.compile(r"资金[（(]元[)）]")
# The second branch starts only where a run of spaces starts: from inside a long run it would
# read the run again from every position.
_SPACES = re.compile(r"(?<=[^\sA-Za-z])[ \u3000]+|(?<![ \u3000])[ \u3000]+(?=[^\sA-Za-z])")
# A cell runs to a tab, a line break or a gap of two spaces or more (a text table's columns, a PDF's text layer).
_CELL = re.compile(r"(?:(?![ \u3000]{2})[^\t\n])+")
_CELL_GAP = re.compile(r"\t|\S[ \u3000]{2,}\S")
_BREAK_IN_ROW = re.compile(r"(?<![ \t\u3000])[ \t\u3000]*\n")
_MAX_CELL = 80
# A target or a value done, in a table without marks, is short ("≥320处", "2024年10月底前").
_GOAL_CELL = 30
# A table's caption ("表2　项目支出绩效自评表（重点优抚对象抚恤补助资金）", "附表：…得分表", "表1　预算收支执行情况"), and
# a line that introduces the table below it ("…项目绩效目标完成情况如下表："): they say what the table's rows are about.
_CAPTION = re.compile(r"^(?:附)?表\s*\d*(?:[\s:：、.．]|$)|表\s*(?:[（(][^）)\n]{1,40}[）)])?\s*[:：]?$")
_INTRODUCES = re.compile(r"下表|[如见]表\s*\d")
_CAPTION_REACH = 3000


@dataclass(frozen=True)
class Cell:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Row:
    """One table row: its span in the text it was read from, and how it reads."""

    kind: str  # "indicator", "goal" (one without 分值), "budget" (年度资金总额), "source" (a row of it) or "total"
    start: int
    end: int
    cells: tuple[str, ...]

    @property
    def label(self) -> str:
        return label_cells(self.kind, self.cells)

    @property
    def marks(self) -> tuple[float, float] | None:
        """(分值, 得分) of an indicator or budget row; None for the total or a budget row without them."""
        if self.kind == "budget":
            named = dict(zip(BUDGET_COLUMNS, self.cells[1:]))
            return (float(named["分值"]), float(named["得分"])) if "分值" in named and "得分" in named else None
        if self.kind != "indicator":
            return None
        # An indicator row ends with 分值, 得分 and at most a reason cell.
        score, got = self.cells[-2:] if _NUMBER.match(self.cells[-1]) else self.cells[-3:-1]
        return float(score), float(got)


def cells_of(text: str, start: int = 0, end: int | None = None) -> list[Cell]:
    """The cells of text[start:end]: pieces between tabs and line breaks, spaces inside them dropped."""
    end = len(text) if end is None else end
    found = []
    for match in _CELL.finditer(text, start, end):
        piece = match.group(0)
        stripped = piece.strip(" \u3000\r")
        if stripped:
            offset = match.start() + piece.index(stripped[0])
            found.append(Cell(_SPACES.sub("", stripped), offset, offset + len(stripped)))
    return found


def table_rows(text: str, start: int = 0, end: int | None = None) -> list[Row]:
    """The table rows in text[start:end], in order; prose yields none."""
    return _rows_in(cells_of(text, start, end), text)


def _rows_in(cells: list[Cell], text: str = "") -> list[Row]:
    rows, i, unmarked, scored = [], 0, False, False
    while i < len(cells):
        if cells[i].text.startswith("实际完成值"):  # a header: do its rows give 分值, or only 得分?
            columns = {c.text for c in cells[i + 1 : i + 4]}
            unmarked, scored = bool(text) and "分值" not in columns, "得分" in columns
        after_budget = bool(rows) and rows[-1].kind in ("budget", "source") and rows[-1].end <= cells[i].start
        row = _source_row_at(cells, i) if after_budget else None
        row = row or (_goal_at(cells, i, text, scored) if unmarked else None) or _row_at(cells, i)
        if row is None:
            i += 1
            continue
        rows.append(row[0])
        i = row[1]
    return rows


def _goal_at(cells: list[Cell], i: int, text: str, scored: bool) -> tuple[Row, int] | None:
    """A row of an indicator table without 分值 (年度指标值, 实际完成值, perhaps 得分, 偏差原因), laid out on one line of
    tab cells: up to two levels, the indicator, its target and what was done, its score if given, and at most a reason."""
    if i and "\n" not in text[cells[i - 1].end : cells[i].start]:
        return None  # a row starts a line
    line = [cells[i]]
    while i + len(line) < len(cells) and "\n" not in text[line[-1].end : cells[i + len(line)].start]:
        line.append(cells[i + len(line)])
    levels = 0
    while levels < 2 and levels < len(line) and _LEVEL.match(line[levels].text):
        levels += 1
    rest = [c.text for c in line[levels:]]
    scored = scored and len(rest) > 3 and _NUMBER.match(rest[3]) is not None
    if len(rest) not in (3 + scored, 4 + scored) or _NUMBER.match(rest[0]) or any(_HEADER.match(t) or _LEVEL.match(t) for t in rest[:3]):
        return None
    name, target, actual = rest[:3]
    if (
        len(name) > _MAX_CELL
        or len(re.findall(r"[\u4e00-\u9fff]", name)) < 2
        or max(len(target), len(actual)) > _GOAL_CELL
        or not re.search(r"\d", target + actual)
    ):
        return None
    return _make("goal", line), i + len(line)


def _source_row_at(cells: list[Cell], i: int) -> tuple[Row, int] | None:
    """A row of the budget by source of funds right under 年度资金总额 ("其中：中央资金  800.00  800.00  762.30  —  95.29%  —")."""
    if not _SOURCE.match(cells[i].text):
        return None
    values = _run(cells, i + 1, _AMOUNT_OR_DASH, 6)
    if sum(bool(_AMOUNT.match(v.text)) for v in values) < 3:
        return None
    return _make("source", cells[i : i + 1 + len(values)]), i + 1 + len(values)


def table_breaks(text: str) -> set[int]:
    """Where line breaks in text separate table cells (or a row from the table's header), never to be joined."""
    cells = cells_of(text)
    line_end_before = _LineEnds(text)
    kept = set()
    for row in _rows_in(cells, text):
        kept |= {m.start() for m in _BREAK_IN_ROW.finditer(text, row.start, row.end)}
        kept |= {line_end_before(row.start), row.end}
    for grid in _grids_in(cells):
        kept |= {m.start() for m in _BREAK_IN_ROW.finditer(text, grid.header_start, grid.end)}
        kept |= {line_end_before(grid.header_start), grid.end}
    kept |= {cell.end for cell in cells if _HEADER.match(cell.text) or _LEVEL.match(cell.text)}
    kept |= {line_end_before(cell.start) for cell in cells if _HEADER.match(cell.text)}
    return kept


class _LineEnds:
    """Where the break before a position begins (trailing spaces and blank lines included), found by bisection.

    Looking back for the newline from each of many rows on one long line would be quadratic.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.found: dict[int, int] = {}

    def __call__(self, position: int) -> int:
        i = bisect.bisect_left(self.newlines, position) - 1
        if i < 0:
            return -1
        newline = self.newlines[i]
        if newline not in self.found:
            end = newline
            while end > 0 and self.text[end - 1] in " \t\u3000\n":
                end -= 1
            self.found[newline] = end
        return self.found[newline]


def caption_start(text: str, row_start: int) -> int | None:
    """Where the caption of the table a row belongs to starts (with the line before it when that line introduces the
    table); None when no caption line stands within reach before the row."""
    floor = max(row_start - _CAPTION_REACH, 0)
    lines = list(re.finditer(r"[^\n]*\S[^\n]*", text[floor:row_start]))[::-1]
    for i, line in enumerate(lines[1:], 1):  # the first is the row's own line, or its first cell's
        if _CAPTION.search(line.group().strip()):
            before = lines[i + 1] if i + 1 < len(lines) else None
            if before and _INTRODUCES.search(before.group()):  # its last sentence: "…情况如下表："
                return floor + before.start() + max(before.group().rstrip("：: ").rfind(c) + 1 for c in "。；;")
            return floor + line.start()
    return None


def is_header_row(quote: str) -> bool:
    """Whether a line holds only a table's column names ("一级指标 二级指标 … 偏差原因分析及改进措施"): it states nothing."""
    cells = cells_of(quote)
    return len(cells) > 1 and all(_HEADER.match(c.text) or _LEVEL.match(c.text) for c in cells)


def row_label(quote: str) -> str | None:
    """How a quoted table row reads, with its column names; None when the quote is not one row."""
    if not _CELL_GAP.search(quote) and "\n" not in quote.strip():
        return None
    rows = table_rows(quote)
    cells = cells_of(quote)
    if len(rows) != 1 or (rows[0].start, rows[0].end) != (cells[0].start, cells[-1].end):
        if len(cells) >= 3 and _is_grid_row(cells):  # a money table's row: "合计：7,982.36，8,756.39，97.55%"
            return f"{re.sub(r'^其中[:：]?', '', cells[0].text)}：{'，'.join(c.text for c in cells[1:])}。"
        return None
    return rows[0].label


def label_cells(kind: str, cells: tuple[str, ...], unit: str = "") -> str:
    """How a row reads with its column names; `unit` is the money unit of the budget's amounts, when known."""
    if kind in ("budget", "source"):
        named = "，".join(
            f"{column}{value}{unit if column in TEMPLATE_MONEY_COLUMNS else ''}"
            for column, value in zip(BUDGET_COLUMNS, cells[1:], strict=False)
            if _AMOUNT.match(value)
        )
        return f"{cells[0]}：{named}。"
    if kind == "total":
        marks = f"满分{cells[1]}，得分{cells[2]}" if len(cells) == 3 else f"得分{cells[1]}"
        return f"{cells[0]}：{marks}。"
    if kind == "goal":
        return _goal_label(cells)
    reason = () if _NUMBER.match(cells[-1]) else cells[-1:]
    body = cells[: len(cells) - len(reason)]
    levels, (name, target, actual, score, got) = body[:-5], body[-5:]
    where = f"（{'·'.join(levels)}）" if levels else ""
    because = f"，偏差原因：{reason[0]}" if reason else ""
    return f"三级指标“{name}”{where}：年度指标值{target}，实际完成值{actual}，分值{score}，得分{got}{because}。"


def _goal_label(cells: tuple[str, ...]) -> str:
    levels = [c for c in cells[:2] if _LEVEL.match(c)]
    name, target, actual, *rest = cells[len(levels) :]
    got = f"，得分{rest.pop(0)}" if rest and _NUMBER.match(rest[0]) else ""
    where = f"（{'·'.join(levels)}）" if levels else ""
    because = f"，偏差原因：{rest[0]}" if rest else ""
    return f"三级指标“{name}”{where}：年度指标值{target}，实际完成值{actual}{got}{because}。"


def _row_at(cells: list[Cell], i: int) -> tuple[Row, int] | None:
    """The row that starts at cells[i], and the index after it."""
    text = cells[i].text
    if _BUDGET.match(text):
        values = _run(cells, i + 1, _AMOUNT, 6)
        if len(values) >= 3:
            return _make("budget", cells[i : i + 1 + len(values)]), i + 1 + len(values)
        return None
    if _TOTAL.match(text):
        values = _run(cells, i + 1, _NUMBER, 2)
        if values:
            return _make("total", cells[i : i + 1 + len(values)]), i + 1 + len(values)
        return None
    levels = 0
    while levels < 2 and i + levels < len(cells) and _LEVEL.match(cells[i + levels].text):
        levels += 1
    at = i + levels
    if not _is_indicator(cells, at):
        return None
    after = at + 5
    if after < len(cells) and _is_reason(cells, after):
        after += 1
    return _make("indicator", cells[i:after]), after


def _is_indicator(cells: list[Cell], at: int) -> bool:
    if at + 5 > len(cells):
        return False
    name, target, actual, score, got = (c.text for c in cells[at : at + 5])
    return (
        bool(_NUMBER.match(score) and _NUMBER.match(got))
        and not _NUMBER.match(name)
        and not any(_LEVEL.match(t) or _HEADER.match(t) for t in (name, target, actual))
        and all(len(t) <= _MAX_CELL for t in (name, target, actual))
    )


def _is_reason(cells: list[Cell], at: int) -> bool:
    """A cell after 得分 that explains a shortfall, rather than the next row's first cell."""
    text = cells[at].text
    if _NUMBER.match(text) or _LEVEL.match(text) or _HEADER.match(text) or _BUDGET.match(text) or _TOTAL.match(text):
        return False
    if _is_indicator(cells, at):
        return False
    following = at + 1
    return following >= len(cells) or _is_indicator(cells, following) or bool(_LEVEL.match(cells[following].text) or _TOTAL.match(cells[following].text))


def _run(cells: list[Cell], start: int, pattern: re.Pattern[str], most: int) -> list[Cell]:
    run = []
    while start + len(run) < len(cells) and len(run) < most and pattern.match(cells[start + len(run)].text):
        run.append(cells[start + len(run)])
    return run


def _make(kind: str, cells: list[Cell]) -> Row:
    return Row(kind, cells[0].start, cells[-1].end, tuple(c.text for c in cells))


# -- money tables: a header of column names, then rows of a label and one figure per column ------------

_GRID_VALUE = re.compile(r"^(?:[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?|[-—–/]|／)$")
_GRID_COLUMN = re.compile(r"预算|执行|决算|支出|实际|金额|完成|收入|率|数")
_GRID_LABEL_CHARS = 20
# A first column of codes or serial numbers (科目编码 20820, 序号 3), and its header's name.
_CODE = re.compile(r"^\d{1,9}$")
_CODE_COLUMN = re.compile(r"编码|代码|编号|序号")
# The money unit a table names: in its caption ("单位：万元"), at most this far before its header, or in a header cell ("金额（万元）").
_TABLE_UNIT = re.compile(r"单位[:：]\s*(亿元|万元|元)")
_TABLE_UNIT_CELL = re.compile(r"[（(](亿元|万元|元)[）)]")
_UNIT_REACH = 400


@dataclass(frozen=True)
class GridRow:
    """A row of a money table (收支执行情况表): its label, its span, and each column's name with its cell."""

    label: str
    start: int
    end: int
    values: tuple[tuple[str, str], ...]
    header_start: int  # where its table's header row starts
    unit: str | None = None  # the money unit its table names ("单位：万元"), None when it names none

    @property
    def reading(self) -> str:
        """How the row reads: "临时救助：年初预算180.00万元，调整预算205.40万元，决算数198.75万元。"."""
        return f"{self.label}：{'，'.join(column + cell + self._unit_of(cell) for column, cell in self.values)}。"

    def _unit_of(self, cell: str) -> str:
        return (self.unit or "") if _AMOUNT.match(cell) and not cell.endswith("%") else ""


def grid_rows(text: str, start: int = 0, end: int | None = None) -> list[GridRow]:
    """The rows of the money tables in text[start:end], laid out a row per line (tabs) or one cell per line.

    A table is known by its shape: a header of short column names (at least two of them about money,
    such as 年初预算数 or 执行率), then rows of a label and exactly one figure per further column. A
    first column of codes or serial numbers (科目编码, 序号) may stand before the label; a row may leave it empty.
    """
    return _grids_in(cells_of(text, start, end), text)


@lru_cache(maxsize=64)
def _rows_by_start(text: str) -> tuple[dict[int, GridRow], dict[int, Row], str]:
    """A report's money-table rows and self-evaluation-table rows, by where they start, and its template's money
    unit (read once per report)."""
    return {row.start: row for row in grid_rows(text)}, {row.start: row for row in table_rows(text)}, template_money_unit(text)


def row_reading_in(text: str, start: int, end: int) -> str | None:
    """How text[start:end] reads in its report when it is one table row: a money table's row with its header's
    column names and unit, a budget row with the template's money unit; else None."""
    at = start + len(text[start:end]) - len(text[start:end].lstrip())
    grid, rows, money_unit = _rows_by_start(text)
    if at in grid and grid[at].end <= end:
        return grid[at].reading
    if at in rows and rows[at].end <= end and rows[at].kind in ("budget", "source", "goal"):
        return label_cells(rows[at].kind, rows[at].cells, money_unit)
    return None


def template_money_unit(text: str) -> str:
    """The money unit of a report's self-evaluation tables: 元 when their head says so, else 万元."""
    return "元" if _TEMPLATE_IN_YUAN.search(text) else "万元"


def _grids_in(cells: list[Cell], text: str = "") -> list[GridRow]:
    found: list[GridRow] = []
    k = 1
    while k < len(cells):
        if not _is_grid_value(cells[k].text) or _is_grid_value(cells[k - 1].text):
            k += 1
            continue
        values = _values_from(cells, k)
        # In a coded table the next row's code follows the values: the header's width tells.
        shapes = ((1 + values - 1, True), (1 + values, True), (1 + values, False))
        table = next(((t, width) for width, coded in shapes if width >= 3 and (t := _table_at(cells, k, width, coded))), None)
        if table is None:
            k += 1
            continue
        (header, coded), width = table
        columns = tuple(c.text for c in header[1 + coded :])
        unit = _unit_named(text, header)
        r = k - 1 - coded
        while r < len(cells):
            skip = int(coded and _CODE.match(cells[r].text) is not None)
            row = cells[r + skip : r + skip + width]
            if len(row) < width or not _is_grid_row(row):
                break
            label = re.sub(r"^其中[:：]?", "", row[0].text)
            values = tuple(zip(columns, (c.text for c in row[1:])))
            found.append(GridRow(label, cells[r].start, row[-1].end, values, header[0].start, unit))
            r += skip + width
        k = max(r + 1, k + 1)
    return found


def _table_at(cells: list[Cell], k: int, width: int, coded: bool) -> tuple[list[Cell], int] | None:
    """The header of the table whose first row's values start at cells[k], with or without a code column first."""
    first = k - 1 - coded
    if coded and (first < 0 or not _CODE.match(cells[first].text)):
        return None
    size = width + coded
    header = cells[first - size : first] if first - size >= 0 else []
    if not header or not _is_header(header[coded:]) or (coded and not _CODE_COLUMN.search(header[0].text)):
        return None
    return header, int(coded)


def _unit_named(text: str, header: list[Cell]) -> str | None:
    """The money unit a table names in its caption just before its header, or in its header's cells."""
    named = _TABLE_UNIT.search(text, max(0, header[0].start - _UNIT_REACH), header[0].start) if text else None
    named = named or next((m for c in header if (m := _TABLE_UNIT_CELL.search(c.text))), None)
    return named.group(1) if named else None


def _is_grid_value(text: str) -> bool:
    return bool(_GRID_VALUE.match(text))


def _values_from(cells: list[Cell], k: int) -> int:
    n = 0
    while k + n < len(cells) and _is_grid_value(cells[k + n].text):
        n += 1
    return n


def _is_header(header: list[Cell]) -> bool:
    names = [c.text for c in header]
    return len(names) >= 3 and all(len(n) <= 10 and not _is_grid_value(n) for n in names) and sum(bool(_GRID_COLUMN.search(n)) for n in names[1:]) >= 2


def _is_grid_row(cells: list[Cell]) -> bool:
    label = cells[0].text
    return not _is_grid_value(label) and len(label) <= _GRID_LABEL_CHARS and not _BUDGET.match(label) and all(_is_grid_value(c.text) for c in cells[1:])
