"""Loopback load: chat sessions against `python app.py`, with and without an upload running.

    python -m benchmarks.load [--sessions 10 50] [--rounds 3]
    python -m benchmarks.load --startup     # first start, restart and first answer only

Starts the app on 127.0.0.1 over a copy of the shipped corpus, a fresh index and an empty uploads
folder, and waits until its first index is built. Then, each phase bounded:

1. N sessions (one gradio_client each) ask questions at once, `--rounds` each, for every N in
   `--sessions`;
2. 10 sessions keep asking while a headless Chromium uploads a synthetic report through the
   报告 tab; only questions asked while the upload runs count.

Prints p50 and p95 of the answer time seen by the client for each phase, and the ratio of the
p95 during the upload to the p95 of 10 sessions without one (target ≤ 1.5). Measures only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from benchmarks.synthetic import generate_report

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
TARGET_UPLOAD_RATIO = 1.5  # p95 with an upload running / p95 without, 10 sessions
UPLOAD_SESSIONS = 10
MAX_UPLOAD_S = 600
QUESTIONS = (
    "望城区工信局的基本支出是多少？",
    "常宁市科工信局的总支出是多少？",
    "望城区工信局有多少个内设科室？",
    "望城存在哪些问题？",
    "常宁市科工信局2022年三公经费是多少？",
    "望城区5G基站建设任务完成得怎么样？",
    "常宁的公用经费是多少？",
    "比较望城和常宁的基本支出",
    "2021年望城区新增了多少家专精特新小巨人企业？",
    "常宁市工业发展面临哪些生产要素制约？",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(workdir: Path, timings: dict[str, float] | None = None) -> Iterator[str]:
    """The app on a free loopback port over its own corpus copy, index and uploads; yields its URL
    once the first index is built. `timings` gets the seconds from process start until the page
    answered ("page") and until the index was ready ("index")."""
    corpus = workdir / "corpus"
    if not corpus.exists():
        shutil.copytree(REPO / "corpus", corpus)
    (workdir / "settings.toml").write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(workdir / "index"),
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_UPLOADS_DIR": str(workdir / "uploads"),
        "ASSISTANT_SETTINGS_FILE": str(workdir / "settings.toml"),
        "GRADIO_TEMP_DIR": str(workdir / "gradio"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / "app.log"
    timings = {} if timings is None else timings
    fresh = not (workdir / "index").exists()
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=env)
    try:
        while "index" not in timings:
            if process.poll() is not None or time.monotonic() > started + 600:
                raise SystemExit(f"the app did not come up:\n{log_path.read_text(errors='replace')[-3000:]}")
            if "page" not in timings and _answers(f"{url}/config"):
                timings["page"] = time.monotonic() - started
            indexed = not fresh or "索引完成" in log_path.read_text(encoding="utf-8", errors="replace")
            if "page" in timings and indexed:
                timings["index"] = time.monotonic() - started
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def ask_seconds(client, question: str) -> float:
    started = time.perf_counter()
    client.predict(question, "全部单位", "全部年度", api_name="/ask")
    return time.perf_counter() - started


def sessions_at_once(url: str, sessions: int, rounds: int) -> list[float]:
    """`sessions` clients ask `rounds` questions each, all at once; the seconds of every answer."""
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(sessions)]

    def session(n: int) -> list[float]:
        return [ask_seconds(clients[n], QUESTIONS[(n + r) % len(QUESTIONS)]) for r in range(rounds)]

    with ThreadPoolExecutor(sessions) as pool:
        return [s for times in pool.map(session, range(sessions)) for s in times]


def sessions_during_upload(url: str, report: Path) -> tuple[list[float], float]:
    """10 clients ask in a loop while a browser uploads `report`; the seconds of every answer asked
    while the upload ran, and how long the upload took."""
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(UPLOAD_SESSIONS)]
    uploading, done = threading.Event(), threading.Event()
    times: list[float] = []

    def session(n: int) -> None:
        uploading.wait()
        asked = 0
        while not done.is_set():
            started_during = not done.is_set()
            seconds = ask_seconds(clients[n], QUESTIONS[(n + asked) % len(QUESTIONS)])
            asked += 1
            if started_during:
                times.append(seconds)

    with ThreadPoolExecutor(UPLOAD_SESSIONS) as pool:
        futures = [pool.submit(session, n) for n in range(UPLOAD_SESSIONS)]
        upload_s = upload_in_browser(url, report, uploading)
        done.set()
        for future in futures:
            future.result()
    return times, upload_s


def upload_in_browser(url: str, report: Path, started: threading.Event) -> float:
    """Upload `report` in the 报告 tab of a headless Chromium; seconds until the page says it is in."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("tab", name="报告").click()
        started.set()
        began = time.perf_counter()
        page.set_input_files("#upload input[type=file]", str(report))
        page.wait_for_selector("#report-status .notice", timeout=MAX_UPLOAD_S * 1000)
        seconds = time.perf_counter() - began
        status = page.locator("#report-status").inner_text()
        browser.close()
    if "已导入" not in status:
        raise SystemExit(f"the upload failed: {status}")
    return seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def line(name: str, times: list[float]) -> str:
    return f"{name:<34} n={len(times):>4}  p50 {statistics.median(times):6.2f} s  p95 {percentile(times, 0.95):6.2f} s"


def startup() -> None:
    """First start (fresh index), then a restart over that index: when the page answers, when the
    index is ready, and how long the first question takes."""
    from gradio_client import Client

    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        for name in ("first start", "restart"):
            timings: dict[str, float] = {}
            with running_app(Path(tmp), timings) as url:
                first_answer = ask_seconds(Client(url, verbose=False), QUESTIONS[0])
            print(f"{name:<12} page answers {timings['page']:5.1f} s   index ready {timings['index']:5.1f} s   first answer {first_answer:4.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 50], help="sessions at once, one phase each")
    parser.add_argument("--rounds", type=int, default=3, help="questions each session asks per phase")
    parser.add_argument("--startup", action="store_true", help="only time the first start, a restart and their first answers")
    args = parser.parse_args()
    if args.startup:
        startup()
        return
    with tempfile.TemporaryDirectory(prefix="load-") as tmp, running_app(Path(tmp)) as url:
        report = Path(tmp) / "load-upload.txt"
        synthetic = generate_report(7)
        report.write_text(synthetic.text, encoding="utf-8")
        sessions_at_once(url, 2, 5)  # warm-up, untimed
        baseline: list[float] = []
        for sessions in args.sessions:
            times = sessions_at_once(url, sessions, args.rounds)
            baseline = times if sessions == UPLOAD_SESSIONS else baseline
            print(line(f"{sessions} sessions", times))
        if not baseline:
            baseline = sessions_at_once(url, UPLOAD_SESSIONS, args.rounds)
            print(line(f"{UPLOAD_SESSIONS} sessions", baseline))
        during, upload_s = sessions_during_upload(url, report)
        print(line(f"{UPLOAD_SESSIONS} sessions during an upload", during))
        ratio = percentile(during, 0.95) / percentile(baseline, 0.95)
        print(f"upload of {len(synthetic.text):,} characters took {upload_s:.1f} s")
        print(f"p95 during the upload / p95 without: {ratio:.2f} (target ≤ {TARGET_UPLOAD_RATIO})")


if __name__ == "__main__":
    main()
