"""Cited answers on the shipped reports: exact quotes, sections, offsets, abstention, filters, comparisons."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from assistant.errors import BadQuestionError, UnknownBureauError
from assistant.evaluate import first_figure
from assistant.service import Conversation
from index.cleaning import match_key

DEV_FRESH8 = ROOT / "tests" / "data" / "dev_fresh8" / "reports"
DEV_FRESH5 = ROOT / "tests" / "data" / "dev_fresh5" / "reports"
DEV_FRESH2 = ROOT / "tests" / "data" / "dev_fresh2" / "reports"
DEV_FRESH = ROOT / "tests" / "data" / "dev_fresh" / "reports"

WC = "长沙市望城区工业和信息化局"
CN = "常宁市科技和工业信息化局"


@pytest.mark.parametrize(
    ("question", "bureau", "figure", "quote_part", "section"),
    [
        ("望城区工信局2021年一般公共预算拨款收入是多少？", WC, "2284.43", "一般公共预算拨款收入", "二、部门整体预算支出情况"),
        ("望城区工业和信息化局2021年基本支出的年初预算数是多少？", WC, "1193.43", "年初预算数为", "二、部门整体预算支出情况 › （一）基本支出情况"),
        ("望城区工信局机关共有多少个编制？", WC, "17", "局机关共有", "一、部门基本情况 › （二）机构设置"),
        (
            "常宁市科工信局2022年三公经费是多少？",
            CN,
            "11万元",
            "三公经费11万元",
            "二、整体支出基本情况 › 4、三公经费11万元，其中公务接待4万元，公务车运行费7万元",
        ),
        ("常宁科工信局2022年接访了多少起信访？", CN, "35", "今年共接访35起", "三、评价过程及绩效分析 › 2、重点工作落实到位"),
    ],
)
def test_number_answers_lead_with_the_figure_and_cite_the_exact_sentence(shipped_assistant, question, bureau, figure, quote_part, section):
    answer = shipped_assistant.ask(question)
    assert not answer.abstained
    assert figure in match_key(answer.answer.split("[")[0])  # the figure comes before the first citation
    first = answer.citations[0]
    assert first.bureau == bureau and first.section == section
    assert quote_part in match_key(first.quote)
    assert all(c.bureau == bureau for c in answer.citations)


def test_citation_offsets_point_at_the_quote_in_the_source_file(shipped_assistant):
    for question in [
        "望城区工信局项目支出中移交办工作经费多少？",
        "常宁有几家企业获得制造强省专项资金？",
        "铜官陶瓷公司4050人员生活费等方面的专项安排了多少钱？",
    ]:
        answer = shipped_assistant.ask(question)
        assert answer.citations, question
        for citation in answer.citations:
            source = Path(citation.source).read_text(encoding="utf-8")
            assert source[citation.start : citation.end] == citation.quote
            assert len(citation.quote) <= 300


def test_page_broken_sentence_citation(shipped_assistant):
    answer = shipped_assistant.ask("铜官陶瓷公司4050人员生活费等方面的专项安排了多少钱？")
    assert "446" in answer.answer
    assert any("专项446万元" in match_key(c.quote) and "\n" in c.quote for c in answer.citations)


def test_list_questions_list_the_items_of_the_section(shipped_assistant):
    answer = shipped_assistant.ask("望城区工信局的自评报告指出了哪些存在的问题？")
    lines = [line for line in answer.answer.splitlines() if line[:1].isdigit()]
    assert len(lines) == 2 and "预算编制工作有待细化" in lines[0] and "[1]" in lines[0] and "[2]" in lines[1]
    assert [c.section.split(" › ")[0] for c in answer.citations] == ["四、存在的问题及原因分析"] * 2


def test_only_cited_sources_are_listed_and_markers_match(shipped_assistant):
    answer = shipped_assistant.ask("望城区5G基站建设任务完成得怎么样？")
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.n for c in answer.citations}
    assert "2103" in answer.answer and "104.94" in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "望城区工信局2021年三公经费是多少？",  # the report never states it
        "常宁市2022年建成了多少个5G基站？",
        "长沙明天的天气怎么样？",
        "望城区工信局2023年的部门预算是多少？",  # no 2023 report
        "株洲市工信局2022年总支出是多少？",  # no such bureau
        "望城区工信局2021年项目支出最终决算数是多少？",  # only the 年初预算 figure is stated
    ],
)
def test_unanswerable_questions_abstain_without_borrowing_figures(shipped_assistant, question):
    answer = shipped_assistant.ask(question)
    assert answer.abstained and not answer.citations
    other_figures = ["11万元", "5252.64", "2284.43", "1091"]
    assert not any(f in answer.answer for f in other_figures)


def test_an_abstention_shows_the_closest_passages_only_as_possibly_related(shipped_assistant):
    answer = shipped_assistant.ask("望城区工信局2021年三公经费是多少？")
    assert "可能相关" in answer.answer and answer.passages
    assert all(p.bureau == WC for p in answer.passages)


@pytest.mark.parametrize("question", ["", "   ", "？！。", "问" * 501])
def test_bad_questions_raise_a_clear_error(shipped_assistant, question):
    with pytest.raises(BadQuestionError):
        shipped_assistant.ask(question)


def test_filters_by_bureau_and_year_keep_every_passage_in_scope(shipped_assistant):
    by_bureau = shipped_assistant.ask("基本支出是多少？", bureau="常宁")
    assert by_bureau.citations and {p.bureau for p in by_bureau.passages} == {CN}
    by_year = shipped_assistant.ask("基本支出是多少？", year=2021)
    assert {p.bureau for p in by_year.passages} == {WC}
    assert shipped_assistant.ask("基本支出是多少？", year=2019).abstained
    with pytest.raises(UnknownBureauError):
        shipped_assistant.ask("基本支出是多少？", bureau="株洲")


def test_follow_up_keeps_history_per_conversation(shipped_assistant):
    mine, theirs = Conversation(), Conversation()
    shipped_assistant.ask("望城区工信局2021年一般公共预算拨款收入是多少？", conversation=mine)
    shipped_assistant.ask("常宁市科工信局2022年三公经费是多少？", conversation=theirs)
    follow_up = shipped_assistant.ask("那常宁呢？", conversation=mine)
    assert {c.bureau for c in follow_up.citations} <= {CN}
    assert mine.last.text == "常宁一般公共预算拨款收入是多少？"
    assert theirs.last.text == "常宁市科工信局2022年三公经费是多少？"
    stays = shipped_assistant.ask("基本支出呢？", conversation=theirs)  # names no bureau: stays with 常宁
    assert {p.bureau for p in stays.passages} == {CN}


def test_comparison_gives_each_side_its_own_evidence_and_a_cited_table(shipped_assistant):
    answer = shipped_assistant.ask("比较望城区工信局和常宁市科工信局的基本支出")
    assert [s.bureau for s in answer.sides] == [WC, CN]
    for side in answer.sides:
        assert side.citations and all(c.bureau == side.bureau for c in side.citations)
    row = next(r for r in answer.table if r.metric == "基本支出")
    cells = {c.bureau: c for c in row.cells}
    assert (cells[WC].value, cells[WC].unit, cells[WC].basis) == ("1193.43", "万元", "年初预算")
    assert (cells[CN].value, cells[CN].unit) == ("793.43", "万元")
    cited = {c.n: c for c in answer.citations}
    assert "1193.43" in match_key(cited[cells[WC].citation].quote)
    assert "793.43" in match_key(cited[cells[CN].citation].quote)
    assert "口径不同" in answer.answer  # different years and bases are stated, not hidden
    assert {p.bureau for p in answer.passages[:2]} == {WC, CN}  # neither side crowds out the other


def test_a_side_without_the_topic_says_so_for_that_side_only(shipped_assistant):
    answer = shipped_assistant.compare("望城", "常宁", "三公经费")
    sides = {s.bureau: s for s in answer.sides}
    assert sides[WC].abstained and "没有" in sides[WC].answer
    assert not sides[CN].abstained and "11" in sides[CN].answer


def test_comparison_shows_the_consistency_checks(shipped_assistant):
    answer = shipped_assistant.compare("望城区工信局", "常宁市科工信局", "项目支出")
    assert any("5107.2" in note and "4459.21" in note for note in answer.checks)


def test_a_comparison_shows_only_the_checks_of_its_figures(shipped_assistant):
    assert shipped_assistant.compare("望城", "常宁", "出台了什么政策文件").checks == ()


@pytest.mark.parametrize(("first", "second", "error"), [("望城", "望城区工信局", BadQuestionError), ("望城", "株洲", UnknownBureauError)])
def test_bad_comparisons_get_clear_errors(shipped_assistant, first, second, error):
    with pytest.raises(error):
        shipped_assistant.compare(first, second, "基本支出")


def test_cli_ask_json_contract_and_exit_codes(shipped_assistant, tmp_path):
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(shipped_assistant.settings.index_dir)}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    done = run("ask", "常宁市科工信局2022年度总支出是多少？", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) >= {"question", "answer", "abstained", "citations", "passages", "timings_ms"}
    assert set(data["citations"][0]) == {"n", "report", "bureau", "year", "section", "quote", "source", "start", "end", "page", "ocr"}
    assert set(data["passages"][0]) == {"report", "bureau", "year", "section", "text", "score"}
    assert "total" in data["timings_ms"] and "5252.64" in data["answer"]

    for bad in ["", "   ", "？？", "问" * 600]:
        refused = run("ask", bad)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr and refused.stderr.strip()

    compared = run("compare", "望城", "常宁", "基本支出", "--json")
    assert compared.returncode == 0, compared.stderr
    data = json.loads(compared.stdout)
    assert {s["bureau"] for s in data["sides"]} == {WC, CN} and data["table"]

    same = run("compare", "望城", "望城区", "基本支出")
    assert same.returncode == 2 and "同一个单位" in same.stderr

    figures = run("figures", "--bureau", "望城", "--json")
    data = json.loads(figures.stdout)
    assert {f["bureau"] for f in data["figures"]} == {WC}
    assert any(c["name"] == "项目支出明细=项目支出" and c["consistent"] for c in data["checks"])

    batch_in, batch_out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    batch_in.write_text('{"id": "a", "question": "望城区工信局机关共有多少个编制？"}\n{"id": "b", "question": "  "}\n', encoding="utf-8")
    assert run("batch", str(batch_in), "--out", str(batch_out)).returncode == 0
    lines = [json.loads(line) for line in batch_out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["id"] == "a" and "17" in lines[0]["answer"] and "error" in lines[1]


@pytest.mark.parametrize("question", ["望城区工信局的人员经费是多少？", "望城区工信局的公用经费是多少？"])
def test_a_key_figure_the_report_never_states_is_not_borrowed_from_a_neighbouring_sentence(shipped_assistant, question):
    answer = shipped_assistant.ask(question)  # 望城 says only that 基本支出 (1193.43) *includes* them
    assert answer.abstained and "没有单独列出" in answer.answer and "1193.43" not in answer.answer


# -- sections and whole sentences (pure functions on a small report) --------------------------------


def _chunks(text: str, parts: list[tuple[str, list[str]]]):
    """Chunks of `text`, one per (section, sentences), with exact sentence offsets."""
    from index.models import Chunk

    chunks, cursor = [], 0
    for i, (section, sentences) in enumerate(parts):
        spans = []
        for sentence in sentences:
            start = text.index(sentence, cursor)
            spans.append((start, start + len(sentence)))
            cursor = start + len(sentence)
        chunks.append(Chunk(f"c{i}", "r", i, section, text[spans[0][0] : spans[-1][1]], spans[0][0], spans[-1][1], tuple(spans)))
    return chunks


SMALL = (
    "四、存在的问题\n一是预算编制不够精细。二是专业人才不足，修缮依赖外聘。三是指标难以量化。\n"
    "五、改进措施\n1、提高预算质量。\n2、充实专业力量。\n"
    "六、职责\n主要职责是：统筹文化事业；组织文物保护；指导旅游监管。"
)
SMALL_CHUNKS = _chunks(
    SMALL,
    [
        ("四、存在的问题", ["四、存在的问题", "一是预算编制不够精细。", "二是专业人才不足，修缮依赖外聘。", "三是指标难以量化。"]),
        ("五、改进措施 › 1、提高预算质量", ["1、提高预算质量。"]),
        ("五、改进措施 › 2、充实专业力量", ["2、充实专业力量。"]),
        ("六、职责", ["主要职责是：统筹文化事业；", "组织文物保护；", "指导旅游监管。"]),
    ],
)


def _quotes(items) -> list[str]:
    return [SMALL[s:e] for _, s, e in items.spans]


def test_a_paragraph_of_yi_shi_er_shi_gives_one_item_each():
    from assistant.answering.sections import section_items

    items = section_items(SMALL, SMALL_CHUNKS, "四、存在的问题")
    assert _quotes(items) == ["一是预算编制不够精细。", "二是专业人才不足，修缮依赖外聘。", "三是指标难以量化。"] and items.more == 0


def test_items_of_one_sentence_cut_at_semicolons_stay_items():
    from assistant.answering.sections import section_items

    text = "五、存在的问题\n一是前期工作不充分，年中调整较多；二是效益指标量化不足；三是专业技术人员紧缺。"
    chunks = _chunks(text, [("五、存在的问题", ["一是前期工作不充分，年中调整较多；", "二是效益指标量化不足；", "三是专业技术人员紧缺。"])])
    found = section_items(text, chunks, "五、存在的问题")
    assert [text[s:e] for _, s, e in found.spans] == ["一是前期工作不充分，年中调整较多；", "二是效益指标量化不足；", "三是专业技术人员紧缺。"]


def test_a_list_opened_after_a_colon_starts_at_its_first_item():
    from assistant.answering.sections import section_items

    text = "四、存在的问题\n对照年度目标，仍存在一些问题：一是设施布局不均衡；二是活动组织方式单一；三是预算执行不均衡。"
    chunks = _chunks(text, [("四、存在的问题", ["对照年度目标，仍存在一些问题：一是设施布局不均衡；", "二是活动组织方式单一；", "三是预算执行不均衡。"])])
    found = section_items(text, chunks, "四、存在的问题")
    assert [text[s:e] for _, s, e in found.spans] == ["一是设施布局不均衡；", "二是活动组织方式单一；", "三是预算执行不均衡。"]


def test_numbered_sub_sections_are_the_items():
    from assistant.answering.sections import section_items

    assert _quotes(section_items(SMALL, SMALL_CHUNKS, "五、改进措施")) == ["1、提高预算质量。", "2、充实专业力量。"]


def test_a_sentence_cut_at_semicolons_is_one_item_read_to_its_end():
    from assistant.answering.sections import section_items, section_spans, whole_end

    assert section_items(SMALL, SMALL_CHUNKS, "六、职责") is None  # one sentence: no list of one
    duties = SMALL_CHUNKS[3]
    start, end = duties.sentences[0]
    end, more = whole_end(SMALL, section_spans(SMALL_CHUNKS, duties), start, end)
    assert (SMALL[start:end], more) == ("主要职责是：统筹文化事业；组织文物保护；指导旅游监管。", 0)


def test_what_does_not_fit_the_quote_is_counted():
    from assistant.answering import sections

    spans = sections.section_spans(SMALL_CHUNKS, SMALL_CHUNKS[3])
    start, end = spans[0]
    limit = sections.MAX_WHOLE_CHARS
    try:
        sections.MAX_WHOLE_CHARS = len("主要职责是：统筹文化事业；组织文物保护；")
        assert sections.whole_end(SMALL, spans, start, end) == (spans[1][1], 1)
    finally:
        sections.MAX_WHOLE_CHARS = limit


def test_the_section_a_question_names_is_found_by_its_heading():
    from assistant.answering.sections import asked_section
    from assistant.answering.terms import Terms

    heading, share = asked_section(Terms({"存在": 1.0, "问题": 1.0}, {}), SMALL_CHUNKS)
    assert (heading, share) == ("四、存在的问题", 1.0)
    colloquial = Terms({"自己说": 3.0, "问题": 1.0}, {}, unwritten=frozenset({"自己说"}))  # no report writes 自己说
    assert asked_section(colloquial, SMALL_CHUNKS) == ("四、存在的问题", 1.0)


def test_the_part_a_list_question_names_after_its_ask_is_its_section():
    from assistant.answering.sections import listed_section

    assert listed_section("六景镇自己说有哪些问题", SMALL_CHUNKS) == "四、存在的问题"
    assert listed_section("下一步有什么措施", SMALL_CHUNKS) == "五、改进措施"
    assert listed_section("有哪些项目", SMALL_CHUNKS) == ""  # not a part of the report
    # a part named by another heading word of it, or by a synonym of one in 同义词词林 (毛病: 缺陷, 弱项)
    assert listed_section("自评里说了哪些毛病", SMALL_CHUNKS) == "四、存在的问题"
    assert listed_section("还有哪些不足", SMALL_CHUNKS) == "四、存在的问题"
    assert listed_section("提了什么建议", SMALL_CHUNKS) == "五、改进措施"


def test_a_question_naming_only_a_key_metric_leads_with_its_figure(shipped_assistant):
    answer = shipped_assistant.ask("常宁的项目支出呢")
    assert answer.answer.startswith("项目支出：4459.21万元。")
    assert "项目资金支出4459.21万元" in match_key(answer.citations[0].quote)


def test_a_section_question_in_other_words_lists_its_items(shipped_assistant):
    answer = shipped_assistant.ask("望城工信局存在什么问题")
    assert not answer.abstained and len(answer.citations) >= 2
    assert all(c.section.startswith(answer.citations[0].section.split(" › ")[0]) for c in answer.citations)


def _assistant_over(settings_factory, tmp_path: Path, *reports: Path):
    """An assistant whose corpus is these reports alone, ingested."""
    from assistant.service import Assistant

    corpus = tmp_path / "reports"
    corpus.mkdir()
    for report in reports:
        shutil.copy(report, corpus)
    assistant = Assistant(settings_factory(corpus_dir=corpus))
    assert not assistant.ingest().failed
    return assistant


def test_a_table_figure_is_quoted_where_the_report_states_it_in_words(settings_factory, tmp_path):
    """The stored figure comes from the money table; the answer quotes the sentence that states it first,
    then cites the table row it comes from."""
    assistant = _assistant_over(settings_factory, tmp_path, DEV_FRESH / "longyou_housing_2023.html")
    answer = assistant.ask("龙游住建局的预算执行率多少")
    assert answer.answer.startswith("预算执行率：97.55%。")
    first, second = answer.citations
    assert "执行率97.55%" in first.quote.replace(" ", "") and "\t" not in first.quote
    assert "8,542.17" in second.quote


def test_a_comparison_quotes_a_table_figure_where_it_is_stated_in_words_and_skips_a_bound(settings_factory, tmp_path):
    """临朐's rate comes from a table flattened one cell per line: its side quotes the sentence that says it.
    宁城's side states its rate, not the 90% bound of a sentence about projects below it."""
    assistant = _assistant_over(settings_factory, tmp_path, DEV_FRESH / "linqu_water_2022.txt", DEV_FRESH / "ningcheng_emergency_2022.txt")
    answer = assistant.ask("临朐水利和宁城应急的预算执行率哪个高")
    linqu, ningcheng = answer.sides
    assert "部门整体预算执行率为97.4%" in linqu.answer
    assert "预算执行率97.53%" in ningcheng.answer and "90%" not in ningcheng.answer


