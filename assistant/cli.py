"""Command line: python -m assistant {ingest,check,reports,meta,ask,batch,compare,figures,eval,brief}.

The library raises domain errors; only this edge turns them into messages and exit codes
(2 for a question or argument that cannot be used, 1 for everything else).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from index.ingest import Progress
from index.metadata import KINDS, REVIEW_FIELDS

from .errors import AssistantError, BadCorrectionError, BadQuestionError, ReportIndexError, UnknownBureauError
from .models import Answer
from .settings import load_settings

logger = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="绩效自评报告问答助手 · cited answers about budget performance reports")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="index report files (default: the corpus folder)")
    ingest.add_argument("paths", nargs="*", type=Path)
    ingest.add_argument("--prune", action="store_true", help="remove indexed reports whose files are gone")

    check = commands.add_parser("check", help="check that registry, vectors and lexical index agree (索引自检)")
    check.add_argument("--repair", action="store_true", help="mend what disagrees (lost vectors are re-embedded)")
    check.add_argument("--json", action="store_true")

    reports = commands.add_parser("reports", help="list the indexed reports")
    reports.add_argument("--json", action="store_true")

    meta = commands.add_parser("meta", help="show or correct a report's metadata (bureau, fiscal year, kind)")
    meta.add_argument("source", help="the report's file path, file name or id (see: reports)")
    meta.add_argument("--bureau", help="the unit's full name, e.g. 长沙市望城区工业和信息化局")
    meta.add_argument("--year", type=int, help="the fiscal year the report evaluates")
    meta.add_argument("--kind", help="one of: " + "、".join(KINDS))
    meta.add_argument("--json", action="store_true")

    ask = commands.add_parser("ask", help="ask one question")
    ask.add_argument("question")
    ask.add_argument("--bureau", help="limit to one bureau (any name a user would type)")
    ask.add_argument("--year", type=int, help="limit to reports on this fiscal year")
    ask.add_argument("--json", action="store_true")

    batch = commands.add_parser("batch", help="answer a JSONL file of {id, question}")
    batch.add_argument("input", type=Path)
    batch.add_argument("--out", type=Path, required=True)

    compare = commands.add_parser("compare", help="compare two bureaus on a topic, each with its own evidence")
    compare.add_argument("first", help="a bureau, by any name a user would type (望城, 常宁市科工信局…)")
    compare.add_argument("second")
    compare.add_argument("topic", help="what to compare, e.g. 基本支出")
    compare.add_argument("--json", action="store_true")

    figures = commands.add_parser("figures", help="key figures and consistency checks (数据核对)")
    figures.add_argument("--bureau")
    shape = figures.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument("--csv", action="store_true")

    brief = commands.add_parser("brief", help="answer questions into a briefing note (.docx or .md)")
    brief.add_argument("questions", nargs="+")
    brief.add_argument("--out", type=Path, required=True)

    evaluate = commands.add_parser("eval", help="score the assistant on a question set")
    evaluate.add_argument("questions", type=Path, nargs="+")
    evaluate.add_argument(
        "--reports", type=Path, action="append", default=[], help="more report folders to index beside the corpus (in a separate index) before asking"
    )
    evaluate.add_argument("-v", "--verbose", action="store_true", dest="show_failures", help="list the failures")
    evaluate.add_argument("--json", action="store_true")

    fitting = commands.add_parser("fit", help="fit the answerer's weights and abstention threshold on development questions")
    fitting.add_argument("questions", type=Path, nargs="*", help="development questions about the corpus")
    fitting.add_argument(
        "--with",
        nargs=2,
        type=Path,
        action="append",
        default=[],
        dest="paired",
        metavar=("QUESTIONS", "REPORTS"),
        help="development questions about a report folder, indexed beside the corpus (as eval --reports does)",
    )
    fitting.add_argument("--write", action="store_true", help="write the fitted values into assistant/settings.py")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        from .service import Assistant  # heavy imports only once the arguments are good

        assistant = Assistant(settings)
        return COMMANDS[args.command](assistant, args)
    except (BadQuestionError, UnknownBureauError, BadCorrectionError) as error:
        print(f"错误: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"设置有误 (invalid settings):\n{error}", file=sys.stderr)
        return 2
    except (AssistantError, ReportIndexError, OSError, ValueError) as error:
        print(f"错误: {error}", file=sys.stderr)
        return 1


@contextmanager
def terminal_progress(description: str) -> Iterator[Progress]:
    """A tqdm bar on stderr for an ingest: files done (in fractions) and each file's stage."""
    from tqdm import tqdm

    shape = "{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total_fmt} 份 [{elapsed}<{remaining}] {postfix}"
    with tqdm(total=1, desc=description, bar_format=shape, disable=None) as bar:

        def progress(done: float, total: int, label: str) -> None:
            bar.total = max(total, 1)
            bar.n = done
            bar.set_postfix_str(label[-40:], refresh=True)

        yield progress


