"""The figure slot: quantities as reports state them, what questions ask, and which figure answers."""

from __future__ import annotations

import pytest

from assistant.answering.quantities import Slot, asked_slots, aspect_fit, best_quantity, noun_fit, quantities, slot_fit, unit_fit
from assistant.evaluate import figure_key, first_figure


def test_quantities_read_separators_percentages_points_and_chinese_numerals():
    found = quantities("支出1,234.50万元，同比增长12%，提高3.5个百分点，新建村级文化广场十二个，培训3.2万亩")
    assert [(q.text, q.value, q.unit) for q in found] == [
        ("1,234.50万元", 1234.5, "万元"),
        ("12%", 12.0, "%"),
        ("3.5个百分点", 3.5, "个百分点"),
        ("十二个", 12.0, "个"),
        ("3.2万亩", 32000.0, "亩"),
    ]


def test_a_quantity_knows_its_label_and_what_it_counts():
    first, second = quantities("派出120名干部，在职人员25人")
    assert (first.label, first.counted, first.unit) == ("派出", "干部", "名")
    assert (second.label, second.counted) == ("在职人员", "")


def test_approximate_figures_keep_their_marker():
    assert [q.text for q in quantities("召开会议25余次，服务100多家企业")] == ["25余次", "100多家"]


@pytest.mark.parametrize(
    ("question", "units"),
    [
        ("常宁有多少家企业完成了赋码？其中四上企业几家？", ["家", "家"]),
        ("花了多少钱", ["money"]),
        ("新引进的项目总投资有多少亿？", ["money"]),
        ("同比增长多少？", ["percent"]),
        ("望城的收入和支出各多少", ["money", "money"]),
        ("自评分是多少", ["分"]),
    ],
)
def test_questions_ask_slots_in_their_order(question, units):
    assert [s.unit for s in asked_slots(question)] == units


def test_two_items_asked_together_get_one_slot_each():
    first, second = asked_slots("望城的收入和支出各多少")
    assert "收入" in first.words and second.words == ("支出",)


def test_a_space_typed_between_two_asks_separates_them():
    budget, spent = asked_slots("雪亮工程预算多少 实际花了多少")
    assert (budget.clause, spent.clause) == ("雪亮工程预算多少", "实际花了多少")
    (one,) = asked_slots("去年 基本支出多少")  # a space before the ask only separates words
    assert one.clause == "去年 基本支出多少"


def test_unit_fit_is_exact_near_or_none():
    slot = Slot("", "", "人")
    people, visits, money = quantities("在职25人，服务300人次，支出5万元")
    assert (unit_fit(slot, people), unit_fit(slot, visits), unit_fit(slot, money)) == (1.0, 0.5, 0.0)
    assert unit_fit(Slot("", "", "个"), people) == 0.5  # 个 counts anything


def test_the_label_decides_between_figures_of_one_unit():
    slot = asked_slots("常宁科工信局入企业开展了多少次安全检查")[0]
    found = quantities("共召开安全生产工作会议25余次，入企业检查116次，发现问题隐患90个")
    assert best_quantity(slot, found).text == "116次"
    assert noun_fit(slot, found[1]) > noun_fit(slot, found[0])


def test_a_figure_the_question_states_is_not_the_answer():
    slot = asked_slots("望城区6条产业链全年完成产值多少？")[0]
    found = quantities("全区6条产业链1-12月累计完成产值519.1亿元，同比增长22%。")
    assert best_quantity(slot, found, "望城区6条产业链全年完成产值多少？").text == "519.1亿元"


def test_slot_fit_multiplies_unit_and_noun():
    slot = Slot("多少家高新技术企业", "高新技术企业", "家", ("高新技术企业",))
    (found,) = quantities("目前高新技术企业已达46家")
    assert slot_fit(slot, found) == 1.0


@pytest.mark.parametrize(
    ("answer", "first"),
    [
        ("2021年一般公共预算拨款收入2,284.43万元[1]", "2284.43"),
        ("[1]据报告：50人。", "50"),
        ("新建文化广场十二个。", "12"),
        ("选派执法骨干三十余人参加培训。", "30"),
        ("没有数字", None),
        ("5G基站计划建：2,004个；15G不是数字。", "2004"),  # a name with digits in it (5G) states no figure
    ],
)
def test_the_grader_reads_the_first_figure_a_reader_meets(answer, first):
    assert first_figure(answer) == first


def test_figure_keys_drop_separators_and_trailing_zeros():
    assert figure_key("3,456,700.00") == "3456700" and figure_key("11.50") == "11.5"


def test_the_asked_head_word_right_by_a_figure_decides():
    slot = asked_slots("给农民工讨回多少欠薪")[0]
    assert (slot.unit, slot.head) == ("money", "欠薪")
    found = quantities("为1,368名农民工追讨欠薪2,046.5万元。")
    assert best_quantity(slot, found).text == "2,046.5万元"