def test_a_stored_figure_answers_only_for_the_project_the_question_names(settings_factory, tmp_path):
    """永康's page holds four projects' self-evaluation tables: the 执行率 asked is the named project's."""
    assistant = _assistant_over(settings_factory, tmp_path, DEV_FRESH2 / "yongkang_finance_project_selfeval_2023.html")
    answer = assistant.ask("永康农村公路养护项目执行率多少")
    assert first_figure(answer.answer) == "85.59"
    spent = assistant.ask("永康农村公路养护项目实际花了多少")  # what a project spent is its table's 全年执行数
    assert spent.answer.startswith("全年执行数：2,447.83万元")  # as the table writes it
    both = assistant.ask("永康全民健身设施项目预算多少 执行了多少")  # the fourth table, two figures in the asked order
    assert both.answer.startswith("全年预算数：720.00万元（年度资金总额）；全年执行数：612.36万元（年度资金总额）。")


def test_a_figure_of_another_year_is_not_answered_by_the_reports_own(shipped_assistant):
    answer = shipped_assistant.ask("望城工信局项目支出2019年是多少")  # the 2021 report states no 2019 figure
    assert answer.abstained


def test_money_spent_with_no_topic_is_the_reports_total(shipped_assistant):
    answer = shipped_assistant.ask("常宁科工信局总共花了多少钱")
    assert answer.answer.startswith("总支出：5252.64万元。")
    assert not shipped_assistant.ask("常宁科工信局买设备花了多少钱").answer.startswith("总支出")  # a topic: not the total


