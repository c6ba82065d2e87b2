"""Query understanding: bureau aliases, years, comparison intent, shapes and follow-ups."""

from __future__ import annotations

import pytest
from conftest import CHANGNING, WANGCHENG

from assistant.errors import BadQuestionError, UnknownBureauError
from assistant.query import QueryAnalyzer, check_question, question_shape, rewrite_follow_up
from index.metadata import read_metadata

WC = "长沙市望城区工业和信息化局"
CN = "常宁市科技和工业信息化局"


@pytest.fixture(scope="module")
def analyzer() -> QueryAnalyzer:
    reports = [read_metadata(path.read_text(encoding="utf-8"), str(path)) for path in (WANGCHENG, CHANGNING)]
    return QueryAnalyzer(reports)


def bureaus(query) -> list[str]:
    return sorted(r.bureau for r in query.reports)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("望城区工信局2021年一般公共预算拨款收入是多少？", [WC]),
        ("望城的编制有多少？", [WC]),
        ("长沙市望城区工业和信息化局的问题", [WC]),
        ("常宁市科工信局的三公经费", [CN]),
        ("常宁科工信局内设多少个股室", [CN]),
        ("常宁市科技和工业信息化局总支出", [CN]),
        ("新增了多少家专精特新企业？", [CN, WC]),  # names no bureau: all reports
    ],
)
def test_a_question_is_limited_to_the_bureaus_it_names(analyzer, question, expected):
    assert bureaus(analyzer.analyze(question)) == sorted(expected)


@pytest.mark.parametrize(
    ("question", "missing_word"),
    [
        ("株洲市工信局2022年总支出是多少？", "株洲市工信局"),
        ("望城区工信局2023年的部门预算是多少？", "2023"),
        ("常宁市2021年的基本支出？", "2021"),
        ("长沙市工信局2021年收入", "长沙市工信局"),  # the city's own bureau, not the district's
        ("望城区财政局基本支出多少？", "望城区财政局"),  # another organisation at an indexed bureau's place
        ("常宁教育局的项目支出", "常宁教育局"),
        ("望城区人民医院在职职工有多少人", "望城区人民医院"),  # a hospital, a school, a centre are bodies too
        ("常宁一中项目支出多少", "常宁一中"),
        ("常宁疾控中心收入多少", "常宁疾控中心"),
        ("望城区白沙洲街道有多少社区工作者", "望城区白沙洲街道"),  # a street office at an indexed bureau's place
    ],
)
def test_an_unindexed_bureau_or_year_is_named_and_nothing_is_searched(analyzer, question, missing_word):
    query = analyzer.analyze(question)
    assert query.reports == ()
    assert missing_word in query.missing
    assert WC in query.missing or CN in query.missing  # lists what is indexed


@pytest.mark.parametrize("question", ["望城中心城区新增多少企业", "常宁中小企业获得多少资金", "望城各街道新增多少企业"])
def test_a_centre_of_town_is_not_a_body(analyzer, question):
    assert analyzer.analyze(question).missing is None


def test_a_year_that_dates_a_fact_inside_the_report_does_not_filter(analyzer):
    query = analyzer.analyze("望城区为多少家企业兑现了2020年度制造业高质量发展奖补资金？")
    assert bureaus(query) == [WC] and query.missing is None


def test_explicit_filters_override_and_unknown_bureaus_list_the_choices(analyzer):
    assert bureaus(analyzer.analyze("基本支出是多少", bureau="常宁")) == [CN]
    assert bureaus(analyzer.analyze("基本支出是多少", year=2021)) == [WC]
    with pytest.raises(UnknownBureauError, match=CN):
        analyzer.resolve_bureau("株洲")


@pytest.mark.parametrize(
    ("question", "compare"),
    [
        ("比较望城和常宁的基本支出", True),
        ("比较望城区工信局和常宁市科工信局的基本支出", True),
        ("望城和常宁两个局的自评报告分别指出了哪些问题？", True),
        ("两个局争取上级资金的情况对比", True),
        ("望城区工信局和常宁市科工信局在帮扶企业方面各做了哪些工作？", True),
        ("望城与常宁的三公经费有何不同", True),
        ("望城区工信局的基本支出是多少", False),
        ("比较望城的基本支出和项目支出", False),  # one bureau: not a comparison of bureaus
        ("常宁的问题有哪些", False),
    ],
)
def test_comparison_intent(analyzer, question, compare):
    assert analyzer.analyze(question).compare is compare


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("一般公共预算拨款收入是多少？", "number"),
        ("共有几个编制", "number"),
        ("项目支出年初预算是多少，主要用在哪些方面？", "number"),
        ("内设哪些科室？", "list"),
        ("结论有哪些", "list"),
        ("5G基站建设任务完成得怎么样？", "how"),
        ("哪家企业获评国家级绿色工厂？", "what"),
    ],
)
def test_question_shape(question, shape):
    assert question_shape(question) == shape