def test_a_change_answers_a_question_about_change():
    slot = asked_slots("三公经费降了多少")[0]
    assert (slot.unit, slot.change) == ("money", True)
    found = quantities("全年“三公”经费支出4.82万元，比年初预算减少1.18万元，下降19.7%。")
    assert [(q.text, q.change) for q in found] == [("4.82万元", False), ("1.18万元", True), ("19.7%", True)]
    assert best_quantity(slot, found).text == "1.18万元"
    level = asked_slots("三公经费是多少")[0]
    assert not level.change and best_quantity(level, found).text == "4.82万元"


def test_points_asked_as_a_change_in_percent():
    slot = asked_slots("游客满意度提高了几个百分点")[0]
    assert (slot.unit, slot.change) == ("percent", True)
    found = quantities("全年受理旅游投诉27件，办结率100%，游客满意度达到96.5%，较上年提高2.1个百分点。")
    assert best_quantity(slot, found).text == "2.1个百分点"


def test_a_table_rows_target_is_not_what_was_done():
    row = "三级指标“新修及整治渠道长度”（数量指标）：年度指标值≥80公里，实际完成值86.4公里，分值10，得分10。"
    target, done = quantities(row)[:2]
    assert (target.subject, target.label, target.target) == ("新修及整治渠道长度", "年度指标值", True)
    assert (done.label, done.target) == ("实际完成值", False)
    assert best_quantity(asked_slots("新修渠道多长")[0], quantities(row)).text == "86.4公里"
    assert best_quantity(asked_slots("新修渠道的年度指标值是多少")[0], quantities(row)).text == "80公里"


@pytest.mark.parametrize(
    ("question", "unit"),
    [("预算执行率多少", "percent"), ("农户满意度是多少", "percent"), ("自评打了多少分", "分"), ("讨回多少欠薪", "money")],
)
def test_rates_scores_and_pay_are_asked_in_their_units(question, unit):
    assert asked_slots(question)[0].unit == unit


def test_people_are_counted_in_ren_ming_or_wei():
    people = quantities("向2,846名农村计划生育家庭成员发放奖励扶助金341.52万元")[0]
    assert unit_fit(Slot("", "", "人"), people) == 1.0
    assert [(q.text, q.value, q.unit) for q in quantities("自评得分为92.5分")] == [("92.5分", 92.5, "分")]


def test_two_figures_asked_get_their_own_head_words_in_order():
    first, second = asked_slots("人员类支出和公用支出各多少")
    assert (first.unit, second.unit) == ("money", "money")
    found = quantities("其中人员类支出3,302.47万元，运转类公用支出398.15万元，项目资金支出1,155.02万元。")
    assert [best_quantity(s, found).text for s in (first, second)] == ["3,302.47万元", "398.15万元"]


def test_a_target_word_far_from_the_figure_does_not_make_it_a_target():
    money, other = quantities("向2,846名农村计划生育家庭成员发放奖励扶助金341.52万元，向特别扶助对象发放特别扶助金208.80万元")[1:]
    assert (money.target, other.target) == (False, False)
    assert quantities("超额完成年度目标120场")[0].target
    first, second = asked_slots("奖励扶助金发了多少钱，发给多少人")
    found = quantities("向2,846名农村计划生育家庭成员发放奖励扶助金341.52万元，向特别扶助对象发放特别扶助金208.80万元")
    assert (best_quantity(first, found).text, best_quantity(second, found).text) == ("341.52万元", "2,846名")


def test_a_bound_answers_only_a_question_about_targets():
    found = quantities("对执行率低于90%的项目相应压减下年预算，全年预算执行率97.53%")
    assert [(q.text, q.bound, q.target) for q in found] == [("90%", True, True), ("97.53%", False, False)]
    assert [q.bound for q in quantities("满意度≥95%，不少于20场，超过1000人")] == [True, True, False]
    (level,) = asked_slots("预算执行率是多少")
    assert best_quantity(level, quantities("对执行率低于90%的项目相应压减下年预算")) is None
    (target,) = asked_slots("执行率目标是多少")
    assert best_quantity(target, quantities("对执行率低于90%的项目相应压减下年预算")).text == "90%"


def test_numbers_spaced_by_a_pdf_text_layer_are_read_whole():
    from assistant.answering.quantities import quantities

    text = "支出合计 4 ,215.06 万元，项目支出 2 846. 32 万元，执行率为 97. 4%，巡河 8 642 人次，2022 年派出 12 人"
    assert [(q.value, q.unit) for q in quantities(text)] == [(4215.06, "万元"), (2846.32, "万元"), (97.4, "%"), (8642.0, "人次"), (12.0, "人")]


@pytest.mark.parametrize("question", ["群众满意度咋样", "预算执行率如何", "资金占比怎么样"])
def test_how_is_a_rate_asks_its_figure(question):
    (slot,) = asked_slots(question)
    assert slot.unit == "percent" and "咋样" not in slot.words