def test_income_asked_with_no_topic_is_the_reports_total(settings_factory, tmp_path):
    """会宁's scanned report states 收入合计 and, later, 事业收入: "收入一共多少" asks the total."""
    assistant = _assistant_over(settings_factory, tmp_path, DEV_FRESH2 / "huining_cdc_2022_scan.txt")
    assert assistant.ask("会宁疾控去年收入一共多少").answer.startswith("收入合计：2,318.64万元。")


def test_a_metric_stated_only_on_the_other_basis_is_said_to_be_unstated(shipped_assistant):
    answer = shipped_assistant.ask("望城区工信局2021年项目支出最终决算数是多少？")  # the report gives only its 年初预算数
    assert answer.abstained and "没有单独列出项目支出（决算）" in answer.answer


def test_a_project_rate_asked_for_another_project_is_not_the_one_tables(settings_factory, tmp_path):
    """陇西's report is one project's (中药材): its 执行率 does not answer a question about a 马铃薯 project."""
    assistant = _assistant_over(settings_factory, tmp_path, DEV_FRESH / "longxi_herbs_project_2023.txt")
    other = assistant.ask("陇西马铃薯产业项目执行率多少")
    assert other.abstained and "95.56" not in other.answer.split("下列段落")[0]
    assert first_figure(assistant.ask("陇西中药材项目执行率多少").answer) == "95.56"


