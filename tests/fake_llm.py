"""A fake LLM server on 127.0.0.1 speaking the OpenAI chat-completions and Anthropic messages wire
formats, with scripted replies (including errors and malformed bodies)."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    status: int = 200
    content: str = ""
    raw: bytes | None = None  # sent as the body instead of a well-formed reply
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeLLM:
    replies: deque[Scripted] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    default: str = "pass"
    server: ThreadingHTTPServer | None = None
    # When set: the reply to a request, from its JSON (instead of the script and the default).
    responder: Callable[[dict[str, Any]], str] | None = None
    # When set: every n-th request is answered 429 with this Retry-After (a rate-limited provider).
    limit_every: int = 0
    retry_after: str = "0.05"
    limited: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def reply(self, content: str = "", *, status: int = 200, raw: bytes | None = None,
              headers: dict[str, str] | None = None) -> None:
        self.replies.append(Scripted(status, content, raw, headers or {}))

    def _body(self, path: str, request: dict[str, Any], content: str) -> dict[str, Any]:
        if path.endswith("/messages"):
            return {"id": "msg_1", "type": "message", "role": "assistant", "model": request.get("model"),
                    "content": [{"type": "text", "text": content}], "stop_reason": "end_turn",
                    "usage": {"input_tokens": 11, "output_tokens": 7}}
        return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0,
                "model": request.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}

    def start(self) -> FakeLLM:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    fake.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "json": request})
                    throttled = fake.limit_every and len(fake.requests) % fake.limit_every == 0
                    fake.limited += bool(throttled)
                if throttled:
                    scripted = Scripted(status=429, headers={"Retry-After": fake.retry_after})
                elif fake.responder is not None:
                    scripted = Scripted(content=fake.responder(request))
                else:
                    scripted = fake.replies.popleft() if fake.replies else Scripted(content=fake.default)
                if scripted.raw is not None:
                    body = scripted.raw
                elif scripted.status != 200:
                    body = json.dumps({"error": {"message": "scripted error", "type": "rate_limit_error"}}).encode()
                else:
                    body = json.dumps(fake._body(self.path, request, scripted.content)).encode()
                self.send_response(scripted.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in scripted.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