def test_a_rate_is_not_answered_by_money_or_a_count():
    slot = asked_slots("执行率多少")[0]
    money, count = quantities("经费170万元，人员4050人")
    assert (unit_fit(slot, money), unit_fit(slot, count)) == (0.0, 0.0)


def test_a_budget_does_not_answer_what_was_spent():
    spent, planned = asked_slots("项目支出决算数是多少")[0], asked_slots("项目支出预算数是多少")[0]
    budget, actual = quantities("年初预算数为1091万元，决算数为980万元")
    assert best_quantity(spent, [budget, actual]).text == "980万元"
    assert best_quantity(planned, [budget, actual]).text == "1091万元"
    assert (aspect_fit(spent, budget), aspect_fit(spent, actual), aspect_fit(planned, budget)) == (0.3, 1.0, 1.0)


def test_items_enumerated_before_one_ask_each_get_a_slot():
    assert [(s.noun, s.unit) for s in asked_slots("在编、临聘、退休各多少人")] == [("在编", "人"), ("临聘", "人"), ("退休", "人")]
    assert [s.noun for s in asked_slots("基本支出多少、项目支出多少")] == ["基本支出", "项目支出"]


def test_a_sentence_naming_only_a_budget_does_not_answer_what_was_spent():
    from assistant.answering.quantities import states_asked_basis

    spent = asked_slots("项目支出决算数是多少")[0]
    assert not states_asked_basis(spent, "2021年年初预算数为1091万元")
    assert states_asked_basis(spent, "年初预算数为1091万元，决算数为980万元")
    assert states_asked_basis(spent, "项目支出980万元")  # no basis named: it may be the spent amount
    assert states_asked_basis(asked_slots("项目支出多少")[0], "2021年年初预算数为1091万元")


def test_what_an_ask_counts_after_it_is_kept():
    (cases,) = asked_slots("劳动仲裁一年收了多少案子")
    assert (cases.unit, cases.counted) == (None, "案子")
    (money,) = asked_slots("总共花了多少钱")
    assert (money.unit, money.counted) == ("money", "")


def test_items_a_space_separates_before_one_ask_each_get_a_slot():
    assert [s.noun for s in asked_slots("基本支出 项目支出各是多少")] == ["基本支出", "项目支出"]


def test_one_figure_answers_one_ask():
    from assistant.answering.answerer import lead_figures
    from assistant.answering.candidates import Sentence
    from index.models import Chunk, ReportMeta

    quote = "实施以工代赈项目3个，发放劳务报酬138.55万元。"
    meta = ReportMeta("r", "", "", None, None, None, 2023, None, "", (), "", "r")
    chosen = [Sentence(meta, Chunk("c", "r", 0, "", quote, 0, len(quote), ()), 0, len(quote), quote, 1.0, 0)]
    lead = lead_figures(asked_slots("以工代赈预算多少 实际花了多少"), chosen, "以工代赈预算多少 实际花了多少")
    assert lead.count("138.55") == 1


def test_a_figure_of_another_flow_of_money_does_not_answer():
    spent = asked_slots("医保基金花了多少")[0]
    fund = quantities("基金收入3.62亿元，上年为3.47亿元；基金支出3.41亿元，上年为3.18亿元")
    assert best_quantity(spent, fund).text == "3.41亿元"
    project = quantities("年初预算5600.00万元，全年预算6850.00万元，全年执行6212.38万元")
    assert best_quantity(asked_slots("公路项目花了多少")[0], project).text == "6212.38万元"
    assert best_quantity(asked_slots("公路项目预算多少")[0], project).text == "5600.00万元"


def test_an_amount_per_unit_answers_only_a_question_per_unit():
    assert [q.per for q in quantities("城乡低保标准为每人每月1,186元，全年发放城乡低保金186.40万元")] == [True, False]
    assert [q.per for q in quantities("年度指标值5元/生·天，月人均领取基础养老金163元")] == [True, True]
    per_head = asked_slots("低保标准每人每月多少钱")[0]
    assert per_head.per and not asked_slots("低保金一共花了多少钱")[0].per
    total, standard = quantities("全年发放城乡低保金186.40万元，标准为每人每月1,186元")
    assert best_quantity(per_head, [total, standard]) is standard


def test_a_clause_before_an_ask_says_what_it_is_about():
    (rate,) = asked_slots("移民后扶项目钱用完没，执行率多少")
    assert (rate.clause, rate.context) == ("执行率多少", "移民后扶项目钱用完没")
    first, second = asked_slots("收入多少，支出多少")
    assert second.context == ""  # the clause before asks a figure of its own


