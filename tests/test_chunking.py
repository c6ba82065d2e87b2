"""Tests for index.sections and index.chunking: section paths and the chunker's properties."""

from __future__ import annotations

import pytest
from conftest import CHANGNING, WANGCHENG
from llama_index.core.schema import Document, MetadataMode

from benchmarks.synthetic import generate_corpus
from index.chunking import ChineseReportParser, count_tokens, parse_report
from index.cleaning import clean, match_key, sentence_spans
from index.models import SECTION_SEPARATOR
from index.sections import heading_title, sections, segments
from index.store import embed_text

BUDGETS = (64, 128, 300)
SHIPPED = {"wangcheng": WANGCHENG.read_text(encoding="utf-8"), "changning": CHANGNING.read_text(encoding="utf-8")}
SYNTHETIC = {f"synthetic-{i:02d}": r.text for i, r in enumerate(generate_corpus(20, seed=1))}
TEXTS = {**SHIPPED, **SYNTHETIC}


def _chunks(text: str, budget: int = 300):
    return parse_report(text, "r1", "某局绩效自评报告", budget)


def _section_of(chunks, needle: str) -> str:
    (chunk,) = [c for c in chunks if needle in c.text]
    return chunk.section


# --- section paths ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "needle", "section"),
    [
        ("wangcheng", "预算编制工作有待细化", "四、存在的问题及原因分析 › 1、预算编制工作有待细化"),
        ("wangcheng", "区城镇集体工业联社、企业服务中心为本局二级机构", "一、部门基本情况 › （二）机构设置"),
        ("wangcheng", "2021 年年初预算数为 1193.43 万元", "二、部门整体预算支出情况 › （一）基本支出情况"),
        ("wangcheng", "移交办工作经费 50 万元", "二、部门整体预算支出情况 › （二）项目支出情况"),
        ("wangcheng", "协议移交退休人员 3503 人", "三、部门整体支出绩效情况 › 8、全面推进其他各项工作"),
        ("wangcheng", "科学拟定明确、细化、量化、可考核的年度绩效目标", "五、下一步改进措施 › 1、强化预算管理"),
        ("changning", "公务接待4万元", "二、整体支出基本情况 › 4、三公经费11万元，其中公务接待4万元，公务车运行费7万元"),
        ("changning", "产品附加值不高", "四、存在的问题及建议 › 1、工业结构不优"),
        ("changning", "我局内设股室14个", "一、部门概况 › （一）单位基本情况"),
        ("changning", "经济运行稳中有增", "五、评价结论 › 1、经济运行稳中有增"),
    ],
)
def test_chunk_knows_its_section_path(report, needle, section):
    assert _section_of(_chunks(SHIPPED[report]), needle) == section


@pytest.mark.parametrize("report", SHIPPED)
def test_only_the_title_chunk_has_no_section(report):
    chunks = _chunks(SHIPPED[report])
    assert chunks[0].section == ""
    assert chunks[0].text.startswith(("2021年度长沙市望城区", "常宁市科技和工业信息化局2022年度"))
    assert all(c.section for c in chunks[1:])
    assert all(c.section.startswith(("一、", "二、", "三、", "四、", "五、")) for c in chunks[1:])


def test_section_path_on_all_four_heading_levels():
    text = (
        "某局2021年度绩效自评报告\n\n"
        "一、部门基本情况\n\n"
        "（一）机构设置\n\n"
        "1、内设机构\n\n"
        "(1)办公室\n\n"
        "负责日常运转。\n\n"
        "(2)财务股\n\n"
        "负责财务管理。\n\n"
        "2、人员情况\n\n"
        "在职人数18人。\n\n"
        "二、预算情况\n\n"
        "收入2284.43万元。\n"
    )
    chunks = _chunks(text, 32)
    assert _section_of(chunks, "负责日常运转") == SECTION_SEPARATOR.join(["一、部门基本情况", "（一）机构设置", "1、内设机构", "(1)办公室"])
    assert _section_of(chunks, "负责财务管理") == "一、部门基本情况 › （一）机构设置 › 1、内设机构 › (2)财务股"
    assert _section_of(chunks, "在职人数18人") == "一、部门基本情况 › （一）机构设置 › 2、人员情况"
    assert _section_of(chunks, "收入2284.43万元") == "二、预算情况"


