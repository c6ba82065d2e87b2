"""A scripted OpenAI-compatible chat endpoint on 127.0.0.1: real HTTP, queued replies, recorded requests.

    with FakeOpenAI() as server:
        server.reply("答案[1]")          # next chat completion returns this text
        server.fail(500)                  # the one after answers HTTP 500
        server.reply("迟到的答案", delay_s=3)
        ... LLMSettings(api_base=server.url, ...) ...
        server.requests[-1]["messages"]   # what the client sent

Unscripted chat requests get HTTP 500 with "no scripted reply", so a test that forgot one fails loudly.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Scripted:
    """One queued response: reply text, or an HTTP error status; optionally after a delay."""

    content: str | None = None
    status: int = 200
    delay_s: float = 0.0
    message: str = "scripted failure"


class FakeOpenAI:
    """Serves POST /v1/chat/completions (plain and streamed) and GET /v1/models from a queue of scripts."""

    def __init__(self, model: str = "fake") -> None:
        self.model = model
        self.script: deque[Scripted] = deque()
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The api_base to configure: http://127.0.0.1:PORT/v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    def reply(self, content: str, delay_s: float = 0.0) -> None:
        """Queue a chat completion whose message content is `content`."""
        self.script.append(Scripted(content, 200, delay_s))

    def fail(self, status: int = 500, delay_s: float = 0.0) -> None:
        """Queue an HTTP error response."""
        self.script.append(Scripted(None, status, delay_s))

    def reset(self) -> None:
        """Forget queued scripts and recorded requests."""
        with self._lock:
            self.script.clear()
            self.requests.clear()

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, body: dict[str, Any]) -> Scripted:
        with self._lock:
            self.requests.append(body)
            return self.script.popleft() if self.script else Scripted(None, 500, message="no scripted reply")


def _completion(model: str, content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _json(self, status: int, data: dict[str, Any]) -> None:
            payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": fake.model, "object": "model", "owned_by": "fake"}]})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            scripted = fake._next(body)
            time.sleep(scripted.delay_s)
            if scripted.content is None:
                self._json(scripted.status, {"error": {"message": scripted.message, "type": "server_error"}})
            elif body.get("stream"):
                self._stream(body.get("model", fake.model), scripted.content)
            else:
                self._json(200, _completion(body.get("model", fake.model), scripted.content))

        def _stream(self, model: str, content: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            pieces = [{"role": "assistant", "content": ""}]
            pieces += [{"content": content[i : i + 8]} for i in range(0, len(content), 8)]
            for delta in pieces:
                self.wfile.write(f"data: {json.dumps(_chunk(model, delta, None), ensure_ascii=False)}\n\n".encode())
            self.wfile.write(f"data: {json.dumps(_chunk(model, {}, 'stop'))}\n\ndata: [DONE]\n\n".encode())
            self.wfile.flush()

    return Handler