@pytest.mark.parametrize("text", ["", "   ", "？？？", "……！", "\n\t"])
def test_questions_without_words_are_refused(text):
    with pytest.raises(BadQuestionError):
        check_question(text, 500)


def test_an_overlong_question_is_refused_with_the_limit():
    with pytest.raises(BadQuestionError, match="500"):
        check_question("预算" * 300, 500)


@pytest.mark.parametrize(
    ("follow_up", "rewritten"),
    [
        ("那常宁呢？", "常宁一般公共预算拨款收入是多少？"),
        ("常宁的呢", "常宁一般公共预算拨款收入是多少？"),
        ("那常宁市科工信局怎么样呢？", "常宁市科工信局一般公共预算拨款收入是多少？"),
        ("常宁有几家企业获得制造强省专项资金？", "常宁有几家企业获得制造强省专项资金？"),  # a new question
    ],
)
def test_follow_up_asks_the_previous_question_about_the_new_bureau(analyzer, follow_up, rewritten):
    previous = analyzer.analyze("望城区工信局2021年一般公共预算拨款收入是多少？")
    assert rewrite_follow_up(follow_up, previous, analyzer) == rewritten


def test_without_history_a_follow_up_is_left_alone(analyzer):
    assert rewrite_follow_up("那常宁呢？", None, analyzer) == "那常宁呢？"


def test_a_bureau_with_reports_for_several_years_is_scoped_by_year():
    text = WANGCHENG.read_text(encoding="utf-8")
    years = [read_metadata(text.replace("2021年度", f"{year}年度", 1), f"wangcheng-{year}.txt") for year in (2020, 2021)]
    analyzer = QueryAnalyzer(years)
    assert sorted(r.year for r in analyzer.analyze("望城区工信局的基本支出是多少？").reports) == [2020, 2021]
    assert [r.year for r in analyzer.analyze("望城区工信局2020年基本支出是多少？").reports] == [2020]
    assert analyzer.analyze("望城区工信局2019年基本支出是多少？").missing


def _report(bureau: str, aliases: tuple[str, ...], year: int = 2023, kind: str = ""):
    from index.models import ReportMeta

    county = aliases[-2] if len(aliases) > 1 else ""
    return ReportMeta(
        id=bureau,
        title=f"{bureau}{year}年度报告",
        bureau=bureau,
        province="",
        city="",
        county=county,
        year=year,
        signed=None,
        kind=kind,
        aliases=aliases,
        source=f"{bureau}.txt",
        content_hash=bureau,
        published=None,
        needs_review=(),
        pages=(),
        ocr_pages=(),
    )


YY = _report("弋阳县文化广电新闻出版旅游局", ("弋阳县文化广电新闻出版旅游局", "弋阳县", "弋阳"))
MT = _report("湄潭县交通运输局", ("湄潭县交通运输局", "湄潭县", "湄潭"), 2022)


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("弋阳文广旅局去年收入一共多少", "      去年收入一共多少"),  # 文广旅局 abbreviates the bureau: part of its name
        ("弋阳文广旅送戏下乡搞了几场", "     送戏下乡搞了几场"),  # three characters in order, no 局 needed
        ("弋阳文化活动办了多少场", "  文化活动办了多少场"),  # two characters alone stay a topic
        ("弋阳的龟峰景区带动多少户增收", "  的龟峰景区带动多少户增收"),
        ("弋阳文旅和望城的满意度", "    和望城的满意度"),  # two characters standing alone before 和 are its name
        ("弋阳文旅的满意度", "    的满意度"),
        ("弋阳文旅2023年收入", "    2023年收入"),  # a year after the short name: the name ends there
        ("弋阳文旅是管啥的", "    是管啥的"),  # a word of its own (as jieba cuts it) before a question word
    ],
)
def test_the_bureaus_short_name_typed_after_its_place_is_not_asked_about(question, asked):
    from assistant.query import without_names

    assert without_names(question, (YY,)) == asked