def test_what_was_budgeted_for_a_unit_is_what_it_got_and_a_spent_figure_answers_the_spent_ask():
    got, spent = asked_slots("畜禽粪污那个项目拿到多少钱 花掉多少")
    budget = quantities("项目全年预算1,150.00万元，其中中央资金800.00万元，省级资金200.00万元")
    assert best_quantity(got, budget).text == "1,150.00万元"
    executed = quantities("全年执行1,086.45万元，预算执行率94.47%")[0]
    share = quantities("其中中央资金800.00万元")[0]
    # 花掉 and 全年执行 name one flow: half the words (花掉 and the flow) found, three quarters of that
    assert (noun_fit(spent, executed), noun_fit(spent, share)) == (0.375, 0.0)
    assert asked_slots("低保年初安排了多少")[0].unit == "money"  # 安排 budgets money


def test_measure_words_of_every_kind_count():
    (archives,) = asked_slots("计划收多少卷档案")
    assert (archives.unit, archives.noun, archives.target) == ("卷", "档案", True)
    assert [(q.value, q.unit) for q in quantities("接收进馆档案8,000卷，编印3本，栽植12株")] == [(8000.0, "卷"), (3.0, "本"), (12.0, "株")]


def test_figures_under_a_heading_that_sets_targets_are_targets():
    from assistant.answering.quantities import quantities_in

    goal = "三是人民调解成功率保持在95%以上"
    assert [q.target for q in quantities_in(goal, "永泰县司法局报告 › 三、绩效目标设定情况")] == [True]
    assert [q.target for q in quantities_in("调解成功率98.7%", "永泰县司法局报告 › 四、绩效目标完成情况")] == [False]
    rate = asked_slots("人民调解成功率有多高")[0]
    assert aspect_fit(rate, quantities_in(goal, "三、绩效目标设定情况")[0]) < aspect_fit(rate, quantities("调解成功率98.7%")[0])


def test_percent_of_what_is_asked_by_baifenzhi_duoshao():
    assert asked_slots("一年下来钱用了百分之多少")[0].unit == "percent"


def test_the_level_before_a_change_and_the_level_reached():
    found = quantities("全市人均体育场地面积由上年的2.86平方米提高到3.12平方米，城市社区“15分钟健身圈”实现全覆盖。")
    assert [(q.text, q.label, q.earlier) for q in found] == [
        ("2.86平方米", "人均体育场地面积由上年的", True),
        ("3.12平方米", "人均体育场地面积由上年的", False),  # the level reached is of what the earlier one was
        ("15分钟", "城市社区“", False),
    ]
    now, before = asked_slots("人均体育场地面积现在多少 原来多少")
    assert (now.earlier, before.earlier) == (False, True)
    assert before.words == now.words and "现在" not in now.words  # "原来多少" asks of what the ask before it named
    assert [best_quantity(slot, found).text for slot in (now, before)] == ["3.12平方米", "2.86平方米"]
    assert quantities("上年为1,152.40万元")[0].earlier and not quantities("比上年增加110.68万元")[0].earlier


def test_a_visit_count_and_a_session_count_are_their_own_measures():
    firms, sessions = asked_slots("查企业查了多少家次")[0], asked_slots("一年搞了几场演练")[0]
    assert firms.unit == "家次"
    found = quantities("全年共检查各类生产经营单位1,128家次，其中检查危险化学品生产经营企业六十三家。")
    assert [unit_fit(firms, q) for q in found] == [1.0, 0.5]
    drills = quantities("全年组织应急演练四十六场次，其中县级综合演练3场。")
    assert [unit_fit(sessions, q) for q in drills] == [1.0, 1.0]  # 场 and 场次 count the same
    assert best_quantity(sessions, drills).value == 46


def test_what_was_done_does_not_answer_a_question_about_the_target():
    target = asked_slots("演练场次目标是多少")[0]
    done = quantities("全年组织应急演练四十六场次。")[0]
    assert target.target and aspect_fit(target, done) == 0.5
    assert not asked_slots("计划生育家庭奖励扶助多少钱")[0].target


def test_a_question_ending_on_a_rate_asks_its_figure():
    (slot,) = asked_slots("凤冈 河道治理 执行率")
    assert slot.unit == "percent" and "河道" in slot.words


def test_what_was_left_added_or_cut_is_a_flow_of_its_own():
    from assistant.answering.quantities import answered_from_sentences, flow_named

    assert [flow_named(t) for t in ("项目上剩了多少钱没花", "年中又追加了多少", "年中砍掉了多少", "全年执行", "年中追加后全年预算")] == [
        "unspent",
        "added",
        "cut",
        "spent",
        "budgeted",
    ]
    assert flow_named("没花出去") == "unspent"  # the longer word on the same end: 没花 leaves unspent, 花 spends
    left = asked_slots("剩了多少钱没花出去")[0]
    stated = quantities("2023年度实际支出8870.44万元，预算执行率94.72%，结转结余494.76万元")
    assert best_quantity(left, stated).text == "494.76万元"
    cut = asked_slots("项目支出年中砍掉了多少")[0]
    adjusted = quantities("年初预算2,150.00万元，追加684.50万元，调减126.00万元，调整后预算2,708.50万元")
    assert best_quantity(cut, adjusted).text == "126.00万元"
    assert best_quantity(asked_slots("年中追加了多少钱")[0], adjusted).text == "684.50万元"
    assert answered_from_sentences(left) and answered_from_sentences(cut)  # no key figure is stored for these flows
    assert not answered_from_sentences(asked_slots("项目支出花了多少")[0])


