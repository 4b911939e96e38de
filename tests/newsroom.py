"""A real HTTP server on 127.0.0.1 that plays a newsroom: WordPress-like Arabic article pages embedding a
video report in each of the ways real pages do, the media themselves (MP4 and HLS), and misbehaving URLs
(404, a stalled transfer, a non-media file, an over-size file, a redirect to file://).

It also acts as a forward proxy for ``http://newsroom.test/…`` URLs, and records every request's path,
User-Agent, Cookie and whether it came through the proxy, so tests can see what was fetched and how.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ARTICLE = (
    "<p>ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت في الأكاديمية الصينية للعلوم أن تستمر درجات الحرارة "
    "ومستويات الرطوبة في الارتفاع طوال هذا القرن، مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر.</p>\n"
    "<p>أحرزت منتخبات البرازيل وألمانيا وروسيا فوزاً في مقابلاتهم الإعدادية التي أُقيمت استعداداً لنهائيات كأس "
    "العالم، التي ستنطلق بعد أقل من أسبوع.</p>\n"
)
TITLE = "الاحترار يهدد أنهار هضبة التبت"


class LoopbackServer(ThreadingHTTPServer):
    """The tests' web server. A client hanging up mid-reply (a size limit, a deadline) is what the tests
    provoke, not a fault of the server: it is not printed on stderr, where the CLI run in the test's own
    process (``conftest.cli``) writes the one error line the test reads."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def page(
    body: str,
    head: str = "",
    sidebar: str = "",
    title: str = TITLE,
    article: str = ARTICLE,
    featured: str = "",
) -> bytes:
    """A WordPress-like, right-to-left news page around ``body`` (the embed), with the usual clutter;
    ``featured`` goes in the theme's featured-video slot above the title."""
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title} | أخبار</title>
<meta property="og:title" content="{title}">{head}</head>
<body class="post-template-default single single-post">
<header id="masthead"><nav class="main-navigation"><ul><li><a href="/">الرئيسية</a></li>
<li><a href="/category/world/">العالم</a></li><li><a href="/category/sport/">رياضة</a></li></ul></nav></header>
<main id="main"><article class="post type-post"><header class="entry-header">
<div class="featured-media">{featured}</div><h1 class="entry-title">{title}</h1>
<div class="entry-meta">نُشر في 25 أكتوبر 2023</div></header>
<div class="entry-content">
{article}
{body}
<div class="see-also"><h3>شاهد أيضاً</h3><ul><li><a href="/2023/10/24/other/">خبر آخر عن الطقس</a></li></ul></div>
</div></article></main>
<aside id="secondary" class="widget-area"><section class="widget"><h2>الأكثر قراءة</h2>
<ul><li><a href="/a/">خبر أول</a></li></ul>{sidebar}</section></aside>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond">
<h3 class="comment-reply-title">اترك تعليقاً</h3><form><textarea name="comment"></textarea></form></div></div>
<footer id="colophon" class="site-footer"><p>جميع الحقوق محفوظة © 2023</p></footer>
</body></html>""".encode()


@dataclass
class Seen:
    path: str
    user_agent: str
    cookie: str
    proxied: bool


@dataclass
class Newsroom:
    root: str
    routes: dict[str, tuple[str, bytes]]
    seen: list[Seen] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.root + path

    def hits(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)


def make_media(folder: Path, report: Path) -> dict[str, bytes]:
    """The served media: the demo report, a short teaser, and the report as HLS."""
    teaser = folder / "teaser.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:s=160x90:r=5:d=3",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=3",
            "-shortest",
            "-c:v",
            "libx264",
            "-c:a",
            "aac",
            str(teaser),
        ],
        check=True,
    )
    hls = folder / "hls"
    hls.mkdir()
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-i",
            str(report),
            "-c",
            "copy",
            "-f",
            "hls",
            "-hls_time",
            "20",
            "-hls_playlist_type",
            "vod",
            "-hls_segment_filename",
            str(hls / "seg%d.ts"),
            str(hls / "report.m3u8"),
        ],
        check=True,
    )
    served = {"/media/report.mp4": report.read_bytes(), "/media/teaser.mp4": teaser.read_bytes()}
    for part in sorted(hls.iterdir()):
        served[f"/hls/{part.name}"] = part.read_bytes()
    return served


def start(folder: Path, report: Path) -> tuple[Newsroom, LoopbackServer]:
    media = make_media(folder, report)
    routes: dict[str, tuple[str, bytes]] = {}
    for path, data in media.items():
        kind = (
            "application/vnd.apple.mpegurl"
            if path.endswith(".m3u8")
            else ("video/mp2t" if path.endswith(".ts") else "video/mp4")
        )
        routes[path] = (kind, data)
    routes["/stream/report"] = ("video/mp4", media["/media/report.mp4"])  # no extension, typed video
    routes["/files/blob.bin"] = ("application/octet-stream", b"\x00\x01 not media at all " * 100)
    routes["/media/huge.mp4"] = ("video/mp4", b"\x00" * (2 * 2**20 + 10))
    newsroom = Newsroom(root="", routes=routes)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            proxied = self.path.startswith("http://")
            path = urlsplit(self.path).path if proxied else self.path.split("?")[0]
            newsroom.seen.append(
                Seen(path, self.headers.get("User-Agent", ""), self.headers.get("Cookie", ""), proxied)
            )
            if path == "/stall.mp4":  # promises 10 MB, sends 1 kB, then nothing
                self.reply(
                    200, {"Content-Type": "video/mp4", "Content-Length": str(10 * 2**20)}, b"\x00" * 1024
                )
                self.wfile.flush()
                time.sleep(20)
            elif path == "/to-file":
                self.reply(302, {"Location": "file:///etc/passwd", "Content-Length": "0"})
            elif path not in newsroom.routes:
                self.send_error(404, "Not Found")
            else:
                kind, data = newsroom.routes[path]
                charset = "; charset=utf-8" if kind == "text/html" else ""
                self.reply(200, {"Content-Type": kind + charset, "Content-Length": str(len(data))}, data)

        def reply(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    server = LoopbackServer(("127.0.0.1", 0), Handler)
    newsroom.root = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return newsroom, server
