"""`python -m assistant batch`: a bad line becomes an error record naming it, and the lines after it are still answered."""

from __future__ import annotations

import argparse
import json

import pytest

from assistant.cli import _batch

GOOD = '{"id": "ok", "question": "望城区工信局机关共有多少个编制？"}'

# (input line, expected id, expected error) — the error names the line (the good line is line 1).
BAD_LINES = [
    ('{"id": "n", "question": 123}', "n", "第 2 行：“question”应为字符串，实为数字 123"),
    ('{"id": "l", "question": ["望城", "编制"]}', "l", '第 2 行：“question”应为字符串，实为数组 ["望城", "编制"]'),
    ('{"id": "o", "question": {"text": "编制"}}', "o", '第 2 行：“question”应为字符串，实为对象 {"text": "编制"}'),
    ('{"id": "z", "question": null}', "z", "第 2 行：“question”应为字符串，实为null"),
    ('{"id": "t", "question": true}', "t", "第 2 行：“question”应为字符串，实为布尔值 true"),
    ('{"id": "m"}', "m", "第 2 行：缺少“question”字段"),
    ('{"question": "编制"}', None, "第 2 行：缺少“id”字段"),
    ("[1, 2]", None, '第 2 行：应为 JSON 对象 {"id": …, "question": "…"}，实为数组 [1, 2]'),
    ('"望城编制"', None, '第 2 行：应为 JSON 对象 {"id": …, "question": "…"}，实为字符串 "望城编制"'),
    ("not json", None, "第 2 行：不是有效的 JSON（第 1 列：Expecting value）"),
    ('{"id": "e", "question": "  "}', "e", "第 2 行：问题为空"),
]


def run_batch(assistant, tmp_path, lines: list[str]) -> tuple[int, list[dict]]:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status = _batch(assistant, argparse.Namespace(input=source, out=out))
    return status, [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
@pytest.mark.parametrize(("line", "expected_id", "error"), BAD_LINES)
def test_a_bad_line_is_reported_and_the_rest_are_answered(shipped_assistant, tmp_path, capsys, line, expected_id, error):
    status, records = run_batch(shipped_assistant, tmp_path, [GOOD, line, GOOD.replace('"ok"', '"after"')])
    assert status == 0
    assert [r["id"] for r in records] == ["ok", expected_id, "after"]
    assert records[1]["line"] == 2 and records[1]["error"].startswith(error)
    assert "17" in records[0]["answer"] and "17" in records[2]["answer"]  # the line after the bad one is answered
    assert "1 行无法回答（第 2 行）" in capsys.readouterr().err


@pytest.mark.slow
def test_line_numbers_count_blank_lines_and_a_failing_question_does_not_stop_the_run(shipped_assistant, tmp_path, monkeypatch):
    real_ask = shipped_assistant.ask

    def ask(question, *args, **kwargs):
        if question == "会出错的问题":
            raise RuntimeError("boom")
        return real_ask(question, *args, **kwargs)

    monkeypatch.setattr(shipped_assistant, "ask", ask)
    status, records = run_batch(shipped_assistant, tmp_path, [GOOD, "", '{"id": 7, "question": 7}', '{"id": "x", "question": "会出错的问题"}', GOOD])
    assert status == 1  # an internal error is not the input's fault: the exit status says so
    assert records[1] == {"id": 7, "line": 3, "error": "第 3 行：“question”应为字符串，实为数字 7"}
    assert records[2]["id"] == "x" and records[2]["error"] == "第 4 行：内部错误（RuntimeError: boom）"
    assert "17" in records[3]["answer"]