def test_an_indicator_per_unit_states_amounts_per_unit_in_its_row():
    row = quantities("三级指标“亩均财政投资”（产出指标·成本指标）：年度指标值≤3000元，实际完成值2844元，分值10，得分10。")
    assert [(q.text, q.per) for q in row] == [("3000元", True), ("2844元", True)]


def test_the_forms_the_reports_write_a_word_in_count_for_what_is_asked():
    from assistant.answering.quantities import written_as

    (bridges,) = asked_slots("危桥改了几座")
    (stated,) = [q for q in quantities("实施安全生命防护工程126公里，改造危旧桥梁4座") if q.unit == "座"]
    assert noun_fit(bridges, stated) < noun_fit(written_as((bridges,), {"危桥": ("危旧桥梁",)})[0], stated)
    assert written_as((bridges,), {"危桥": ("危旧桥梁",)})[0].forms_of("危桥")[-1] == "危旧桥梁"


def test_a_figure_of_the_asked_kind_is_per_unit_target_basis_and_flow_as_asked():
    from assistant.answering.quantities import of_the_asked_kind

    per_acre = asked_slots("高标准农田 亩均财政投资实际多少")[0]
    row = quantities("三级指标“亩均财政投资”（产出指标·成本指标）：年度指标值≤3000元，实际完成值2844元")
    total = quantities("高标准农田建设项目，预算3600.00万元，支出3412.80万元")
    assert [of_the_asked_kind(per_acre, q) for q in row] == [False, True]  # the first is a target
    assert not any(of_the_asked_kind(per_acre, q) for q in total)
    left = asked_slots("剩了多少钱没花出去")[0]
    spent, rate, carried = quantities("实际支出8870.44万元，预算执行率94.72%，结转结余494.76万元")
    assert (of_the_asked_kind(left, spent), of_the_asked_kind(left, carried)) == (False, True)


def test_a_target_named_right_after_its_figure_is_a_target():
    target, done = quantities("医保电子凭证激活率未达到80%的年度目标，实际为78.5%")
    assert (target.text, target.target, done.text, done.target) == ("80%", True, "78.5%", False)


def test_a_change_asked_after_a_figure_is_the_change_of_what_was_just_asked():
    spent, change = asked_slots("三公经费花了多少，比上年涨了多少")
    assert (change.change, change.earlier, change.unit, change.words) == (True, False, "money", spent.words)
    found = quantities("比上年5.12万元增加1.23万元，增长24.02%。全年支出9265.87万元，比上年提高3.2个百分点。")
    assert best_quantity(change, found).text == "1.23万元"


def test_more_or_less_before_a_verb_asks_a_change():
    (more,) = asked_slots("今年比去年多花了多少")
    assert more.change
    found = quantities("2023年度支出合计4,382.64万元，比上年支出3,975.18万元增加407.46万元，增长10.25%")
    assert best_quantity(more, found).text == "407.46万元"
    assert asked_slots("少招了几个人")[0].change
    assert not any(s.change for s in asked_slots("差不多花了多少 多少人多少钱"))


def test_what_was_newly_added_is_a_change_of_the_stock_not_the_stock():
    added, stock = quantities("年内新增省级“枫桥式司法所”2个，全县25个司法所均已达标。")
    assert (added.change, stock.change) == (True, False)
    (how_many,) = asked_slots("一共有几个司法所")
    assert not how_many.change and best_quantity(how_many, [added, stock]).text == "25个"
    (new,) = asked_slots("新增就业多少人")
    assert new.change


def test_what_a_count_counts_stops_at_the_next_quantity():
    towns, villages = quantities("涉及五个镇三十二个村")
    assert (towns.counted, villages.counted) == ("镇", "村")
    (asked,) = asked_slots("高标准农田涉及多少个村")
    assert asked.head == "村" and best_quantity(asked, [towns, villages]).text == "三十二个"


def test_newly_opened_is_asked_as_what_was_added():
    (opened,) = asked_slots("今年新开了几家城市书房")
    found = quantities("新增城市书房6家，全县城市书房总数达到15家")
    assert opened.change and best_quantity(opened, found).text == "6家"


def test_what_was_cut_is_asked_as_a_change():
    (cut,) = asked_slots("三公经费砍了多少")
    assert cut.change
    found = quantities("2023年“三公”经费支出11.48万元，比上年13.95万元减少2.47万元，下降17.71%。")
    assert best_quantity(cut, found).text == "2.47万元"


