"""A hostile but fair web server on 127.0.0.1: what a probe of reportsubs serves to find its holes.

Routes are set by each test: a plain reply, or a *drip* that sends its headers at once and then one byte a
second for as long as the client reads (what defeats per-read timeouts). Every request's path is recorded,
so tests can count what reportsubs asked for.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote

from newsroom import LoopbackServer


@dataclass(frozen=True)
class Reply:
    content_type: str
    """Sent as is, so a test decides whether a charset is declared."""
    body: bytes = b""
    drip: bool = False
    """Send the headers (with a large Content-Length) and then one byte a second, never the whole."""


@dataclass
class Hostile:
    root: str
    routes: dict[str, Reply] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.root + path

    def hits(self, prefix: str) -> int:
        return sum(1 for path in self.seen if path.startswith(prefix))


DRIP_SECONDS = 120
"""A drip gives up after this long, so that a test that failed cannot leave the server busy forever."""


def start() -> tuple[Hostile, LoopbackServer]:
    hostile = Hostile(root="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = unquote(self.path.split("?")[0])
            hostile.seen.append(path)
            reply = hostile.routes.get(path)
            if reply is None:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(10 * 2**20 if reply.drip else len(reply.body)))
            self.end_headers()
            if not reply.drip:
                self.wfile.write(reply.body)
                return
            try:
                for n in range(DRIP_SECONDS):
                    self.wfile.write(reply.body[n : n + 1] or b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:  # the client gave up: what a deadline should make it do
                pass

    server = LoopbackServer(("127.0.0.1", 0), Handler)
    hostile.root = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return hostile, server