def test_a_heading_with_its_body_on_one_line_is_titled_by_its_first_sentence():
    assert heading_title("1、预算编制工作有待细化。预算编制不够明确和细化。") == "1、预算编制工作有待细化"
    assert heading_title("（一）基本支出情况") == "（一）基本支出情况"
    long = "10、拟订全市信息安全发展战略、规划，指导、协调信息安全保障体系建设；指导监督"
    assert heading_title(long) == long[:31] + "…"


def test_segments_cover_the_cleaned_text_in_order():
    cleaned = clean(SHIPPED["wangcheng"])
    found = segments(cleaned)
    assert [s.start for s in found] == sorted(s.start for s in found)
    assert all(a.end == b.start for a, b in zip(found, found[1:]))
    assert match_key("".join(cleaned.text[s.start : s.end] for s in found)) == match_key(cleaned.text)


def test_sections_span_original_text():
    text = SHIPPED["wangcheng"]
    found = {s.label: s for s in sections(clean(text))}
    problems = found["四、存在的问题及原因分析"]
    assert text[problems.start : problems.end].startswith("四、存在的问题及原因分析")
    assert "应严把申报条件和关口。" in text[problems.start : problems.end]
    assert "五、下一步改进措施" not in text[problems.start : problems.end]
    first = found["四、存在的问题及原因分析 › 1、预算编制工作有待细化"]
    assert text[first.start : first.end].rstrip() == "1、预算编制工作有待细化。预算编制不够明确和细化，预算执行力度还要进一步加强。"


# --- the damaged passages of the 望城 report ----------------------------------------------


@pytest.mark.parametrize("budget", (128, 300))
def test_sentence_across_a_page_break_is_one_quotable_sentence(budget):
    text = SHIPPED["wangcheng"]
    (chunk,) = [c for c in _chunks(text, budget) if "项 446 万元" in c.text]
    assert "方面专\n\n项 446 万元" in chunk.text
    quotes = [text[s:e] for s, e in chunk.sentences]
    assert "铜官陶瓷公司 4050 人员生活费及留守处费用和留守人员工资、联社 4050 人员生活费、铸管厂精简退人员生活补助等方面专\n\n项 446 万元;" in quotes


@pytest.mark.parametrize("budget", BUDGETS)
def test_repeated_measure_is_chunked_once(budget):
    chunks = _chunks(SHIPPED["wangcheng"], budget)
    assert sum("加大督查力度" in c.text for c in chunks) == 1
    assert not any("4、加大督查力度" in c.text for c in chunks)
    assert sum("记入企业诚信记录" in c.text for c in chunks) == 1


# --- properties, on the shipped and 20 generated reports ---------------------------------


@pytest.fixture(scope="module")
def chunked():
    """Chunks of every text at every budget, computed once."""
    return {(name, budget): _chunks(text, budget) for name, text in TEXTS.items() for budget in BUDGETS}


@pytest.mark.parametrize("name", TEXTS)
def test_chunks_cover_the_cleaned_text_exactly(chunked, name):
    text, cleaned = TEXTS[name], clean(TEXTS[name])
    kept = set(cleaned.origin)
    for budget in BUDGETS:
        # What cleaning keeps of each chunk's span (quotes are exact slices, page numbers and all).
        joined = "".join(text[i] for c in chunked[name, budget] for i in range(c.start, c.end) if i in kept)
        assert match_key(joined) == match_key(cleaned.text), budget


@pytest.mark.parametrize("name", TEXTS)
def test_chunks_are_exact_slices_in_order(chunked, name):
    text = TEXTS[name]
    for budget in BUDGETS:
        chunks = chunked[name, budget]
        assert chunks
        for ordinal, chunk in enumerate(chunks):
            assert chunk.ordinal == ordinal
            assert chunk.id == f"r1:{ordinal:04d}"
            assert text[chunk.start : chunk.end] == chunk.text, (budget, ordinal)
            assert chunk.text.strip()
        assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:])), budget