def test_a_change_asked_as_a_percentage_is_a_change():
    _, fell = asked_slots("三公经费多少，降了百分之几")
    assert (fell.change, fell.unit) == (True, "percent")
    found = quantities("比上年3.40万元减少0.54万元，下降15.88%，主要是维修支出减少。全年预算48.00万元，执行率87.00%。")
    assert best_quantity(fell, found).text == "15.88%"


@pytest.mark.parametrize(
    ("question", "head"),
    [("建了几个乡镇医保工作站", "工作站"), ("有多少家企业获得补贴", "企业"), ("检查了多少家定点医药机构", "机构"), ("多少人参加培训", "参加")],
)
def test_the_asked_head_is_the_last_noun_before_a_verb(question, head):
    assert asked_slots(question)[0].head == head


def test_the_count_named_by_the_asked_head_leads():
    (slot,) = asked_slots("检查了多少家定点医药机构")
    found = quantities("全年检查定点医药机构312家，实现检查全覆盖；暂停4家定点医药机构医保服务协议。")
    assert best_quantity(slot, found).text == "312家"


def test_an_ask_left_out_after_one_asks_the_same_of_what_it_names():
    first, second = asked_slots("预算执行率多少 基本支出执行率呢")
    assert (first.unit, second.unit, second.clause) == ("percent", "percent", "基本支出执行率多少")
    assert asked_slots("那常宁呢") == ()  # a follow-up with no ask before it asks nothing here


def test_a_money_table_rows_line_is_what_its_figures_are_about():
    row = quantities("基本支出：年初预算数512.40万元，全年预算数538.26万元，全年执行数536.87万元，执行率99.74%。")
    assert {q.subject for q in row} == {"基本支出"}
    _, second = asked_slots("预算执行率多少 基本支出执行率呢")
    total = quantities("全年执行4,744.09万元，预算执行率96.10%。")[-1]
    assert slot_fit(second, row[-1]) > slot_fit(second, total)


def test_a_columns_unit_in_brackets_stays_in_its_label():
    found = quantities("公路项目：年初预算数（万元）5600.00万元，全年执行数（万元）6212.38万元。")
    assert [q.label for q in found] == ["年初预算数（万元）", "全年执行数（万元）"]


@pytest.mark.parametrize(
    "question, unit",
    [
        ("以工代赈招了多少老百姓干活", "人"),
        ("一共有多少在职人员", "人"),
        ("多少退役军人实现就业", "人"),
        ("多少学生食堂", None),
        ("帮多少群众挽回损失多少钱", "money"),
    ],
)
def test_a_noun_that_names_people_is_counted_in_people(question, unit):
    assert asked_slots(question)[0].unit == unit


def test_the_people_a_noun_names_outcount_another_figure_of_the_sentence():
    stated = quantities("实施以工代赈项目3个，吸纳当地群众务工412人，发放劳务报酬138.55万元")
    assert best_quantity(asked_slots("以工代赈招了多少老百姓干活")[0], stated).text == "412人"


def test_money_its_clause_says_went_unspent_is_not_what_was_spent():
    cause = quantities("部分设备12月中旬才完成验收，有27.52万元设备款未能在年内支付")
    table = quantities("教学仪器设备购置项目，全年预算160.00万元，执行132.48万元，执行率82.80%")
    assert [q.flow for q in cause] == ["unspent"]
    assert [q.flow for q in table] == ["budgeted", "spent", "spent"]
    spent = asked_slots("买教学设备的钱用了多少")[0]
    assert slot_fit(spent, cause[0]) < slot_fit(spent, table[1])


def test_what_was_newly_built_answers_a_question_that_asks_what_was_built():
    stated = quantities("全年实际新建蓄水池12座，其中500立方米蓄水池4座、200立方米蓄水池8座")
    assert best_quantity(asked_slots("蓄水池建成几座")[0], stated).text == "12座"
    assert aspect_fit(asked_slots("有几个司法所")[0], quantities("年内新增司法所2个")[0]) == 0.6


def test_each_item_asked_together_asks_its_own_flow_of_money():
    first, second = asked_slots("收入合计和支出合计分别多少")
    stated = quantities("2022年度收入合计2,963.48万元，其中一般公共预算拨款2,703.48万元。2022年度支出合计2,890.22万元")
    assert (best_quantity(first, stated).text, best_quantity(second, stated).text) == ("2,963.48万元", "2,890.22万元")


@pytest.mark.parametrize(
    "label, basis",
    [
        ("全年预算数", "全年预算"),
        ("调整后预算", "全年预算"),
        ("年初预算数", "年初预算"),
        ("全年执行数", "实际"),
        ("年初预算数为1,648.92万元，决算数为", "决算"),
    ],
)
def test_the_basis_a_label_names_is_its_whole_phrase(label, basis):
    from assistant.answering.quantities import stated_basis

    assert stated_basis(label) == basis


