"""Key figures and consistency checks: the two real reports, small inputs, and a synthetic corpus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.synthetic import KEY_MONEY_METRICS, SyntheticReport, generate_corpus
from index.cleaning import match_key
from index.figures import check_figures, extract_figures
from index.metadata import read_metadata
from index.models import Figure, Report

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _report(text: str, source: str = "test.txt") -> Report:
    return Report(read_metadata(text, source), text, sections=())


def _load(stem: str) -> Report:
    path = next(CORPUS.glob(f"{stem}*.txt"))
    return _report(path.read_text(encoding="utf-8"), path.name)


@pytest.fixture(scope="module")
def wangcheng() -> Report:
    return _load("wangcheng")


@pytest.fixture(scope="module")
def changning() -> Report:
    return _load("changning")


def _table(figures: list[Figure]) -> dict[str, tuple[float, str, str | None]]:
    table = {f.metric: (f.value, f.unit, f.basis) for f in figures}
    assert len(table) == len(figures), "a metric was extracted twice"
    return table


WANGCHENG = {
    "内设机构数": (5, "个", None),
    "编制": (17, "个", None),
    "行政编制": (15, "个", None),
    "工勤编制": (2, "个", None),
    "在职人数": (18, "人", None),
    "临聘人员": (9, "人", None),
    "退休人数": (39, "人", None),
    "一般公共预算拨款收入": (2284.43, "万元", None),
    "基本支出": (1193.43, "万元", "年初预算"),
    "项目支出": (1091, "万元", "年初预算"),
    "项目支出:关停企业留守处工作补助和留守工作人员企业内退人员补助专项": (207, "万元", "年初预算"),
    "项目支出:铜官陶瓷公司4050人员生活费及留守处费用和留守人员工资等方面专项": (446, "万元", "年初预算"),
    "项目支出:铜官陶瓷总公司职工社保缴费等历史遗留问题及留守处运行经费": (170, "万元", "年初预算"),
    "项目支出:工业运行调度、招商引资等日常专项": (218, "万元", "年初预算"),
    "项目支出:移交办工作经费": (50, "万元", "年初预算"),
}

CHANGNING = {
    "内设机构数": (14, "个", None),
    "总支出": (5252.64, "万元", None),
    "基本支出": (793.43, "万元", None),
    "项目支出": (4459.21, "万元", None),
    "人员经费": (793.43, "万元", None),
    "公用经费": (57.38, "万元", None),
    "一般公共服务支出": (379.62, "万元", None),
    "科学技术支出": (720.38, "万元", None),
    "社会保障和就业支出": (82.82, "万元", None),
    "卫生健康支出": (1333.84, "万元", None),
    "城乡社区支出": (340, "万元", None),
    "农林水支出": (6, "万元", None),
    "资源勘探工业信息等支出": (1857.19, "万元", None),
    "住房保障支出": (36.57, "万元", None),
    "应急物资储备支出": (350.28, "万元", None),
    "灾害防治及应急管理支出": (0.5, "万元", None),  # written 灾害防治应急管理支出
    "三公经费": (11, "万元", None),
    "公务接待费": (4, "万元", None),
    "公务用车运行维护费": (7, "万元", None),
}


def test_wangcheng_figures_exactly(wangcheng: Report) -> None:
    assert _table(extract_figures(wangcheng)) == WANGCHENG


def test_changning_figures_exactly(changning: Report) -> None:
    assert _table(extract_figures(changning)) == CHANGNING


@pytest.mark.parametrize("stem", ["wangcheng", "changning"])
def test_quotes_are_original_sentences_holding_the_figure(stem: str) -> None:
    report = _load(stem)
    for figure in extract_figures(report):
        assert report.text[figure.start : figure.end] == figure.quote
        written = "五个科室" if figure.quote.endswith("五个科室。") else f"{figure.value:g}"
        assert written in match_key(figure.quote), figure
        assert len(figure.quote) < 200 and "\n\n" not in figure.quote.replace("专\n\n项", ""), figure.quote
        assert (figure.report_id, figure.bureau) == (report.meta.id, report.meta.bureau)


def test_quote_spans_the_page_break(wangcheng: Report) -> None:
    figure = next(f for f in extract_figures(wangcheng) if f.value == 446)
    assert figure.quote.startswith("铜官陶瓷公司 4050 人员生活费")
    assert "等方面专\n\n项 446 万元;" in figure.quote


def test_figures_carry_report_identity(changning: Report) -> None:
    figure = next(f for f in extract_figures(changning) if f.metric == "总支出")
    assert figure.bureau == "常宁市科技和工业信息化局"
    assert figure.quote == "2022年度，我局总支出5252.64万元。"


def _checks(report: Report) -> dict[str, tuple[float, float, bool]]:
    checks = check_figures(extract_figures(report))
    return {c.name: (c.total.value, round(c.parts_sum, 2), c.consistent) for c in checks}


def test_wangcheng_checks(wangcheng: Report) -> None:
    assert _checks(wangcheng) == {
        "项目支出明细=项目支出": (1091, 1091, True),  # 207+446+170+218+50
        "编制明细=编制": (17, 17, True),
    }


def test_changning_checks(changning: Report) -> None:
    assert _checks(changning) == {
        "基本支出+项目支出=总支出": (5252.64, 5252.64, True),
        "功能分类=项目支出": (4459.21, 5107.20, False),
        "三公经费明细=三公经费": (11, 11, True),
    }
    functional = next(c for c in check_figures(extract_figures(changning)) if c.name == "功能分类=项目支出")
    assert len(functional.parts) == 10
    assert functional.note == "功能分类支出合计5107.20万元，与所列项目支出4459.21万元相差647.99万元。"


def _figure(metric: str, value: float, unit: str = "万元", basis: str | None = None) -> Figure:
    return Figure("r1", "某局", metric, value, unit, basis, "", 0, 0)


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        # rounding: 0.01 a part plus 0.05 is tolerated, a 万元 is not
        ([_figure("三公经费", 10.0), _figure("公务接待费", 3.33), _figure("公务用车运行维护费", 6.70)], True),
        ([_figure("三公经费", 10.0), _figure("公务接待费", 3.0), _figure("公务用车运行维护费", 6.0)], False),
        ([_figure("编制", 20, "个"), _figure("行政编制", 15, "个"), _figure("事业编制", 4, "个")], False),
        # parts in 万元 against a total in 亿元
        ([_figure("总支出", 1.2, "亿元"), _figure("基本支出", 2000.0), _figure("项目支出", 10000.0)], True),
    ],
)
def test_check_tolerance(figures: list[Figure], expected: bool) -> None:
    (check,) = check_figures(figures)
    assert check.consistent is expected


@pytest.mark.parametrize(
    "figures",
    [
        [_figure("三公经费", 10.0), _figure("公务接待费", 3.0)],  # one part only
        [_figure("公务接待费", 3.0), _figure("公务用车运行维护费", 6.0)],  # no total
        [_figure("总支出", 5.0), _figure("基本支出", 1.0), _figure("基本支出", 2.0, basis="决算")],  # one metric twice
        [],
    ],
)
def test_no_check_without_total_and_two_parts(figures: list[Figure]) -> None:
    assert check_figures(figures) == []


def test_checks_compare_like_basis_with_like() -> None:
    figures = [
        _figure("总支出", 300.0, basis="决算"),
        _figure("基本支出", 100.0, basis="年初预算"),
        _figure("基本支出", 120.0, basis="决算"),
        _figure("项目支出", 180.0, basis="决算"),
    ]
    (check,) = check_figures(figures)
    assert (check.parts_sum, check.consistent) == (300.0, True)


def test_checks_are_per_report() -> None:
    other = Figure("r2", "另一局", "公务接待费", 1.0, "万元", None, "", 0, 0)
    assert check_figures([_figure("三公经费", 3.0), _figure("公务车运行维护费", 2.0), other]) == []


SMALL = "二、部门整体支出情况\n\n{}\n\n三、部门整体支出绩效情况\n\n1、强化工业运行监测。全区完成规模工业产值936.1亿元，同比增长4.1%，新增规上工业企业25家，协议移交退休人员3503人。\n"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("公用经费57.38万。", {("公用经费", 57.38, "万元")}),
        ("“三公”经费支出0元，其中公务接待费0元。", {("三公经费", 0.0, "万元"), ("公务接待费", 0.0, "万元")}),
        ("全年总支出1.25亿元。", {("总支出", 1.25, "亿元")}),
        ("基本支出（含人员经费和公用经费）793.43万元。", {("基本支出", 793.43, "万元")}),
        ("因公出国（境）费用2万元，公务用车购置及运行维护费6万元。", {("因公出国（境）费", 2.0, "万元")}),
        ("基本支出较上年增加10万元，增长3%。", set()),
        ("局机关内设办公室、财务股、信访室三个股室，下设五个督查小组。", {("内设机构数", 3.0, "个")}),
        ("核定编制十二个，其中行政编制10个、工勤编制2个。", {("编制", 12.0, "个"), ("行政编制", 10.0, "个"), ("工勤编制", 2.0, "个")}),
        ("在职人员中党员12人，政府雇员2人。", set()),
        (
            "项目支出主要包括：移交办工作经费：50万元；日常专项218万元；年末结转结余资金31万元。",
            {("项目支出:移交办工作经费", 50.0, "万元"), ("项目支出:日常专项", 218.0, "万元")},
        ),
        ("2021年本年收入\n\n合计3815.47万元。", {("收入合计", 3815.47, "万元")}),
        ("项目支出全年实际支\n\n- 2 -\n\n出1417.49万元。", {("项目支出", 1417.49, "万元")}),
    ],
)
def test_small_inputs(sentence: str, expected: set[tuple[str, float, str]]) -> None:
    report = _report(SMALL.format(sentence))
    figures = extract_figures(report)
    assert {(f.metric, f.value, f.unit) for f in figures} == expected
    assert all(report.text[f.start : f.end] == f.quote for f in figures)


@pytest.mark.parametrize(
    "budget",
    [
        "（二）项目支出情况\n\n（1）中小企业发展\n\n专项546.99万元。\n\n（2）移交办工作经\n\n费：50万元。",
        "项目支出596.99万元，具体如下：\n\n1、中小企业发展专项546.99万元。\n\n2、移交办工作经费50万元。",
        "项目支出主要包括：\n\n1、中小企业发展专项546.99万元。\n\n2、移交办工作经费50万元。",
    ],
)
def test_listed_projects_in_numbered_items(budget: str) -> None:
    figures = extract_figures(_report(SMALL.format(budget)))
    assert {(f.metric, f.value) for f in figures if f.metric.startswith("项目支出:")} == {
        ("项目支出:中小企业发展专项", 546.99),
        ("项目支出:移交办工作经费", 50.0),
    }


def test_basis_is_read_from_the_sentence() -> None:
    report = _report(SMALL.format("基本支出决算数为700万元，项目支出实际支出300万元，预计全年项目资金支出320万元。"))
    assert {(f.metric, f.value, f.basis) for f in extract_figures(report)} == {
        ("基本支出", 700.0, "决算"),
        ("项目支出", 300.0, "实际"),
        ("项目支出", 320.0, "预计"),
    }


def test_word_cut_by_a_page_break_after_a_numbered_line() -> None:
    report = _report(SMALL.format("1、人员经费261.46万元。\n\n2、公用经\n\n费67.25万元。用于单位的公务开支。"))
    figure = next(f for f in extract_figures(report) if f.metric == "公用经费")
    assert figure.value == 67.25
    assert figure.quote == "2、公用经\n\n费67.25万元。"


# Parts each check sums, as the generator states them; a check runs only with a total and two parts.
_CHECK_PARTS: dict[str, Callable[[str], bool]] = {
    "基本支出+项目支出=总支出": lambda m: m in ("基本支出", "项目支出"),
    "项目支出明细=项目支出": lambda m: m.startswith("项目支出:"),
    "功能分类=项目支出": lambda m: m.endswith("支出") and m not in KEY_MONEY_METRICS,
    "三公经费明细=三公经费": lambda m: m in ("公务接待费", "公务用车运行维护费", "公务用车购置费", "因公出国（境）费"),
    "编制明细=编制": lambda m: m in ("行政编制", "事业编制", "工勤编制"),
}


Synthetic = list[tuple[SyntheticReport, list[Figure]]]


@pytest.fixture(scope="module")
def synthetic() -> Synthetic:
    reports = generate_corpus(40, seed=7)
    return [(s, extract_figures(_report(s.text, s.file_name))) for s in reports]


def test_synthetic_precision_and_recall(synthetic: Synthetic, capsys: pytest.CaptureFixture[str]) -> None:
    true_positives = extracted = stated = 0
    for report, figures in synthetic:
        got = {(f.metric, round(f.value, 2), f.unit) for f in figures}
        want = {(f.metric, round(f.value, 2), f.unit) for f in report.figures}
        true_positives += len(got & want)
        extracted += len(got)
        stated += len(want)
        for figure in figures:
            assert report.text[figure.start : figure.end] == figure.quote
    precision, recall = true_positives / extracted, true_positives / stated
    with capsys.disabled():
        print(
            f"\nfigures on {len(synthetic)} synthetic reports: precision {precision:.3f}, recall {recall:.3f} "
            f"({true_positives} of {extracted} extracted, {stated} stated)"
        )
    assert precision >= 0.95
    assert recall >= 0.9


def test_synthetic_checks_flag_exactly_the_broken_ones(synthetic: Synthetic) -> None:
    for report, figures in synthetic:
        metrics = [f.metric for f in report.figures]
        expected = {n for n in report.inconsistent_checks if sum(map(_CHECK_PARTS[n], metrics)) >= 2}
        flagged = {c.name for c in check_figures(figures) if not c.consistent}
        assert flagged == expected, report.file_name


@pytest.mark.parametrize(
    ("text", "basis"),
    [
        ("年初预算数", "年初预算"),
        ("调整后预算数", "全年预算"),
        ("实际支出数", "实际"),
        ("全年执行数", "实际"),
        ("决算数", "决算"),
        ("执行率", None),
        ("预算执行率多少", None),
    ],
)
def test_a_column_or_a_question_names_its_basis_in_one_place(text, basis):
    from index.figures import basis_named

    assert basis_named(text) == basis


def test_a_stored_amount_not_found_as_written_is_shown_to_two_decimals_rounded_half_up():
    from assistant.answering import figure_as_written
    from index.models import Figure

    shown = [figure_as_written(Figure("r", "b", "三公经费", value, "万元", None, "", 0, 0))[0] for value in (5.585, 1964.531842, 11.0)]
    assert shown == ["5.59", "1964.53", "11"]


def test_an_amount_is_stated_as_its_report_writes_it():
    from assistant.answering import figure_as_written
    from index.models import Figure

    def stored(value: float, quote: str) -> Figure:
        return Figure("r", "张北县医疗保障局", "三公经费", value, "万元", None, quote, 0, len(quote))

    assert figure_as_written(stored(3.864250, "“三公”经费支出38,642.50元，上年为45,318.00元")) == ("38,642.50", "元")
    assert figure_as_written(stored(36200.0, "基金收入3.62亿元，上年为3.47亿元")) == ("3.62", "亿元")
    assert figure_as_written(stored(793.43, "“三公”经费793.43万元")) == ("793.43", "万元")
    assert figure_as_written(stored(1200.0, "年度资金总额\t1,200.00\t1,200.00\t1,146.72")) == ("1,200.00", "万元")
    assert figure_as_written(stored(4327.58, "合计\n4 327.58\n4 215.06")) == ("4327.58", "万元")  # digits broken by a PDF: the stored value


def test_the_departments_execution_rate_in_words_is_a_key_figure_and_a_projects_is_not():
    text = SMALL.format(
        "年初预算5,284.08万元，年中调整为5,551.13万元，全年预算执行率98.92%。"
        "森林草原防火项目调整后预算150.50万元，决算67.47万元，预算执行率44.83%。项目支出预算执行率92.28%。"
    )
    rates = [(f.value, f.quote) for f in extract_figures(_report(text)) if f.metric == "预算执行率"]
    assert rates == [(98.92, "年初预算5,284.08万元，年中调整为5,551.13万元，全年预算执行率98.92%。")]
    project = "二、项目基本情况\n\n（一）畜禽粪污资源化利用整县推进项目\n\n全年执行1,086.45万元，预算执行率94.47%。\n"
    assert [f for f in extract_figures(_report(project)) if f.metric == "预算执行率"] == []


def test_the_departments_whole_budget_and_spending_in_words_are_its_total_on_their_basis():
    text = SMALL.format(
        "2024年全年预算1,587.90万元，实际支出1,521.64万元，预算执行率95.83%。"
        "其中，基本支出预算612.45万元，实际支出608.20万元。档案编研项目预算15.00万元，支出12.75万元。"
        "二〇二三年度全镇部门年初预算3,862.45万元，年中追加300.00万元；全年决算支出3,741.08万元。"
        "2023年年初预算3856.42万元，年中追加中央及省级林业改革发展资金等，全年预算（调整后）为5213.87万元。"
    )
    totals = [(f.value, f.basis) for f in extract_figures(_report(text)) if f.metric == "总支出"]
    assert totals == [(1587.9, "全年预算"), (1521.64, "实际"), (3862.45, "年初预算"), (3741.08, "决算"), (3856.42, "年初预算"), (5213.87, "全年预算")]
    project = "二、项目基本情况\n\n（一）畜禽粪污资源化利用整县推进项目\n\n全年预算1,150.00万元，实际支出1,086.45万元。\n"
    assert [f for f in extract_figures(_report(project)) if f.metric == "总支出"] == []  # a project's, not the department's


def test_a_total_on_several_bases_answers_the_flow_asked():
    from assistant.answering import on_the_asked_flow

    budget, spent, stated = (_figure("总支出", value, basis=basis) for value, basis in ((1587.9, "全年预算"), (1521.64, "实际"), (1500.0, None)))
    figures = [budget, stated, spent]
    assert on_the_asked_flow(figures, "总支出", "全年花了多少")[0] == spent
    assert on_the_asked_flow(figures, "总支出", "总支出是多少")[0] == spent  # a total spent, unless a budget is asked
    assert on_the_asked_flow(figures, "总支出", "预算给了多少")[0] == budget
    assert on_the_asked_flow(figures, "基本支出", "基本支出多少") == figures  # another metric: as the report states them


def test_the_departments_whole_score_in_words_is_stored_before_a_projects_table_total():
    text = SMALL.format(
        "义务教育薄弱环节改善项目绩效目标完成情况如下表：\n\n项目支出绩效自评表\n\n"
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n\n"
        "产出指标\t数量指标\t新建塑胶运动场\t5个\t5个\t10\t10\n\n总分\t100\t95.89\n\n"
        "五、自评结论\n\n综合评价，本局2024年度部门整体支出绩效自评得分93.4分，自评等级为“优”。"
        "经自评，该项目总得分97.06分。"
    )
    scores = [(f.value, f.basis) for f in extract_figures(_report(text)) if f.metric == "自评得分"]
    assert scores == [(93.4, None), (95.89, "总分")]  # a project's own score in words is not the department's


def test_parts_listed_after_a_total_take_its_basis_and_are_checked_against_it_alone():
    text = SMALL.format(
        "2024年部门年初预算1046.80万元，调整后预算1362.55万元。全年实际支出1305.72万元，预算执行率95.83%。其中基本支出762.48万元，项目支出543.24万元。"
    )
    figures = extract_figures(_report(text))
    assert {(f.metric, f.basis) for f in figures if f.metric in ("基本支出", "项目支出")} == {("基本支出", "实际"), ("项目支出", "实际")}
    assert [(c.total.value, c.consistent) for c in check_figures(figures)] == [(1305.72, True)]


def test_a_rate_named_in_a_table_cell_is_not_read_from_the_next_cell():
    text = "一、部门整体支出情况\n\n一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n预算执行\t预算执行率\t预算执行率\t100%\t91.68%\t10\t9.2\n"
    assert [f for f in extract_figures(_report(text)) if f.metric == "预算执行率"] == []


def test_a_project_reports_own_rate_is_its_key_figure_and_another_projects_is_not():
    text = (
        "宁陕县交通运输局2024年农村公路养护项目支出绩效自评报告\n\n一、项目基本情况\n\n"
        "截至2024年12月31日，项目实际支出2,790.42万元，资金执行率97.40%，结余74.58万元。"
        "其中水毁修复项目支出120.84万元，预算执行率89.12%。\n"
    )
    assert _project_figures(text, "预算执行率") == [97.4]


def test_parts_after_a_sentence_naming_several_totals_take_the_basis_it_names_last():
    text = SMALL.format("2023年年初预算12,486.37万元，全年预算调整为31,952.08万元，全年执行30,417.66万元。其中基本支出1,862.45万元，项目支出28,555.21万元。")
    parts = {(f.metric, f.basis) for f in extract_figures(_report(text)) if f.metric in ("基本支出", "项目支出")}
    assert parts == {("基本支出", "实际"), ("项目支出", "实际")}


def test_a_self_evaluation_tables_rows_by_kind_of_spending_are_key_figures_on_each_basis():
    table = (
        "年度预算执行情况（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\n\n"
        "年度资金总额\t5,286.40\t6,132.75\t5,918.36\t10\t96.50%\t9.65\n\n"
        "其中：基本支出\t3,412.80\t3,498.16\t3,498.16\t—\t100.00%\t—\n\n"
        "项目支出\t1,873.60\t2,634.59\t2,420.20\t—\t91.86%\t—"
    )
    figures = extract_figures(_report(SMALL.format("金额单位：万元\n\n" + table)))
    assert [(f.value, f.basis, f.quote) for f in figures if f.metric == "项目支出"] == [
        (2420.2, "实际", "项目支出\t1,873.60\t2,634.59\t2,420.20\t—\t91.86%\t—"),
        (2634.59, "全年预算", "项目支出\t1,873.60\t2,634.59\t2,420.20\t—\t91.86%\t—"),
        (1873.6, "年初预算", "项目支出\t1,873.60\t2,634.59\t2,420.20\t—\t91.86%\t—"),
    ]
    assert [f.value for f in figures if f.metric == "基本支出"] == [3498.16, 3498.16, 3412.8]


def test_a_project_reports_own_score_in_words_is_its_key_figure_and_a_parts_is_not():
    text = (
        "岚县自然资源局2022年度地质灾害综合防治项目支出绩效自评报告\n\n四、自评结论\n\n"
        "根据项目支出绩效评价指标体系，岚县2022年地质灾害综合防治项目自评得分91.5分，自评等级为“优”。"
        "其中：预算执行率得分9.4分，产出指标得分45.1分。\n"
    )
    assert _project_figures(text, "自评得分") == [91.5]


def _project_figures(text: str, metric: str) -> list[float]:
    """The values of one metric a report on one project states, checking it is read as such a report."""
    report = _report(text)
    assert report.meta.kind == "项目支出绩效自评报告"
    return [f.value for f in extract_figures(report) if f.metric == metric]
