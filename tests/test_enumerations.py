"""A list asked of things a report names in one enumerating sentence."""

from __future__ import annotations

import pytest

from assistant.answering.enumerations import asked_noun, enumerates


@pytest.mark.parametrize(
    ("question", "noun"),
    [
        ("临湘教育局下面直管哪几所学校", "学校"),
        ("武功统计局里头设了哪些股室", "股室"),
        ("启东业余体校练哪些项目", "项目"),
        ("禾库镇发展了啥产业", "产业"),
        ("公用经费都花哪儿了", "公用经费"),  # nothing after the ask: the noun before it
        ("项目支出包括哪些", "项目支出"),
        ("主要职责是什么", ""),  # asks what they are, not a list
    ],
)
def test_the_asked_noun_follows_the_ask_or_comes_before_a_bare_one(question, noun):
    assert asked_noun(question) == noun


def test_an_enumeration_answers_with_the_noun_right_by_it_or_in_its_heading():
    assert enumerates("即局机关本级和市第一中学、市第二中学、市职业中专学校、市实验小学5所直属学校。", "", "学校")
    assert enumerates("共实施水利项目4个，分别是农村供水保障工程、中小河流治理工程、小型水库除险加固工程。", "", "项目")
    assert enumerates("全年发展烤烟3,200亩、猕猴桃1,150亩、油茶2,600亩。", "三、绩效目标完成情况 › （三）产业发展", "产业")
    assert not enumerates("全年发展烤烟3,200亩、猕猴桃1,150亩、油茶2,600亩。", "三、绩效目标完成情况 › （一）参保扩面", "产业")
    assert not enumerates("开设田径、游泳两个训练项目。", "", "项目")  # two items are no list of three
    assert not enumerates("学校布局调整后，全市撤并教学点、村小和幼儿园等31所，方便群众。", "", "股室")


def test_a_list_that_says_it_lists_something_else_does_not_enumerate_the_noun():
    sentence = "本次自评由规划财务和法规股牵头，会同各业务股室，采取查阅台账、系统数据比对、抽查定点医药机构和电话回访参保群众等方式进行。"
    assert not enumerates(sentence, "", "股室")
    assert enumerates("局机关内设办公室、待遇保障和医药服务管理股、基金监管股、规划财务和法规股4个股室。", "", "股室")
    assert enumerates("下辖市第一中学、市第二中学、市实验小学等5所直属学校。", "", "学校")


def test_the_parts_of_an_amount_are_not_a_list_of_things():
    assert not enumerates("该项目是全年投资规模最大的项目，预算2,350.00万元，其中中央资金1,645.00万元、省级资金470.00万元、县级配套235.00万元。", "", "项目")
    assert enumerates("共实施水利项目4个，分别是农村供水保障工程、中小河流治理工程、小型水库除险加固工程和坡耕地治理工程。", "", "项目")