def test_a_last_clause_that_asks_nothing_says_of_what_the_ask_is():
    slot = asked_slots("围场林草局人头多少 在职的")[0]
    assert "在职" in slot.words
    stated = quantities("全局核定编制312名，2021年末实有在职人员287人，其中机关34人")
    assert best_quantity(slot, stated).text == "287人"


def test_words_run_together_across_a_typed_space_name_no_flow_of_money():
    from assistant.answering.quantities import of_the_asked_kind

    rate = quantities("职业技能提升行动项目执行率仅为77.63%，主要原因是受疫情影响")[0]
    assert of_the_asked_kind(asked_slots("仁寿职业技能提升那块钱用完没 执行率多少")[0], rate)


def test_targets_listed_after_a_colon_are_targets():
    listed = quantities("项目年初设定的绩效目标为：新建蓄水池14座，铺设及改造供水管网180公里")
    assert [(q.text, q.target) for q in listed] == [("14座", True), ("180公里", True)]


def test_an_ask_that_names_only_a_target_asks_it_of_the_thing_just_asked():
    built, planned = asked_slots("饮水项目管网铺了多少公里，原计划多少")
    assert (planned.unit, planned.words, planned.target) == ("公里", built.words, True)
    assert best_quantity(planned, quantities("绩效目标为：新建蓄水池14座，铺设及改造供水管网180公里")).text == "180公里"


def test_wan_alone_ending_an_amount_is_wan_yuan():
    assert [(q.text, q.value, q.unit) for q in quantities("2、公用经费57.38万。")] == [("57.38万", 57.38, "万元")]
    assert quantities("巩固提升4.1万农村人口") == []


def test_a_plan_its_clause_goes_on_to_state_is_a_target():
    stated = quantities("2021年全年计划建设5G基站2004个，目前已累计建设2103个")
    assert [(q.text, q.target) for q in stated] == [("2004个", True), ("2103个", False)]
    assert quantities("计划生育家庭奖励扶助金341.52万元")[0].target is False


def test_the_actual_asked_after_a_plan_is_of_the_same_thing():
    planned, done = asked_slots("5G基站计划建多少个 实际建了多少")
    assert (done.unit, done.words, done.target) == ("个", planned.words, False)
    assert asked_slots("年初预算多少 实际花了多少")[1].words == ("实际",)


def test_a_part_row_after_qizhong_is_about_the_part():
    assert {q.subject for q in quantities("其中：财政拨款：年初预算数1,648.92万元，执行率97.74%。")} == {"财政拨款"}


def test_the_words_before_a_later_count_and_he_are_what_the_earlier_count_counts():
    found = quantities("为5,846名农村部分计划生育家庭奖励扶助对象和312名计划生育特殊家庭成员发放扶助金")
    assert [(q.text, q.label) for q in found] == [("5,846名", "为"), ("312名", "")]
    first, second = asked_slots("计生奖扶对象多少名，特殊家庭成员多少名")
    assert best_quantity(first, found).text == "5,846名"
    assert best_quantity(second, found).text == "312名"


def test_pairs_cases_and_institutions_are_counted():
    found = quantities("全年办理婚姻登记2,318对，减免基本殡葬服务费用1,064例，养老机构14所")
    assert [(q.text, q.unit) for q in found] == [("2,318对", "对"), ("1,064例", "例"), ("14所", "所")]
    (slot,) = asked_slots("有几家养老机构")
    assert unit_fit(slot, found[2]) == 1.0


def test_a_measure_word_glued_to_the_noun_it_counts_is_not_a_word_of_the_ask():
    (slot,) = asked_slots("这个项目打了多少眼井")
    assert (slot.unit, slot.head, slot.words) == ("眼", "井", ("项目",))


def test_a_table_rows_target_column_makes_a_target_even_with_per_unit_words():
    target, actual = quantities("三级指标“城市低保标准”：年度指标值≥每人每月690元，实际完成值每人每月696元，分值4，得分4。")[:2]
    assert (target.target, actual.target) == (True, False)


def test_the_one_character_verb_before_the_ask_picks_between_figures_that_fit_alike():
    found = quantities("打造招工服务平台，入驻53家企业，帮助13家企业解决用工需求873人。")
    (slot,) = asked_slots("招工平台帮几家企业招到人")
    assert slot.verb == "帮" and best_quantity(slot, found).text == "13家"
    assert [s.verb for s in asked_slots("派了多少人，有几家")] == ["派", ""]  # 有 only says there are some


def test_the_clause_after_an_amount_that_says_what_it_was_for_tells_which_amount_is_asked():
    found = quantities(
        "一般公共服务支出379.62万元，科学技术支出720.38万元，用于企业扩展生产线及科学技术研发；城乡社区支出340万元，用于支付破产或改制企业职工安置费"
    )
    assert [q.purpose for q in found] == ["", "用于企业扩展生产线及科学技术研发", "用于支付破产或改制企业职工安置费"]
    (slot,) = asked_slots("给企业扩产线搞研发的科技支出多少")
    assert best_quantity(slot, found).text == "720.38万元"