@pytest.mark.parametrize("name", TEXTS)
def test_no_chunk_is_over_budget(chunked, name):
    for budget in BUDGETS:
        sizes = [count_tokens(c.text) for c in chunked[name, budget]]
        assert max(sizes) <= budget


@pytest.mark.parametrize("name", TEXTS)
def test_no_split_inside_a_number(chunked, name):
    for budget in BUDGETS:
        chunks = chunked[name, budget]
        for a, b in zip(chunks, chunks[1:]):
            assert not (a.text[-1].isdigit() and (b.text[0].isdigit() or b.text[0] in ".．")), (budget, a.text[-20:], b.text[:20])


@pytest.mark.parametrize("name", TEXTS)
def test_no_boundary_inside_a_sentence_that_fits(chunked, name):
    text = TEXTS[name]
    cleaned = clean(text)
    position = {o: i for i, o in enumerate(cleaned.origin)}
    for budget in BUDGETS:
        starts = [position[c.start] for c in chunked[name, budget][1:]]
        for s, e in sentence_spans(cleaned.text):
            if any(s < cut < e for cut in starts):
                o_start, o_end = cleaned.span_in_original(s, e)
                assert count_tokens(text[o_start:o_end]) > budget, (budget, cleaned.text[s:e])


@pytest.mark.parametrize("name", TEXTS)
def test_sentence_spans_lie_inside_their_chunk(chunked, name):
    text = TEXTS[name]
    for budget in BUDGETS:
        for chunk in chunked[name, budget]:
            assert chunk.sentences
            for s, e in chunk.sentences:
                assert chunk.start <= s < e <= chunk.end, (budget, chunk.ordinal)
                assert text[s:e].strip() == text[s:e]
            assert all(a[1] <= b[0] for a, b in zip(chunk.sentences, chunk.sentences[1:]))


# --- over-long sentences ------------------------------------------------------------------


def test_an_over_long_sentence_is_split_at_clause_marks():
    body = "，".join(f"第{i}项工作完成良好" for i in range(30)) + "。"
    chunks = _chunks("某局绩效自评报告\n\n一、概况\n\n" + body, 40)
    pieces = [c for c in chunks if "项工作" in c.text]
    assert len(pieces) > 1
    assert all(c.text.endswith("，") for c in pieces[:-1])
    assert pieces[-1].text.endswith("。")
    assert all(count_tokens(c.text) <= 40 for c in chunks)


def test_an_over_long_sentence_without_clause_marks_keeps_its_numbers_whole():
    body = "全区规模工业" + "累计完成产值 936.1 亿元同比增长 4.1%预计全年增加值增长 8.0%" * 6 + "。"
    chunks = _chunks("某局绩效自评报告\n\n一、概况\n\n" + body, 32)
    assert all(count_tokens(c.text) <= 32 for c in chunks)
    joined = "".join(c.text for c in chunks)
    assert match_key(joined).count("936.1亿元") == 6
    for a, b in zip(chunks, chunks[1:]):
        assert not (a.text[-1] in "0123456789.%" and b.text[0] in "0123456789.%"), (a.text, b.text)


def test_an_over_long_sentence_without_clause_marks_is_split_between_words():
    body = " ".join(f"item{i} was delivered on time and within budget" for i in range(40))
    text = "某局绩效自评报告\n\n一、概况\n\n" + body
    chunks = [c for c in _chunks(text, 32) if "item" in c.text]
    assert len(chunks) > 1
    for a, b in zip(chunks, chunks[1:]):
        assert text[a.end : b.start] == " ", (a.text[-12:], b.text[:12])
    assert all(count_tokens(c.text) <= 32 for c in chunks)