def test_a_year_after_the_bureaus_short_name_picks_its_report():
    analyzer = QueryAnalyzer([MT])
    query = analyzer.analyze("湄潭交通局2023年的养护项目花了多少钱")
    assert query.years == (2023,) and query.reports == () and "2023" in query.missing


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("基本支出和项目支出分别多少", "number"),
        ("送戏下乡搞了几场", "number"),
        ("渠道多长", "number"),
        ("职专的钱执行了百分之几", "number"),
        ("分别有哪些问题", "list"),
    ],
)
def test_measure_words_and_each_ask_for_figures(question, shape):
    assert question_shape(question) == shape


def test_a_pair_named_by_its_kind_is_those_two_bureaus():
    metas = [read_metadata(path.read_text(encoding="utf-8"), str(path)) for path in (WANGCHENG, CHANGNING)]
    hospital = read_metadata("城固县中医医院2023年度部门整体支出绩效自评报告\n一、基本情况\n城固县中医医院是公益二类事业单位。", "h.txt")
    analyzer = QueryAnalyzer([*metas, hospital])
    assert sorted(analyzer.kind_named("比较一下两个工信局的项目支出")) == sorted([WC, CN])
    assert analyzer.kind_named("比较一下两个卫健局的项目支出") == []  # no such pair: the user is asked which
    assert analyzer.kind_named("比较一下项目支出") == []


def test_a_short_name_that_opens_like_the_bureaus_own_is_part_of_it():
    from assistant.query import without_names

    market = _report("库车市市场监督管理局", ("库车市市场监督管理局", "库车市", "库车"))
    assert without_names("库车市监编制多少", (market,)).strip() == "编制多少"
    housing = _report("岫岩满族自治县住房和城乡建设局", ("岫岩满族自治县住房和城乡建设局", "岫岩"))
    assert without_names("岫岩住建花了多少", (housing,)).strip() == "花了多少"  # jieba cuts 住|建花: the short form is still the name
    town = _report("横州市六景镇人民政府", ("横州市六景镇人民政府", "六景镇", "六景"))
    assert without_names("六景政府性基金执行了多少", (town,)).strip() == "政府性基金执行了多少"  # 政府 opens no short form of 人民政府


def test_the_whole_name_but_its_organisation_word_is_the_bureaus_name():
    from assistant.query import without_names

    justice = _report("永泰县司法局", ("永泰县司法局", "永泰县", "永泰"))
    assert without_names("平遥民政和永泰司法自评谁分高", (justice,)) == "平遥民政和    自评谁分高"


def test_another_place_with_the_short_name_of_an_indexed_kind_of_bureau_is_not_indexed():
    housing = _report("岫岩满族自治县住房和城乡建设局", ("岫岩满族自治县住房和城乡建设局", "岫岩满族自治县", "岫岩"))
    analyzer = QueryAnalyzer([housing, _report("天台县退役军人事务局", ("天台县退役军人事务局", "天台县", "天台"))])
    assert "凤城住建" in analyzer.analyze("凤城住建老旧小区改了几个").missing
    assert analyzer.analyze("岫岩住建老旧小区改了几个").missing is None
    assert analyzer.analyze("长沙市老旧小区改了几个").missing is None  # a place, and no bureau's short name after it
    # 水务局 is no short form of 退役军人事务局: a short form opens like the name it abbreviates
    assert "水务局" in analyzer.analyze("水务局今年预算执行率多少").missing
    assert analyzer.analyze("住建局今年预算执行率多少").missing is None


def test_a_unit_under_an_indexed_bureau_that_its_report_writes_about_is_asked_of_that_report():
    education = _report("临湘市教育局", ("临湘市教育局", "临湘市", "临湘"))
    school = _report("敦化市第三中学", ("敦化市第三中学", "敦化市", "敦化"))
    texts = {education.id: "即局机关本级和市第一中学、临湘市第二中学等5所直属学校。", school.id: "敦化市第一中学、敦化市第三中学联合教研。"}
    analyzer = QueryAnalyzer([education, school], texts.__getitem__)
    query = analyzer.analyze("临湘二中 预算给了多少 实际用掉多少")
    assert query.missing is None and [r.bureau for r in query.reports] == ["临湘市教育局"]
    assert "临湘三中" in analyzer.analyze("临湘三中预算多少").missing  # one its report never writes
    assert "临湘财政局" in analyzer.analyze("临湘财政局预算多少").missing  # a bureau beside it, written or not
    assert "敦化一中" in analyzer.analyze("敦化一中项目支出多少").missing  # a school beside an indexed school


@pytest.mark.parametrize(
    ("question", "missing_word"),
    [("人防办三公经费花了多少", "人防办"), ("机关事务服务中心去年预算执行率多少", "机关事务服务中心"), ("扶贫办的项目支出", "扶贫办")],
)
def test_an_office_or_centre_named_without_a_place_that_nothing_indexed_matches_is_not_indexed(analyzer, question, missing_word):
    assert missing_word in analyzer.analyze(question).missing