def test_the_general_measure_ge_answers_a_count_of_the_asked_noun_only():
    (units,) = asked_slots("下面管着多少家医疗卫生单位")
    assert unit_fit(units, quantities("局机关和27个下属医疗卫生单位")[0]) == 0.5
    (people,) = asked_slots("在职多少人")
    assert unit_fit(people, quantities("印发10多个方案")[0]) == 0.0  # 个 counts 方案 here, not people


def test_a_budget_that_was_added_to_is_what_was_added():
    from assistant.answering.quantities import flow_named

    assert flow_named("年度中追加预算多少万元") == "added"
    assert flow_named("年中各追加了多少预算") == "added"
    (slot,) = asked_slots("年中追加了多少预算")
    added, budget = quantities("年中追加预算1,286.55万元。")[0], quantities("年初预算1,648.92万元")[0]
    assert aspect_fit(slot, added) == 1.0 and aspect_fit(slot, budget) < 1.0
    assert flow_named("项目支出预算数是多少") == "budgeted"
    assert flow_named("年初预算…，全年执行") == "spent"


def test_an_amount_after_a_list_closed_by_deng_is_labelled_by_the_whole_list():
    added, adjusted = quantities("年度中追加乡村振兴衔接资金、村级组织运转经费等685.55万元，调整后预算2,634.18万元。")
    assert (added.flow, adjusted.flow) == ("added", "budgeted")
    listed = quantities("其中人员经费10万元、办公费等20万元")
    assert [q.label for q in listed] == ["其中人员经费", "办公费等"]  # the earlier item has its own figure


def test_parts_after_qizhong_are_parts_with_their_whole_names_and_a_total_asked_is_the_total():
    found = quantities("2022年项目资金预算1,851.00万元，其中中央财政医疗救助补助资金1,215.00万元，省级财政补助资金356.00万元。")
    assert [(q.text, q.part) for q in found] == [("1,851.00万元", False), ("1,215.00万元", True), ("356.00万元", True)]
    assert found[1].label == "其中中央财政医疗救助补助资金"
    (total,) = asked_slots("医疗救助资金一共多少")
    assert best_quantity(total, found).text == "1,851.00万元"
    (central,) = asked_slots("中央补助资金多少")
    assert best_quantity(central, found).text == "1,215.00万元"
    assert not quantities("其中基本支出60万元")[0].part  # no total before it: nothing to be a part of


def test_the_words_a_reports_title_writes_say_which_report_not_which_figure():
    from dataclasses import replace

    from assistant.answering.quantities import beyond_title

    title = "岚县自然资源局2022年度地质灾害综合防治项目支出绩效自评报告"
    (slot,) = asked_slots("地灾项目中央的钱拿到多少")
    slot = replace(slot, forms=(("地灾", ("地质灾",)),))
    assert beyond_title(slot, title).words == ("中央", "拿到")
    (spent,) = asked_slots("治理项目支出多少")
    assert "支出" in beyond_title(spent, title).words and "治理" in beyond_title(spent, title).words  # a flow stays
    (whole,) = asked_slots("地质灾害项目多少钱")
    assert beyond_title(whole, title).words == whole.words  # none would be left: all stay


def test_a_part_asked_inside_a_metric_does_not_ask_the_metric():
    from assistant.answering.key_figures import _part_asked

    assert _part_asked("项目支出", "项目支出里基本公卫补助那块花了多少")
    assert _part_asked("三公经费", "三公经费中的公务接待费多少")
    assert _part_asked("基本支出", "基本支出里头 公用经费单独是多少")
    assert not _part_asked("项目支出", "项目支出多少")


def test_a_clause_that_opens_with_a_plan_states_a_target_however_long():
    (planned,) = quantities("计划2024年招聘乡镇卫生院专业技术人员35名。")
    assert planned.target
    assert not quantities("计划生育家庭奖励扶助金341.52万元")[0].target


def test_a_count_its_sentence_says_was_not_done_does_not_answer_what_was_done():
    found = quantities("原计划新建的14座蓄水池中有2座因选址涉及基本农田需重新调整，未能在年内完工")
    assert [(q.text, q.undone) for q in found] == [("14座", False), ("2座", True)]
    assert [q.undone for q in quantities("完成12座，未完成2座")] == [False, False]  # the later clause has its own figure
    built, asked_undone = asked_slots("蓄水池建成几座")[0], asked_slots("还有几座没完工")[0]
    (left,) = quantities("一是加快剩余工程建设进度，2座未完工蓄水池已完成选址调整")
    assert left.undone and (aspect_fit(built, left), aspect_fit(asked_undone, left)) == (0.3, 1.0)  # asked with 没, it fits
    done = quantities("全年实际新建蓄水池12座")[0]
    from assistant.answering.quantities import changes_as_asked

    assert done.change and changes_as_asked(built, done)  # what was newly built answers what was built