def test_pdf_spaces_beside_chinese_are_no_place_to_cut():
    # `专项 446 万元`: a cut at those spaces would part the figure from its unit.
    body = "累计完成产值 936 亿元同比增长 41 个百分点预计全年增加值增长 80 亿元" * 8 + "。"
    chunks = _chunks("某局绩效自评报告\n\n一、概况\n\n" + body, 32)
    assert all(count_tokens(c.text) <= 32 for c in chunks)
    pieces = [c for c in chunks if "产值" in c.text or "增长" in c.text]
    assert len(pieces) > 1
    assert not any(c.text.endswith(("936", "41", "80")) for c in pieces)


def test_a_thousands_separator_is_no_clause_mark_to_cut_at():
    body = "全年受理各类申请 2,615 件，发放补贴 3,742.18 万元，其中" + "项目 58 个，" * 3 + "。"
    chunks = _chunks("某局绩效自评报告\n\n一、概况\n\n" + body, 32)
    assert all(count_tokens(c.text) <= 32 for c in chunks)
    for a, b in zip(chunks, chunks[1:]):
        assert not (a.text.endswith(",") and a.text[-2].isdigit() and b.text[0].isdigit()), (a.text, b.text)
    assert "3,742.18 万元" in "".join(c.text for c in chunks)


def test_an_over_long_table_row_is_split_between_cells():
    row = "产出指标\n数量指标\n改造老旧小区个数（含加装电梯和管网改造）\n≥120个\n133个\n10\n10\n部分小区因居民意见不一推迟开工"
    text = "某局绩效自评报告\n\n一、绩效指标完成情况\n\n" + row + "\n"
    chunks = [c for c in _chunks(text, 32) if c.start >= text.index(row)]
    assert len(chunks) > 1
    for a, b in zip(chunks, chunks[1:]):
        assert text[a.end : b.start] == "\n", (a.text, b.text)


def test_one_number_longer_than_the_budget_is_still_cut():
    digits = "1234567890" * 40
    chunks = _chunks("某局绩效自评报告\n\n一、概况\n\n编号" + digits + "。", 32)
    assert all(count_tokens(c.text) <= 32 for c in chunks)
    assert "".join(c.text for c in chunks).endswith(digits + "。")


# --- the llama-index parser and what gets embedded ----------------------------------------


def test_count_tokens_is_cl100k_base():
    import tiktoken

    count_tokens("x")  # points tiktoken at the copy llama-index ships
    encoding = tiktoken.get_encoding("cl100k_base")
    for text in ("hello world", "预算编制工作有待细化", "2021 年一般公共预算拨款收入 2284.43 万元"):
        assert count_tokens(text) == len(encoding.encode(text))
    assert count_tokens("hello world") == 2
    assert count_tokens("") == 0


def test_parser_is_a_llama_index_node_parser():
    text = SHIPPED["changning"]
    parser = ChineseReportParser(chunk_tokens=128)
    nodes = parser.get_nodes_from_documents([Document(text=text, metadata={"report_id": "r1", "title": "常宁报告"})])
    assert [n.text for n in nodes] == [c.text for c in parse_report(text, "r1", "常宁报告", 128)]
    for node in nodes:
        assert text[node.start_char_idx : node.end_char_idx] == node.text
        embedded = node.get_content(MetadataMode.EMBED)
        assert embedded.startswith("常宁报告\n")
        assert node.metadata["section"] in embedded
        assert "report_id" not in embedded and "r1" not in embedded.split("\n")[0]
        assert node.get_content(MetadataMode.NONE) == node.text


def test_title_and_section_are_embedded_but_not_quoted():
    chunks = _chunks(SHIPPED["wangcheng"])
    chunk = next(c for c in chunks if "预算编制工作有待细化" in c.text)
    assert "存在的问题及原因分析" in chunk.section
    assert "某局绩效自评报告" not in chunk.text
    embedded = embed_text("某局绩效自评报告", chunk.section, chunk.text)
    assert embedded.startswith("某局绩效自评报告\n四、存在的问题及原因分析 › 1、预算编制工作有待细化\n\n")
    assert embedded.endswith(match_key(chunk.text))


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_text_has_no_chunks(text):
    assert parse_report(text, "r1", "t", 300) == ()
