"""The Gradio front end: python app.py [--host 127.0.0.1] [--port 7860].

Serves the page at once; on first run it builds the index from the corpus folder meanwhile,
with progress in the terminal and on the page. It listens on 127.0.0.1 unless told otherwise; any other address needs a login
(`ui.auth` in the settings), because the page can upload and delete reports.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys
import threading
from collections.abc import Sequence

PORT_ENV = "GRADIO_SERVER_PORT"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="绩效自评报告问答助手 · web UI")
    parser.add_argument("--host", help="address to listen on (default: settings ui.host, 127.0.0.1)")
    parser.add_argument("--port", type=int, help=f"port (default: ${PORT_ENV}, else settings ui.port, 7860)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    return parser


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def blank_credentials(auth: Sequence[tuple[str, str]]) -> list[str]:
    """What is empty in each login pair, in Chinese ("第 1 个账号的密码为空"); nothing when all are filled in."""
    problems = []
    for n, (user, password) in enumerate(auth, 1):
        missing = [name for name, value in (("用户名", user), ("密码", password)) if not value.strip()]
        if missing:
            problems.append(f"第 {n} 个账号的{'和'.join(missing)}为空")
    return problems


def choose_port(flag: int | None, configured: int) -> int:
    """The --port flag, else $GRADIO_SERVER_PORT, else the settings."""
    if flag is not None:
        port = flag
    elif os.environ.get(PORT_ENV):
        try:
            port = int(os.environ[PORT_ENV])
        except ValueError:
            raise ValueError(f"{PORT_ENV}={os.environ[PORT_ENV]!r} 不是端口号 (not a port number)") from None
    else:
        port = configured
    if not 1 <= port <= 65535:
        raise ValueError(f"端口 {port} 超出范围 1-65535 (port out of range)")
    return port


def build_index(assistant) -> None:
    """Index the corpus folder, showing progress in the terminal (the page shows it too)."""
    from assistant.cli import terminal_progress

    print(f"首次启动：正在为 {assistant.settings.corpus_dir} 中的报告建立索引；网页已可打开，建好后即可提问。", file=sys.stderr)
    with terminal_progress("建立索引") as progress:
        result = assistant.ingest(progress=progress)
    for path, reason in result.failed:
        print(f"无法导入 {path}: {reason}", file=sys.stderr)
    print(f"索引完成：{len(result.added)} 份报告。", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no network here, and no telemetry

    from pydantic import ValidationError

    from assistant.errors import AssistantError, ReportIndexError
    from assistant.settings import load_settings

    try:
        settings = load_settings()
        host = args.host or settings.ui.host
        port = choose_port(args.port, settings.ui.port)
    except ValidationError as error:
        print(f"设置有误 (invalid settings):\n{error}", file=sys.stderr)
        return 2
    except (AssistantError, ValueError) as error:
        print(f"错误: {error}", file=sys.stderr)
        return 2
    blank = blank_credentials(settings.ui.auth)
    if blank:
        print(
            f"错误: 登录设置 ui.auth 中{'；'.join(blank)}。空的用户名或密码等于不设登录，已拒绝启动。"
            '请在 settings.toml 的 [ui] 中为每个账号填写用户名和密码，如 auth = [["用户名", "密码"]]；'
            "不需要登录时删去 auth，并用 --host 127.0.0.1 只在本机使用。\n"
            "(refusing to start: ui.auth has an empty user name or password)",
            file=sys.stderr,
        )
        return 2
    if not is_loopback(host) and not settings.ui.auth:
        print(
            f'错误: 在 {host} 上对外提供服务需要登录。请在 settings.toml 的 [ui] 中设置 auth = [["用户名", "密码"]]'
            '（或环境变量 ASSISTANT_UI__AUTH=\'[["user", "password"]]\'），或使用 --host 127.0.0.1 只在本机使用。\n'
            f"(refusing to serve on {host} without a login: set ui.auth)",
            file=sys.stderr,
        )
        return 2

    try:
        from assistant.service import Assistant

        assistant = Assistant(settings)
    except (AssistantError, ReportIndexError, OSError) as error:
        print(f"错误: {error}", file=sys.stderr)
        return 1

    from assistant.ui import build_app, serve

    demo = build_app(assistant, settings.ui.max_upload_mb)
    if not assistant.reports():
        # The page comes up at once and says it is indexing; questions wait for the index.
        threading.Thread(target=build_index, args=(assistant,), name="first-index", daemon=True).start()
    print(f"打开 http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port} 开始提问。", file=sys.stderr)
    serve(demo, host, port, settings.ui.auth, settings.ui.max_upload_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