def test_a_report_in_yuan_answers_its_years_spending_its_counts_and_refuses_a_sibling(settings_factory, tmp_path):
    """弥勒's report writes amounts in 元 with separators and counts in Chinese numerals."""
    assistant = _assistant_over(settings_factory, tmp_path, DEV_FRESH8 / "mile_nongyenongcunju_2024.txt")
    assert assistant.ask("弥勒农业农村局2024年全年支出多少").answer.startswith("总支出：58,763,214.56元")  # 2024 picks no budget line
    assert assistant.ask("弥勒高标准农田涉及多少个村").answer.startswith("三十二个")  # 五个 counts the 镇
    assert assistant.ask("弥勒农业农村局家庭农场补贴发了多少钱").abstained  # it reports 种粮 subsidies only
    assert assistant.ask("弥勒农业农村局年底没花完的钱还剩多少").answer.startswith("4,712,703.86元")  # 结余, not 年末固定资产原值
    assert "未达到结算条件" in assistant.ask("弥勒农业农村局年底为啥还有四百多万没花出去").answer


def test_a_total_asked_over_a_table_is_its_total_row(settings_factory, tmp_path):
    """隆德's fund table has a row per fund and a 合计 row: "一共" asks the 合计 row, not the first fund's."""
    assistant = _assistant_over(settings_factory, tmp_path, DEV_FRESH5 / "longde_healthcare_security_2021.html")
    assert assistant.ask("隆德医保基金到年底累计结余一共多少").answer.startswith("16,295.89万元")


