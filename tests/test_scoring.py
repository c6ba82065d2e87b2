"""Scoring signals and the fitted scorer, on small inputs with exact values."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.quantities import asked_slots, quantities
from assistant.answering.selection import Scorer
from assistant.answering.signals import SIGNALS, cosine, coverage, focus_weights, quantity_signals
from assistant.answering.terms import Terms, Vocabulary, cilin_synonyms, question_terms


class FakeEmbedder:
    """A deterministic in-memory embedder: character counts over a small alphabet, for fast tests."""

    def __init__(self, alphabet: str) -> None:
        self.alphabet = alphabet

    def embed(self, text: str) -> np.ndarray:
        return np.array([text.count(c) for c in self.alphabet], dtype=np.float32)


def test_coverage_counts_term_weight_and_synonyms_only_when_expanded():
    terms = Terms({"人数": 2.0, "科室": 1.0}, {"人数": ("人员",)})
    assert coverage(terms, terms.weights, "在职人员18人") == 0.0
    assert coverage(terms, terms.weights, "在职人员18人", expanded=True) == pytest.approx(2 / 3)
    assert coverage(terms, terms.weights, "内设5个科室，人数18") == 1.0


def test_focus_keeps_the_terms_of_the_asking_clause_and_of_the_clause_before_it():
    terms = Terms({"纾困": 1.0, "资金": 1.0, "企业": 1.0, "收入": 1.0}, {})
    assert focus_weights(terms, asked_slots("为了纾困给了多少家企业")) == {"纾困": 1.0, "企业": 1.0}
    assert focus_weights(terms, asked_slots("为了纾困，给了多少家企业")) == {"纾困": 1.0, "企业": 1.0}  # what it is about
    assert focus_weights(terms, asked_slots("收入多少，给了多少家企业")) == {"收入": 1.0, "企业": 1.0}


def test_cosine_of_fake_embeddings():
    fake = FakeEmbedder("预算支出")
    assert cosine(fake.embed("预算"), fake.embed("预算")) == pytest.approx(1.0)
    assert cosine(fake.embed("预算"), fake.embed("支出")) == 0.0
    assert cosine(None, fake.embed("支出")) == 0.0


def test_quantity_signals_for_a_number_question():
    slots = asked_slots("有多少家企业")
    assert quantity_signals(slots, quantities("服务企业46家")) == (1.0, 1.0, 0.0)
    assert quantity_signals(slots, []) == (0.0, 0.0, 1.0)
    assert quantity_signals([], quantities("服务企业46家")) == (0.0, 0.0, 0.0)


def test_the_scorer_is_a_logistic_of_its_signals():
    scorer = Scorer(tuple([1.0] + [0.0] * (len(SIGNALS) - 1)), 0.0, 0.5)
    signals = np.zeros(len(SIGNALS))
    assert scorer.probability(signals) == 0.5 and scorer.answers(0.5)
    signals[0] = 2.0
    assert scorer.probability(signals) == pytest.approx(1 / (1 + np.exp(-2.0)))


def test_the_scorer_checks_its_weights():
    with pytest.raises(ValueError, match="needs"):
        Scorer((1.0,), 0.0, 0.5)


def test_rare_terms_weigh_more_than_terms_in_every_chunk():
    vocabulary = Vocabulary.of([["万元", "科室"], ["万元"], ["万元"], ["万元"]])
    assert vocabulary.rarity("万元") == pytest.approx(np.log(5 / 5) / np.log(5))
    assert vocabulary.rarity("科室") == 1.0


def test_synonyms_come_from_cilin_and_must_occur_in_the_reports():
    assert "开支" in cilin_synonyms()["支出"]
    vocabulary = Vocabulary.of([["开支"], ["费用"]])
    terms = question_terms("支出多少", (), vocabulary)
    assert set(terms.synonyms["支出"]) <= {"开支", "费用"} and terms.synonyms["支出"]


def test_a_part_asked_in_other_words_is_matched_on_headings_not_sentences():
    vocabulary = Vocabulary.of([["原因", "分析"], ["职责"], ["基层"], ["力量"]])
    terms = question_terms("基层力量为啥弱", (), vocabulary)
    assert set(terms.parts) == {"原因"} and "原因" not in terms.weights
    assert set(terms.with_parts) == {"基层", "力量", "原因"}
    duties = question_terms("主要管什么", (), Vocabulary.of([["职责"], ["管理"], ["经费"]]))
    assert (set(duties.parts), duties.weights) == ({"职责"}, {})  # 管 of 管什么 asks, it is no topic (管理)
    assert question_terms("下一步怎么解决", (), vocabulary).parts == {}  # 措施 is in no report here
    functions = question_terms("是管啥的", (), Vocabulary.of([["职能"], ["经费"]]))
    assert set(functions.parts) == {"职责"} and "职能" in functions.forms("职责", True)  # the report's heading says 职能


def _sentence(quote: str, section: str, score: float, report: str = "r1"):
    from assistant.answering.candidates import Sentence
    from index.models import Chunk, ReportMeta

    meta = ReportMeta(report, "", "", None, None, None, 2023, None, "", (), "", report)
    return Sentence(meta, Chunk("c", report, 0, section, quote, 0, len(quote), ()), 0, len(quote), quote, score, 0)


def test_a_sentence_states_a_cause_by_its_connective_or_its_heading():
    from assistant.answering.parts import states_part

    assert states_part("原因", "资金于9月才下达，受施工季节限制，仅完成1.18万亩。", "三、项目执行")
    assert states_part("原因", "6间因设备供货延迟未完工。", "")
    assert not states_part("原因", "油茶低产林改造任务未能全部完成。", "四、存在的问题")
    assert not states_part("原因", "因此需要加强管理。", "")  # 因此 draws a consequence
    assert states_part("原因", "编制有限。", "五、存在的问题及原因")
    assert states_part("措施", "推动小区成立业主委员会。", "六、改进措施")
    assert not states_part("措施", "推动小区成立业主委员会。", "三、产出情况")


def test_a_why_question_is_answered_by_the_cause_on_its_topic_not_by_the_best_scored_sentence():
    from assistant.answering.parts import part_answers

    terms = Terms({"油茶": 2.0, "改造": 1.0, "花完": 5.0}, {}, {"原因": 1.0}, frozenset({"花完"}))
    assert terms.written == {"油茶": 2.0, "改造": 1.0}
    done = _sentence("油茶改造任务未能全部完成。", "", 0.9)
    cause = _sentence("油茶改造资金于9月才下达，受施工季节限制。", "", 0.5)
    other = _sentence("因天气原因，护林员巡护天数减少。", "", 0.6)  # a cause, on another topic
    section_named = _sentence("受汛期影响推迟开工。", "二、油茶改造项目", 0.4)  # the topic in its heading
    elsewhere = _sentence("受汛期影响推迟开工。", "", 0.8, report="r2")  # not the best report
    assert part_answers(terms, [done, other, cause, section_named, elsewhere]) == [cause, section_named]
    assert part_answers(Terms({"油茶": 1.0}, {}), [done, cause]) == []  # no part asked


def test_a_cause_in_the_sentence_right_after_the_one_on_the_topic_answers_why():
    from dataclasses import replace

    from assistant.answering.parts import part_answers

    terms = Terms({"三公经费": 2.0, "降下来": 5.0}, {}, {"原因": 1.0}, frozenset({"降下来"}))
    fell = _sentence("三公经费支出1.92万元，比上年减少0.23万元。", "", 0.6)
    cause = replace(_sentence("主要原因是深入落实过紧日子要求。", "", 0.3), start=fell.end + 1, end=fell.end + 16)
    far = replace(cause, start=fell.end + 40, end=fell.end + 55)
    assert part_answers(terms, [fell, cause]) == [cause]  # it names nothing, but explains the sentence before it
    assert part_answers(terms, [fell, far]) == []  # not right after it


def test_the_cause_closest_in_meaning_comes_first():
    from dataclasses import replace

    from assistant.answering.parts import part_answers

    terms = Terms({"公路": 1.0}, {}, {"原因": 1.0})
    semantic = SIGNALS.index("semantic")
    row = _sentence("公路养护里程未达标，偏差原因：汛期施工窗口期缩短。", "", 0.7)
    cause = _sentence("公路养护执行率偏低的主要原因是受汛期影响。", "", 0.6)
    signals = [0.0] * len(SIGNALS)
    row = replace(row, signals=tuple(signals[:semantic] + [0.86] + signals[semantic + 1 :]))
    cause = replace(cause, signals=tuple(signals[:semantic] + [0.88] + signals[semantic + 1 :]))
    assert part_answers(terms, [row, cause]) == [cause, row]


def test_a_term_no_report_writes_is_unwritten_unless_written_words_make_it_up():
    vocabulary = Vocabulary.of([["工程", "预算"], ["监理"], ["雪亮"]])
    terms = question_terms("雪亮工程预算多少 钱花完没", (), vocabulary)
    assert "工程预算" in terms.weights and "工程预算" not in terms.unwritten  # 工程 and 预算 are written
    assert terms.unwritten == {"花完"}  # in no report, and no written word makes it up


def test_a_short_form_no_report_writes_is_matched_in_the_longer_word_the_asked_reports_write():
    from assistant.answering.terms import abbreviated_forms

    texts = ["市职业中专学校执行率最低，主要是职业中专实训楼设备采购项目流标。", "城乡最低生活保障标准提高。"]
    assert abbreviated_forms("职专", texts) == ("职业中专",)
    assert abbreviated_forms("低保", texts) == ("低生活保",)  # inside 最低生活保障
    assert abbreviated_forms("钱", texts) == () and abbreviated_forms("执行", texts) == ()  # one character; or written as is
    vocabulary = Vocabulary.of([["职业", "中专", "学校"], ["执行率"]])
    terms = question_terms("职专执行率多少", (), vocabulary, texts)
    assert terms.synonyms["职专"] == ("职业中专",) and terms.shortened == {"职专"}
    assert "职专" in question_terms("职专执行率多少", (), vocabulary).unwritten  # no asked texts: as typed


def test_a_word_for_how_money_moved_is_matched_as_the_reports_write_that_flow():
    vocabulary = Vocabulary.of([["结转", "结余"], ["支出"], ["追加"]])
    assert question_terms("剩了多少钱", (), vocabulary).synonyms["剩"] == ("结余", "结转")
    assert "支出" not in question_terms("花了多少钱", (), vocabulary).synonyms.get("花", ())  # key figures answer what was spent


def test_a_flow_the_tokenizer_cuts_apart_is_still_asked_as_the_reports_write_it():
    vocabulary = Vocabulary.of([["结转", "结余"], ["支出"]])
    terms = question_terms("年底为啥还有四百多万没花出去", (), vocabulary)
    assert terms.synonyms["没花"] == ("结余", "结转")  # jieba cuts 没|花: neither token says what was left
    assert "没花" in terms.unwritten  # how it asks, not what it is about
    assert "没花" not in question_terms("年底为啥还剩了三百多万没花", (), vocabulary).weights  # 剩 says it already


def test_function_words_and_figures_in_words_are_no_terms():
    vocabulary = Vocabulary.of([["结余", "年底", "只", "还", "多万"], ["自评", "良"]])
    assert "只" not in question_terms("青城路街道自评为啥只拿了个良", (), vocabulary).weights
    left = question_terms("年底为啥还剩了三百多万没花", (), vocabulary).weights
    assert "多万" not in left and "还" not in left and "年底" in left


def test_a_verb_names_no_thing():
    from assistant.answering.terms import is_verb

    assert is_verb("调完") and is_verb("砍掉")
    assert not is_verb("监理费") and not is_verb("人头")


def test_how_a_figure_changed_asks_why_and_what_states_a_cause():
    from assistant.answering.parts import states_part

    assert set(question_terms("三公经费咋降下来的", (), Vocabulary.of([["原因"], ["三公"]])).parts) == {"原因"}
    assert states_part("原因", "年末结转结余357.23万元，主要是梨园河灌区项目部分工程款未达到支付条件。", "")
    assert states_part("原因", "扣分主要集中在老旧小区配套资金执行率偏低两个方面。", "")
    assert not states_part("原因", "项目支出1661.82万元，主要是用于社区工作者薪酬。", "")


def test_a_verb_glued_to_more_or_less_is_asked_on_its_own():
    vocabulary = Vocabulary.of([["花", "消费"], ["支出"]])
    assert set(question_terms("今年比去年多花了多少", (), vocabulary).weights) == {"花"}


def test_a_sentence_shares_a_word_by_a_term_a_synonym_or_the_flow_of_money_it_names():
    from dataclasses import replace

    from assistant.answering.answerer import shares_a_word

    spent = replace(_sentence("比上年支出3,975.18万元增加407.46万元", "", 0.9), signals=(0.0,) * len(SIGNALS))
    assert shares_a_word(Terms({"花": 1.0}, {}), [spent])  # 花 and 支出 name the same flow
    assert not shares_a_word(Terms({"收": 1.0}, {}), [spent])
    assert not shares_a_word(Terms({"绿化": 1.0}, {}), [spent])
    assert not shares_a_word(Terms({"农田": 1.0, "花": 1.0}, {}), [spent])  # the thing it names must be there
    assert shares_a_word(Terms({}, {}), [spent])  # a question with no terms has none to share
    project = replace(_sentence("项目预算1250.00万元，实际支出1186.30万元", "二、项目情况 › （二）地质灾害防治项目", 0.9), signals=spent.signals)
    assert shares_a_word(Terms({"地质灾害": 2.0, "花": 1.0}, {}), [project])  # its heading names most of what is asked
    assert not shares_a_word(Terms({"茶叶": 3.0, "项目": 1.0}, {}), [project])


def test_a_noun_phrase_is_its_head_and_the_nouns_that_qualify_it():
    from assistant.answering.terms import qualified_nouns

    assert qualified_nouns("家庭农场补贴发了多少钱") == [("补贴", ("家庭", "农场"))]
    assert qualified_nouns("森林防火经费花了多少") == [("经费", ("森林", "防火"))]
    assert qualified_nouns("农机购置补贴发了多少") == [("补贴", ("农机", "购置"))]
    assert qualified_nouns("三公经费花了多少") == []


def test_a_qualifier_is_written_as_such_as_a_synonym_abbreviated_or_as_a_word_opening_like_it():
    from assistant.answering.terms import written_somehow

    assert written_somehow("计生", "对象", ("计生",), "向计划生育家庭奖励扶助对象12674人发放")
    assert written_somehow("人头", "经费", ("人头",), "其中：人员经费352.17万元")
    assert not written_somehow("森林", "经费", ("森林", "山林"), "“三公”经费支出10.58万元，主要是执法车辆")
    assert not written_somehow("家庭", "补贴", ("家庭",), "耕地地力保护补贴，种粮农户42613户")


def test_a_sentence_about_a_sibling_of_the_asked_thing_does_not_answer_it():
    from assistant.answering.answerer import qualifiers_written
    from assistant.query import Query

    report = "按照上级下达的补贴标准，全额发放补贴资金8,236,518.60元，惠及种粮农户42613户。"
    sentence = _sentence(report, "", 0.9)
    ask = Query("家庭农场补贴发了多少钱", (), (), (), "number", False)
    terms = Terms({"家庭": 1.0, "农场": 1.0, "补贴": 1.0}, {})
    assert not qualifiers_written(ask, terms, sentence, report)  # the report never writes of family farms
    grain = Query("种粮农户补贴发了多少钱", (), (), (), "number", False)
    assert qualifiers_written(grain, Terms({"种粮": 1.0, "补贴": 1.0}, {}), sentence, report)


def test_a_compound_qualifier_is_written_when_each_of_its_words_is():
    from assistant.answering.terms import written_somehow

    assert written_somehow("住院病人", "满意度", ("住院病人",), "全年门诊患者满意度93.1%，住院患者满意度95.7%")
    assert not written_somehow("住院病人", "满意度", ("住院病人",), "全年门诊患者满意度93.1%，职工满意度88.9%")


def test_names_people_reads_every_sense_of_a_noun_or_its_last_word():
    from assistant.answering.terms import names_people

    assert [names_people(w) for w in ("老百姓", "护林员", "在职人员", "企业", "干活")] == [True, True, True, False, None]


def test_a_count_asked_with_its_measure_word_is_no_term():
    terms = question_terms("魏塘街道下设哪几个事业单位 自评几分", (), Vocabulary.of([["下设", "事业单位"], ["自评"]]))
    assert not {"几个", "哪几个", "几分"} & set(terms.weights)
    glued = question_terms("项目打了多少眼井", (), Vocabulary.of([["项目", "机电井"], ["井", "水井"]]))
    assert "眼井" not in glued.weights and "井" in glued.weights  # 眼 counts the 井 asked about


def test_a_compound_asked_whose_last_word_the_text_writes_only_in_other_compounds_is_a_sibling():
    from assistant.answering.answerer import sibling_compounds
    from index.lexical import tokenize

    terms = Terms({"医疗保险": 9.0, "参保": 3.0, "安全检查": 10.0, "公用经费": 8.0}, {})
    insured = "城乡居民基本养老保险参保人数29.6万人，失业保险参保人数1.58万人"
    assert sibling_compounds(terms, insured) == [("医疗保险", "保险")]
    assert sibling_compounds(terms, "共召开安全生产工作会议25余次，入企业检查116次") == []
    pension = "养老保险参保人数29.6万人"
    assert sibling_compounds(Terms({"医疗保险": 1.0}, {}), pension, tokenize(pension)) == [("医疗保险", "保险")]


def test_a_compound_word_reads_as_a_noun_phrase():
    from assistant.answering.answerer import compound_phrases

    assert compound_phrases(Terms({"抽样调查": 9.0, "人口": 4.0, "住院病人": 8.0}, {})) == [("调查", ("抽样",)), ("病人", ("住院",))]


def test_the_first_asks_basis_is_checked_in_the_sentence_that_answers_it_not_in_a_later_asks():
    from assistant.answering.answerer import states_asked_kind
    from assistant.answering.quantities import asked_slots

    slots = asked_slots("全年预算多少 实际花了多少")
    budget = _sentence("全年预算调整为12,405.18万元。", "", 0.99)
    spent = _sentence("2021年全年实际支出11,962.40万元，预算执行率96.43%。", "", 0.88)
    assert states_asked_kind(slots, [budget, spent])
    assert not states_asked_kind(slots, [spent])  # what was spent does not say the budget


def test_a_question_where_the_money_went_asks_for_the_sentence_that_says_what_it_was_for():
    from assistant.answering.parts import part_answers, states_part

    vocabulary = Vocabulary.of([["养护", "资金"], ["用于"], ["缺口"]])
    terms = question_terms("宁陕养护资金都用在哪些方面", (), vocabulary)
    assert "用途" in terms.parts
    assert states_part("用途", "养护项目主要用于日常养护、路面修补和危桥改造。", "")
    assert not states_part("用途", "养护资金缺口较大。", "")
    used = _sentence("养护资金主要用于日常养护、路面修补和危桥改造。", "", 0.5)
    short = _sentence("养护资金缺口较大。", "", 0.9)
    assert part_answers(terms, [short, used]) == [used]


def test_a_noun_whose_qualifier_the_report_never_writes_is_not_answered_by_a_sentence_about_something_else():
    from assistant.answering.answerer import qualifiers_written
    from assistant.query import Query

    report = "全年发放城乡低保资金5,382.46万元，特困人员救助供养资金1,936.70万元。为劳动者追讨欠薪486.3万元。"
    relief = _sentence("全年发放城乡低保资金5,382.46万元，特困人员救助供养资金1,936.70万元。", "", 0.9)
    orphans = Query("孤儿基本生活费发了多少", (), (), (), "number", False)
    assert not qualifiers_written(orphans, Terms({"孤儿": 1.0, "基本": 1.0, "生活费": 1.0}, {}), relief, report)
    wages = _sentence("为劳动者追讨欠薪486.3万元。", "", 0.9)
    asked = Query("给劳动者讨回欠薪多少钱", (), (), (), "number", False)
    assert qualifiers_written(asked, Terms({"劳动者": 1.0, "讨回": 1.0, "欠薪": 1.0}, {}), wages, report)  # 讨回 is how it asks