def _ingest(assistant, args) -> int:
    with terminal_progress("导入报告") as progress:
        result = assistant.ingest(args.paths or None, args.prune, progress)
    for meta in result.added:
        print(f"新增  {meta.title}  [{meta.bureau} · {meta.year}]")
    for meta in result.replaced:
        print(f"更新  {meta.title}  [{meta.bureau} · {meta.year}]")
    for source in result.removed:
        print(f"移除  {source}")
    for path, holder in result.duplicates:
        print(f"跳过  {path}：与已导入的 {holder} 内容相同")
    for old, new in result.moved:
        print(f"改名  {old} → {new}")
    for _path, reason in result.failed:
        print(f"失败  {reason}", file=sys.stderr)
    print(f"新增 {len(result.added)}，更新 {len(result.replaced)}，未变 {len(result.unchanged)}，移除 {len(result.removed)}，失败 {len(result.failed)}")
    return 1 if result.failed else 0


def _check(assistant, args) -> int:
    health = assistant.check(repair=args.repair)
    if args.json:
        print(json.dumps(health.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_health(health))
    return 0 if health.consistent else 1


def render_health(health) -> str:
    """A check for the terminal: the verdict and counts, what was mended, what is still wrong."""
    verdict = "索引一致" if health.consistent else "索引不一致"
    lines = [f"{verdict}：{health.reports} 份报告；块数 登记表 {health.registry}，向量库 {health.vectors}，词法索引 {health.lexical}"]
    lines += [f"已修复  {line}" for line in health.repaired]
    lines += [f"问题  {problem}" for problem in health.problems]
    if not health.consistent:
        lines.append("运行 python -m assistant check --repair 修复。")
    return "\n".join(lines)


def _report_row(meta, chunks: int) -> dict:
    return {
        "id": meta.id,
        "title": meta.title,
        "bureau": meta.bureau,
        "region": meta.region,
        "year": meta.year,
        "published": meta.published,
        "kind": meta.kind,
        "source": meta.source,
        "chunks": chunks,
        "signed": meta.signed,
        "aliases": list(meta.aliases),
        "needs_review": list(meta.needs_review),
    }


def _review_mark(row: dict) -> str:
    return f"  待核对: {'、'.join(REVIEW_FIELDS[f] for f in row['needs_review'])}" if row["needs_review"] else ""


def _reports(assistant, args) -> int:
    counts = assistant.store.chunk_counts()
    rows = [_report_row(m, counts.get(m.id, 0)) for m in assistant.reports()]
    if args.json:
        print(json.dumps({"reports": rows}, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['id']}  {row['year']}  {row['bureau'] or '（单位未识别）'}  {row['kind']}  {row['chunks']} 块  {row['source']}{_review_mark(row)}")
    return 0


def _meta(assistant, args) -> int:
    meta = assistant.correct_metadata(args.source, args.bureau, args.year, args.kind)
    row = _report_row(meta, assistant.store.chunk_counts().get(meta.id, 0))
    if args.json:
        print(json.dumps(row, ensure_ascii=False, indent=2))
    else:
        print(
            f"{row['title']}\n单位: {row['bureau'] or '（未识别）'}  地区: {row['region'] or '（未识别）'}  年度: {row['year']}  类型: {row['kind']}{_review_mark(row)}"
        )
    return 0


def render(answer: Answer) -> str:
    """An answer for the terminal: text, then each citation with its quote."""
    lines = [answer.answer, ""]
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.report} › {c.location}\n    “{' '.join(c.quote.split())}”")
    if answer.abstained and answer.passages:
        lines.append("可能相关的段落：")
        lines += [f"  - {p.report} › {p.section or '正文'}: {' '.join(p.text.split())[:80]}…" for p in answer.passages[:3]]
    return "\n".join(lines)


def _ask(assistant, args) -> int:
    answer = assistant.ask(args.question, bureau=args.bureau, year=args.year)
    print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) if args.json else render(answer))
    return 0


