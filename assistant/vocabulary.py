"""The question vocabulary, in one place: how questions ask, what they count in, and how reports state figures.

These are words of the language of questions and of Chinese number writing, not of any one report:
interrogatives, measure words, money units, comparison words. What a report calls a thing is learned
from the report itself and from the synonym resource (`terms.py`), never listed here.
"""

from __future__ import annotations

import re

# Interrogatives and chat fillers: they ask, and say nothing about where the answer is.
QUESTION_WORDS = frozenset(
    "多少 几 哪些 哪个 哪家 哪几 什么 啥 怎么样 怎样 怎么 咋 咋样 如何 是否 有没有 是不是 多大 多高 请问 一下 介绍 说说 讲讲 "
    "列举 具体 大概 一共 总共 共 分别 各 各自 呢 吗 啊 呀 吧 了 的 是 有 在 给 得 都 那 那个 这个 这 该 其 个 "
    "报告 情况 方面 主要 那边 这边 那里 去年 今年 一年 打算 为什么 为啥 为何 多少钱 百分之 百分 百分之几".split()
)
# Measure words that follow a count ("派出 120 名干部") or a question ("多少家").
MEASURE_WORDS = (
    "人次",
    "户次",
    "场次",
    "批次",
    "家次",
    "个",
    "家",
    "人",
    "名",
    "位",
    "次",
    "项",
    "条",
    "件",
    "起",
    "处",
    "座",
    "台",
    "辆",
    "套",
    "户",
    "场",
    "批",
    "所",
    "篇",
    "期",
    "份",
    "款",
    "块",
    "栋",
    "间",
    "吨",
    "亩",
    "公里",
    "千米",
    "平方米",
    "立方米",
    "公顷",
    "米",
    "分",
    "卷",
    "册",
    "本",
    "张",
    "株",
    "棵",
    "头",
    "只",
    "枚",
    "盏",
    "根",
    "艘",
    "架",
    "门",
    "届",
    "轮",
    "堂",
    "节次",
    "节",
    "课时",
    "学时",
    "小时",
    "分钟",
    "天",
    "宗",
    "笔",
    "种",
    "支",
    "组",
    "眼",
    "对",
    "例",
)
# Measure words that count the same things: people are counted in 人, 名 or 位, institutions in 家 or 所.
GENERAL_MEASURE = "个"  # the classifier that counts anything ("几个研究生")
SAME_MEASURE = (frozenset({"人", "名", "位"}), frozenset({"家", "所"}), frozenset({"公里", "千米"}), frozenset({"场", "场次"}))
MONEY_UNITS = ("亿元", "万元", "元")
PERCENT_UNITS = ("个百分点", "百分点", "%")
UNITS = (*MONEY_UNITS, *PERCENT_UNITS, "倍", *MEASURE_WORDS)
# A question asks for money with these (花了多少钱, 金额, 多少万元).
MONEY_ASKS = re.compile(r"钱|金额|资金|经费|款|万元|亿元|元|预算|安排|支出|收入|拨款|投入|投资|开支|花|薪|工资|补贴|补助|奖补|费用")
# A money question naming nothing but how the money moved ("临朐水利局总共花了多少钱") asks for the report's total
# of that flow: a department's 总支出, a project's 全年执行数 (its self-evaluation table names the project).
# A project's budget asked as such ("雪亮工程预算多少") is its self-evaluation table's 全年预算数 (the adjusted budget);
# a department's, its 总支出 stored on a budget basis.
TOTAL_ASKS = (
    (("总支出", "全年执行数"), re.compile(r"花|用|支出|开支|执行")),
    (("收入合计",), re.compile(r"收|拿到|到账|进账|收入")),
    (("全年预算数", "总支出"), re.compile(r"预算")),
)
# How money moved, as a question asks it and as the words before a figure name it: spent (花了, 全年执行, 支出),
# received (收了, 拿到, 收入) or budgeted (预算, 安排); left unspent (结余, 剩了, 未执行), added to a budget during the
# year (追加) or cut from it (调减, 砍掉). A figure of one flow does not answer a question about another.
FLOW_WORDS = (
    ("spent", ("花", "用了", "支出", "开支", "执行")),
    ("received", ("收入", "收了", "拿到", "到账", "进账", "到位", "下达")),
    ("budgeted", ("预算", "安排")),
    ("unspent", ("剩", "结余", "结转", "结存", *(no + verb for no in "没未" for verb in ("花", "用", "执行", "支出", "支付")))),
    ("added", ("追加", "调增", "增拨")),
    ("cut", ("调减", "核减", "压减", "削减", "砍")),
)
FLOWS = tuple((flow, re.compile("|".join(words))) for flow, words in FLOW_WORDS)
# The flows a report's key figures are stored for; a question about another (结余, 追加) is answered from sentences.
STORED_FLOWS = ("spent", "received", "budgeted")
# Flows that change a budget: "追加预算" names what was added to it, not the budget.
CHANGED_FLOWS = ("added", "cut", "unspent")
PERCENT_ASKS = re.compile(r"百分之|比例|比率|占比|率|增长|增幅|下降|降幅|提高|百分点|%")
# How a question asks for a figure: 多少, 几 + a measure word, 多大.
# Nouns that name a rate, and "how is it" asked right after one ("满意度咋样"): a figure is asked.
RATE_NOUNS = ("率", "比重", "占比", "比例", "满意度", "百分比")
RATE_HOW = "(?:" + "|".join(f"(?<={noun})" for noun in RATE_NOUNS) + ")(?:怎么样|咋样|如何|怎样|高不高)"
# A question that ends on a rate and asks nothing else ("凤冈 河道治理 执行率") asks its figure, as "执行率多少" does.
RATE_ENDED = re.compile(rf"(?:{'|'.join(RATE_NOUNS)})[？?。！!\s]*$")
NUMBER_ASK = re.compile(rf"多少|(?<![未])几(?=[\u4e00-\u9fff])|多大|多高|多长|占比|比例|百分之几|{RATE_HOW}")
# The shape of a question, as query analysis reads it (the first ask wins).
SHAPE_NUMBER = re.compile(
    rf"多少|几(?:{'|'.join(sorted(MEASURE_WORDS, key=len, reverse=True))}|年|成)|多大|多高|多长|多远|多重|多久|金额|数额|总额|比例|占比|百分之|是几|{RATE_HOW}"
)
# A list question names the report part it lists right after its ask ("自己说有哪些问题", "存在啥问题"): that
# part's section answers, in whatever other words the question is typed.
LISTED_ASK = re.compile(r"(?:哪些|哪几(?:个|项|条|方面)?|什么|啥)([\u4e00-\u9fff]{2,6})")
# The parts of a report a list question may ask for, each by the words reports title its section with ("存在的问题",
# "短板弱项", "改进措施", "主要成效"); a question names one by such a word or a synonym of one ("毛病": 缺陷, 弱项).
REPORT_PARTS = (
    ("问题", "不足", "短板", "弱项", "缺陷"),
    ("措施", "举措", "改进", "建议"),
    ("职责", "职能"),
    ("成效", "成绩", "成果"),
    ("经验", "做法"),
)
SHAPE_LIST = re.compile(r"哪些|哪几|有什么(?:问题|措施|工作|做法)|分别|列举")
SHAPE_HOW = re.compile(r"怎么样|如何|怎样|情况|成效|进展")
# How a question asks which indicators of a self-evaluation table fell short (扣了分, 没完成).
# Questions that ask for one part of a report without naming it: "为啥" asks the 原因, "管什么" the 职责,
# "下一步怎么解决" the 措施. The part's noun joins the question's terms, so its section and sentences match.
# Each part is named by its usual headings' words, first the one the answerer weighs.
PART_ASKS = (
    # "咋降下来的", "怎么涨了": how a figure changed asks why
    (("原因",), re.compile(r"为什么|为啥|为何|咋会|怎么会|什么原因|啥原因|(?:咋|怎么)(?:没|不|这么|那么)|(?:咋|怎么)(?:就)?(?:降|涨|升|减|增|少|多)")),
    (("职责", "职能"), re.compile(r"管什么|管啥|管哪些|负责什么|负责啥|负责哪些|干什么的|干啥的|做什么的|干嘛的")),
    (("措施", "改进", "下一步"), re.compile(r"下一步|怎么解决|如何解决|咋解决|怎么改|咋改|怎么办|咋办")),
    # "钱都花在哪几块", "资金用在哪些方面": what the money was for
    (("用途", "用于"), re.compile(r"(?:用|花)(?:在|到|于)(?:了)?(?:哪|什么)|用途|干什么用|做什么用")),
)
# A sentence that says what money was for ("主要用于农村公路日常养护、路面修补…").
PURPOSE_MARKERS = re.compile(r"用于|用在")
# A sentence that says why: a causal connective ("由于", "因", "受汛期影响", "导致"), "主要是" after what it explains
# ("结余357.23万元，主要是…工程款未达到支付条件"), or where a score lost its points ("扣分主要集中在…").
CAUSE_MARKERS = re.compile(r"由于|因为|因(?!此|而)|原因|导致|致使|所致|造成|受[^，。；]{1,12}(?:影响|限制|制约)|归因|[，,]主要是(?!用于|包括)|扣分")
SHORTFALL_ASKS = re.compile(r"扣分|扣了|失分|丢分|没有?完成|未完成|未达|没达|不达标|没拿满|差在哪")
# A question about the department as a whole, which a report on one project or fund does not answer.
WHOLE_DEPARTMENT = re.compile(r"部门整体|整体支出")
COMPARE_WORDS = re.compile(r"比较|对比|相比|分别|各自|异同|不同|差异|两个局|两局|两个部门|两家")
# The words a comparison is phrased with, taken out of its topic ("比较一下…有什么区别").
COMPARE_PHRASES = re.compile(
    r"比较一下|比较|对比一下|对比|相比|有什么区别|有啥区别|区别|有啥不一样|不一样|分别|各自|各|异同|有什么不同|有何不同|不同|差异|两个局|两局|两个部门|两家|之间"
)
# A comparison that asks which side has more ("哪个高", "比一比"): each side is asked for its figure.
# What is compared may stand inside the ask ("谁分高", "谁花得多", "哪个项目执行率更低"): it is kept, the asking words go.
WHICH_MORE = re.compile(r"(?:哪个|哪家|谁)的?(?P<what>[\u4e00-\u9fff]{0,6}?)得?更?(?:多|高|大|少|低|小)|比一比|比比看?|高低|孰高孰低")
# A question asks a figure of each of several things ("两个项目各打了几分", "分别是多少").
EACH_ASKED = re.compile(r"各|分别|每个")
# Words that tie two asked items together ("收入和支出各多少").
JOINERS = re.compile(r"[和与及、跟以及]")
# A question asks by how much something changed ("比上年少了多少", "增长多少", "提高了几个百分点", "比去年多花了多少").
CHANGE_ASKS = re.compile(
    r"(?:增长|增加|减少|下降|提高|降低|上升|提升|增|减|降|涨|多|少)了?(?:百分之)?(?:多少|几)|[比较](?:上年|上一年|去年)|同比|比年初"
    r"|(?<![多少不至最很差])[多少](?![多少了的])[\u4e00-\u9fff]了?(?:多少|几)"  # "比去年多花了多少", "少招了几个"
)
# The word that opens the parts of a total stated before it ("全年支出…，其中基本支出…").
PART_OPENS = "其中"
# A question that asks a total ("累计结余一共多少"), and a table's row that states one: the row answers, not a line of it.
TOTAL_ASKED = re.compile(r"一共|总共|合计|总计|共计|总数|总额|加起来")
TOTAL_ROW = re.compile(r"(?:总|合)计")
# What was newly added is a change of a stock, not the stock ("年内新增省级枫桥式司法所2个" for "有几个司法所"), as a
# report states it before the noun it counts and as a question asks it ("新增就业多少人").
ADDED = re.compile(r"新增|净增|新建|新开|新设")
# Verbs of change, as a question or a report uses them.
CHANGE_VERBS = re.compile(r"(?:增长|增加|减少|下降|提高|降低|上升|提升|增幅|降幅|增|减|降|涨)了?")
# A report states a change with these right before the figure ("同比增长12%", "比年初预算减少1.18万元").
CHANGE_BEFORE = re.compile(r"(?:增长|增加|减少|下降|提高|降低|上升|提升|增幅|降幅|增|减|降|超出|节约|多|少)了?$")
# A level from before a change ("由上年的2.86平方米提高到3.12平方米", "上年为1,152.40万元"), and a question that asks
# that earlier level ("原来多少", "改造前多少"); 去年 is how users name the report's own year, so it asks nothing earlier.
EARLIER_BEFORE = re.compile(r"(?:由|从)[^由从到至,，]{0,10}$|(?:上年|上一年|改造前|此前)(?!结转|结余)[\u4e00-\u9fff]{0,4}?(?:的|为|是|末)?$")
EARLIER_ASKS = re.compile(r"原来|原先|以前|之前|过去|上年|上一年|改造前|此前")
# Words that say when of a level asked, not what is counted ("现在多少 原来多少").
WHEN_ASKED = re.compile(r"现在|目前|当前|如今|原来|原先|以前|之前|过去|此前")
# A figure labelled with these is a target, not what was done; a question with them asks for the target.
# A figure per unit ("每人每月1,186元", "亩均1253元", "5元/生·天"), and a question that asks one ("每人每月多少", "一亩地多少").
PER_UNIT = re.compile(r"每(?:人|户|亩|生|月|天|年|名|位|个|次|公里|平方米)|[人户亩生]均|一亩|单个|单位成本|/")
TARGET_WORDS = re.compile(r"目标|指标值|计划(?!生育)|预期|任务数")
# A section whose heading sets targets ("三、绩效目标设定情况", "年度绩效目标"), not one that reports them met: its figures are targets.
# A target named right after its figure ("未达到80%的年度目标").
TARGET_AFTER = re.compile(r"的?(?:年度|绩效|预期)?(?:目标|指标值)")
TARGET_SECTION = re.compile(r"目标(?!.*(?:完成|实现|达成|执行))")
# Words that name the period a figure covers (全年花了多少): every figure of a report's year covers it.
PERIOD_WORDS = re.compile(r"全年|年度|本年度?|当年|今年|年内|年底|年末")
# A year as a question types it: 2021年, or its last two digits, 21年 (2015 to 2029; not 21年来).
YEAR_TYPED = re.compile(r"(?<![\d.])((?:19|20)\d{2}|1[5-9]|2\d)\s*年(?!来|间|以来|多)")


def typed_year(found: re.Match[str]) -> int:
    """The year a YEAR_TYPED match names: 21年 is 2021."""
    digits = found.group(1)
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


# The year after the report's, as a question names it.
NEXT_YEAR = re.compile(r"明年|来年|下一年|下年度|下一年度")
# A figure right after these is a bound set, not a level reached ("对执行率低于90%的项目", "≥95%"): it counts as a target.
BOUND_BEFORE = re.compile(r"(?:不?低于|不?高于|不?少于|不?多于|不超过|≥|≤|＞|＜|>|<|>=|<=)\s*$")
# A noun right before 多少 that is a rate or share: the answer is a percentage ("执行率多少", "满意度是多少").
PERCENT_NOUNS = re.compile(rf"(?:{'|'.join(RATE_NOUNS)})(?:是|为|有|达到|能达到)?$")
# Markers a report puts before a figure (约 120 人, 累计 36 家).
APPROX_BEFORE = ("约", "近", "超", "逾", "超过", "达", "达到", "共", "累计")
