"""Ten users at once through gradio_client: each gets its own answer, and no history leaks between sessions."""

from __future__ import annotations

import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from test_ui import running_app  # the same `python app.py` launcher the browser tests use

# (first question, a figure only its answer holds, follow-up, a figure only the follow-up's answer holds)
SESSIONS = [
    ("望城区工信局的基本支出是多少？", "1193.43", "那常宁呢？", "793.43"),
    ("常宁市科工信局的基本支出是多少？", "793.43", "那望城呢？", "1193.43"),
    ("望城区工信局有多少个内设科室？", "陶瓷产业科", "那常宁呢？", "14"),
    ("望城存在哪些问题？", "预算编制", "那常宁呢？", "工业结构不优"),
    ("常宁市科工信局2022年三公经费是多少？", "11万元", None, None),
    ("常宁市科工信局的总支出是多少？", "5252.64", None, None),
    ("望城区5G基站建设任务完成得怎么样？", "2103", None, None),
    ("望城区第一批纾困资金兑现给了多少家企业、金额多少？", "297", None, None),
    ("2021年望城区新增了多少家专精特新小巨人企业？", "28", None, None),
    ("常宁的公用经费是多少？", "57.38", None, None),
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("concurrency-app")) as (url, _):
        yield url


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def _ask(client, question: str) -> list[dict]:
    chat, _sources, _box = client.predict(question, "全部单位", "全部年度", api_name="/ask")
    return chat


@pytest.mark.slow
def test_ten_sessions_at_once_each_get_their_own_answers(app_url):
    from gradio_client import Client

    config = json.loads(urllib.request.urlopen(f"{app_url}/config").read())
    assert config["enable_queue"]

    clients = [Client(app_url, verbose=False) for _ in SESSIONS]
    with ThreadPoolExecutor(len(clients)) as pool:
        started = time.perf_counter()
        firsts = list(pool.map(_ask, clients, [s[0] for s in SESSIONS]))
        first_round = time.perf_counter() - started
        # Everyone sends a follow-up at once; each must be read against its own session's history.
        follow_ups = [s[2] or "那望城呢？" for s in SESSIONS]
        seconds = list(pool.map(_ask, clients, follow_ups))
    print(f"\n10 questions at once: {first_round:.2f}s")

    for (question, figure, follow_up, follow_figure), chat, chat2 in zip(SESSIONS, firsts, seconds):
        assert [m["role"] for m in chat] == ["user", "assistant"], question
        assert _text(chat[0]) == question
        assert figure in _text(chat[1]), (question, _text(chat[1]))
        # The session's history is its own two questions, nobody else's.
        users = [_text(m) for m in chat2 if m["role"] == "user"]
        assert users == [question, follow_up or "那望城呢？"]
        assert _text(chat2[1]) == _text(chat[1])
        if follow_figure:
            assert follow_figure in _text(chat2[3]), (question, follow_up, _text(chat2[3]))