def _compare(assistant, args) -> int:
    answer = assistant.compare(args.first, args.second, args.topic)
    print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) if args.json else render(answer))
    return 0


FIGURE_FIELDS = ("bureau", "report", "metric", "value", "unit", "basis", "quote", "start", "end")


def _figures(assistant, args) -> int:
    figures, checks = assistant.figures(args.bureau)
    titles = {m.id: m.title for m in assistant.reports()}
    rows = [
        {
            "bureau": f.bureau,
            "report": titles.get(f.report_id, f.report_id),
            "metric": f.metric,
            "value": f.value,
            "unit": f.unit,
            "basis": f.basis,
            "quote": f.quote,
            "start": f.start,
            "end": f.end,
        }
        for f in figures
    ]
    if args.csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=FIGURE_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
        return 0
    check_rows = [
        {
            "bureau": c.bureau,
            "report": titles.get(c.report_id, c.report_id),
            "name": c.name,
            "total": c.total.value,
            "parts_sum": round(c.parts_sum, 2),
            "consistent": c.consistent,
            "note": c.note,
            "total_quote": c.total.quote,
            "parts": [{"metric": p.metric, "value": p.value, "quote": p.quote} for p in c.parts],
        }
        for c in checks
    ]
    if args.json:
        print(json.dumps({"figures": rows, "checks": check_rows}, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        basis = f"（{row['basis']}）" if row["basis"] else ""
        print(f"{row['bureau']}  {row['metric']}  {row['value']:g}{row['unit']}{basis}")
    for check in check_rows:
        print(f"{'✓' if check['consistent'] else '✗'} {check['bureau']} {check['name']}：{check['note']}")
    return 0


def _brief(assistant, args) -> int:
    from .brief import write_brief
    from .service import Conversation

    conversation = Conversation()  # one conversation, so "那常宁呢？" follows the question before it
    answers = [assistant.ask(question, conversation=conversation) for question in args.questions]
    out = write_brief(answers, args.out)
    print(f"简报已写入 {out}（{len(answers)} 个问题）")
    return 0


def _batch(assistant, args) -> int:
    """Answer each {"id", "question"} line; a line that cannot be asked gets an error record and the rest go on."""
    from tqdm import tqdm

    kinds = {bool: "布尔值", int: "数字", float: "数字", str: "字符串", list: "数组", dict: "对象"}

    def shown(value: object) -> str:
        """A JSON value as a reason names it: its kind, then the value itself, cut short."""
        text = json.dumps(value, ensure_ascii=False)
        text = text if len(text) <= 40 else text[:40] + "…"
        return "null" if value is None else f"{kinds.get(type(value), type(value).__name__)} {text}"

    def check(line: str) -> tuple[dict, str | None]:
        """The line's object, and what is wrong with it (in Chinese), if anything."""
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            return {}, f"不是有效的 JSON（第 {error.colno} 列：{error.msg}）"
        if not isinstance(item, dict):
            return {}, f'应为 JSON 对象 {{"id": …, "question": "…"}}，实为{shown(item)}'
        missing = [f"“{key}”" for key in ("id", "question") if key not in item]
        if missing:
            return item, f"缺少{'、'.join(missing)}字段"
        if not isinstance(item["question"], str):
            return item, f"“question”应为字符串，实为{shown(item['question'])}"
        return item, None

    numbered = [(n, line) for n, line in enumerate(args.input.read_text(encoding="utf-8").splitlines(), 1) if line.strip()]
    failed, internal = [], 0
    with args.out.open("w", encoding="utf-8") as out:
        for line_no, line in tqdm(numbered, unit="问", desc="批量问答", disable=None):
            item, reason = check(line)
            if reason is None:
                try:
                    record = {"id": item["id"], **assistant.ask(item["question"]).to_json()}
                except (BadQuestionError, UnknownBureauError) as error:
                    reason = str(error)
                except (AssistantError, ReportIndexError):
                    raise  # the index or the settings, not this line: every later line would fail too
                except Exception as error:  # one question's bug must not lose the rest of a long run
                    logger.exception("batch line %d failed: %r", line_no, item["question"])
                    internal += 1
                    reason = f"内部错误（{type(error).__name__}: {error}）"
            if reason is not None:
                failed.append(line_no)
                record = {"id": item.get("id"), "line": line_no, "error": f"第 {line_no} 行：{reason}"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if failed:
        lines = "、".join(map(str, failed[:20])) + ("……" if len(failed) > 20 else "")
        print(f"{len(failed)} 行无法回答（第 {lines} 行），见输出中的 error 字段", file=sys.stderr)
    return 1 if internal else 0


def _eval(assistant, args) -> int:
    from dataclasses import asdict

    from tqdm import tqdm

    from .evaluate import evaluate, format_table, load_questions, normalise, summarise_by_kind

    if args.reports:
        assistant = _with_extra_reports(assistant, args.reports)
    questions = [q for path in args.questions for q in load_questions(path)]
    texts = {m.title: (m.bureau, normalise(assistant.store.report_text(m.id))) for m in assistant.reports()}
    graded = evaluate(questions, assistant.ask, texts, progress=lambda qs: tqdm(qs, unit="问", desc="评测", disable=None))
    by_kind = summarise_by_kind(graded)
    if args.json:
        print(json.dumps({kind: asdict(s) for kind, s in by_kind.items()}, ensure_ascii=False, indent=2))
    else:
        print(format_table(by_kind))
    if args.show_failures:
        for g in graded:
            if g.failures:
                print(f"\n✗ {g.question.id} [{g.question.kind}] {g.question.question}\n  {'; '.join(g.failures)}\n  answer: {g.answer.answer[:200]}")
    return 0


def _with_extra_reports(assistant, folders: list[Path]):
    """An assistant over its corpus plus `folders`, in an index of its own beside the usual one:
    one per set of folders, so no question set ever sees another set's reports."""
    import hashlib

    from .service import Assistant

    settings = assistant.settings
    key = hashlib.sha1("\n".join(sorted(str(f.resolve()) for f in folders)).encode()).hexdigest()[:8]
    extended = Assistant(settings.model_copy(update={"index_dir": settings.index_dir.with_name(f"{settings.index_dir.name}-eval-{key}")}))
    extended.ingest([settings.corpus_dir, *folders], prune=True)
    return extended


def _fit(assistant, args) -> int:
    from tqdm import tqdm

    from .evaluate import load_questions
    from .fitting import collect, fit, report, write_settings

    def examples(over, paths: list[Path]) -> list:
        questions = [q for path in paths for q in load_questions(path)]
        return collect(over, questions, progress=lambda qs: tqdm(qs, unit="问", desc="拟合", disable=None))

    if not args.questions and not args.paired:
        raise SystemExit("fit：请给出问题文件（或 --with 问题文件 报告文件夹）")
    collected = examples(assistant, args.questions) if args.questions else []
    for questions, reports in args.paired:
        collected += examples(_with_extra_reports(assistant, [reports]), [questions])
    result = fit(collected)
    print(report(result))
    if args.write:
        write_settings(result)
        print("已写入 assistant/settings.py")
    return 0


COMMANDS = {
    "ingest": _ingest,
    "reports": _reports,
    "meta": _meta,
    "ask": _ask,
    "batch": _batch,
    "compare": _compare,
    "figures": _figures,
    "brief": _brief,
    "eval": _eval,
    "fit": _fit,
    "check": _check,
}