@pytest.mark.parametrize("question", ["举办了几场活动", "问题怎么办", "交办事项多少件"])
def test_a_verb_ending_in_ban_names_no_office(analyzer, question):
    assert analyzer.analyze(question).missing is None


def test_a_question_about_the_bureaus_own_offices_names_no_other_organisation():
    town = _report("屏南县甘棠乡人民政府", ("屏南县甘棠乡人民政府", "甘棠乡", "甘棠"))
    analyzer = QueryAnalyzer([town])
    assert analyzer.analyze("甘棠乡政府内设哪些办公室").missing is None


def test_a_place_ending_in_shi_before_the_short_name_of_an_indexed_kind_is_not_indexed():
    market = _report("依安县市场监督管理局", ("依安县市场监督管理局", "依安县", "依安"))
    analyzer = QueryAnalyzer([market])
    assert "漠河市场监管" in analyzer.analyze("漠河市场监管食品抽检了多少批次").missing  # 漠河 and 市场监管, not 漠河市


def test_another_town_at_an_indexed_towns_county_is_another_body():
    town = read_metadata("歙县深渡镇人民政府2024年度部门整体支出绩效自评报告\n一、基本情况\n深渡镇位于歙县东南部，辖14个行政村。", "t.txt")
    transport = read_metadata("洛川县交通运输局2024年度部门整体支出绩效自评报告\n一、基本情况\n石头镇1座危桥顺延至2025年。", "l.txt")
    texts = {town.id: "深渡镇位于歙县东南部，辖14个行政村。", transport.id: "石头镇1座危桥顺延至2025年。"}
    analyzer = QueryAnalyzer([town, transport], texts.get)
    assert "雄村镇" in analyzer.analyze("歙县雄村镇三公经费多少").missing  # a town beside the indexed one
    assert analyzer.analyze("洛川石头镇的危桥修好没").missing is None  # a town the county bureau's report writes about
    for question in ("歙县城镇居民多少人", "歙县城乡居民多少人", "洛川给乡镇卫生院买了多少台设备"):
        assert analyzer.analyze(question).missing is None


def test_a_year_typed_in_two_digits_picks_the_report(shipped_assistant):
    assert shipped_assistant.understand("望城工信22年财政拨款收入多少").missing
    assert not shipped_assistant.understand("望城工信局21年一般公共预算拨款收入多少").missing


def test_years_typed_in_two_or_four_digits():
    from assistant.vocabulary import YEAR_TYPED, typed_year

    assert [typed_year(m) for m in YEAR_TYPED.finditer("21年花了多少 2022年呢 近21年来 第4年")] == [2021, 2022]


def test_a_project_report_does_not_answer_for_the_department_as_a_whole():
    project = _report("托克逊县农业农村局", ("托克逊县农业农村局", "托克逊县", "托克逊"), kind="项目支出绩效自评报告")
    analyzer = QueryAnalyzer([project, MT])
    refused = analyzer.analyze("托克逊县农业农村局2023年部门整体支出是多少")
    assert refused.reports == () and "项目支出绩效自评报告" in refused.missing and "部门整体" in refused.missing
    assert analyzer.analyze("托克逊县农业农村局项目支出是多少").reports == (project,)


def test_a_county_the_question_opens_with_that_no_report_is_from_or_writes_of_is_not_indexed():
    analyzer = QueryAnalyzer([YY, MT], {YY.id: "弋阳县…赴婺源县考察学习", MT.id: "湄潭县…"}.get)
    assert "岚县" in analyzer.analyze("岚县高标准农田建设项目亩均投资多少").missing
    assert analyzer.analyze("婺源考察了几次").reports == (YY, MT)  # a place a report writes of is inside a fact
    assert analyzer.analyze("湄潭农村公路养护多少公里").reports == (MT,)


def test_an_organisation_typed_with_another_type_word_is_the_indexed_one_its_name_abbreviates():
    centre = _report("汝城县医疗保障事务中心", ("汝城县医疗保障事务中心", "汝城县", "汝城"))
    analyzer = QueryAnalyzer([centre], {centre.id: "汝城县医疗保障局2022年度城乡医疗救助补助资金项目绩效自评报告"}.__getitem__)
    assert [r.bureau for r in analyzer.analyze("汝城医保局下一步咋改").reports] == ["汝城县医疗保障事务中心"]
    assert "汝城卫健局" in analyzer.analyze("汝城卫健局花了多少").missing  # its name's characters are not the centre's