def test_a_figures_label_drops_the_numbers_the_question_asks_with():
    from assistant.answering.answerer import _NUMBERED

    labels = ("头一批纾困钱发", "6条产业链全年产值", "三公经费", "项目支出")
    assert [_NUMBERED.sub("", n) for n in labels] == ["纾困钱发", "产业链全年产值", "三公经费", "项目支出"]


def test_a_project_named_on_its_own_line_before_the_first_section_is_what_the_report_is_about():
    from assistant.answering.key_figures import _project_named

    text = "巍山县林业和草原局2021年度项目支出绩效自评报告\n项目名称：2021年天然林保护工程补助资金项目\n\n一、项目基本情况\n\n资金执行率96.10%。"
    assert _project_named(text) == "2021年天然林保护工程补助资金项目"
    several = "枝江市农业农村局项目支出绩效自评报告\n对两个项目开展自评。\n一、项目概况\n表1\n项目名称：农机购置补贴项目\n"
    assert _project_named(several) == ""  # named inside a section: one of several projects


def test_a_self_evaluation_tables_row_that_holds_a_part_gives_its_items():
    from assistant.answering.sections import asked_part_names, part_row

    text = "总分\t100\t97.45\n\n主要问题\t一是项目支出执行率偏低，部分资金未支付；二是执法力量薄弱；三是指标设置偏保守。\n\n改进措施\t一是加快前期工作；二是充实基层力量。"
    chunks = _chunks(
        text,
        [
            ("", ["总分\t100\t97.45\n\n主要问题\t一是项目支出执行率偏低，部分资金未支付；", "二是执法力量薄弱；", "三是指标设置偏保守。"]),
            ("", ["改进措施\t一是加快前期工作；", "二是充实基层力量。"]),
        ],
    )
    problems = part_row(asked_part_names("自评表里提了哪些问题", {}), text, chunks)
    assert problems.heading == "主要问题"
    assert [text[s:e] for _, s, e in problems.spans] == ["一是项目支出执行率偏低，部分资金未支付", "二是执法力量薄弱", "三是指标设置偏保守。"]
    measures = part_row(asked_part_names("下一步咋改", {"措施": 1.0}), text, chunks)
    assert [(cid, text[s:e]) for cid, s, e in measures.spans] == [(chunks[1].id, "一是加快前期工作"), (chunks[1].id, "二是充实基层力量。")]
    assert part_row(asked_part_names("有哪些职责", {}), text, chunks) is None  # no row names it
    assert part_row((), text, chunks) is None
