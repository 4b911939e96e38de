"""Article URL in: every embed pattern, direct media, the cache, newsroom options and every failure,
against a real HTTP server on 127.0.0.1 (``newsroom.py``), through the real CLI and yt-dlp."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path

import pytest
from conftest import DEMO, cli, reportsubs
from newsroom import ARTICLE, Newsroom, page, start

REPORT_SHA = hashlib.sha256((DEMO / "report.mp4").read_bytes()).hexdigest()
CLOSED = "http://127.0.0.1:9"  # nothing listens there: an embed that cannot be reached

PAGES = {
    "/2023/10/25/wp-video/": page(
        '<div class="wp-video"><video class="wp-video-shortcode" preload="metadata" controls="controls">'
        '<source type="video/mp4" src="/media/report.mp4?_=1" /><a href="/media/report.mp4">تحميل</a></video></div>'
    ),
    "/og-video/": page(
        "",
        head='<meta property="og:video" content="/media/report.mp4">'
        '<meta property="og:video:type" content="video/mp4">',
    ),
    "/twitter-stream/": page("", head='<meta name="twitter:player:stream" content="/media/report.mp4">'),
    "/twitter-player/": page("", head='<meta name="twitter:player" content="/player/7">'),
    "/player/7": b'<!DOCTYPE html><html><body><video controls src="/media/report.mp4"></video></body></html>',
    "/json-ld/": page(
        "",
        head='<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "NewsArticle", "headline": "x"}, {"@type": "VideoObject", "name": "تقرير",'
        ' "contentUrl": "/media/report.mp4", "duration": "PT59S"}]}</script>',
    ),
    "/hls/": page('<video controls src="/hls/report.m3u8"></video>'),
    "/iframe/": page('<iframe src="/player/7" width="640" height="360" allowfullscreen></iframe>'),
    "/hls-link/": page('<p><a href="/hls/report.m3u8">شاهد التقرير كاملاً</a></p>'),
    "/several/": page(
        f'<iframe src="{CLOSED}/embed/youtube-like"></iframe>\n<p>شاهد التقرير:</p>\n'
        '<video controls src="/media/report.mp4"></video>',
        sidebar='<video src="/media/sidebar-promo.mp4"></video>',
        article='<video autoplay muted src="/media/teaser.mp4"></video>\n' + ARTICLE,
    ),
    "/broken-first/": page(
        '<video controls src="/media/report.mp4"></video>',
        head=f'<meta property="og:video" content="{CLOSED}/unreachable.mp4">',
    ),
    "/no-video/": page(""),
    "/local-scheme/": page(
        '<video src="file:///etc/passwd"></video><iframe src="file:///etc/hosts"></iframe>'
    ),
    "/no-text/": page('<video controls src="/media/report.mp4"></video>', article=""),
    "/jwplayer/": page(
        '<div id="player-7f3a"></div><script type="text/javascript">jwplayer("player-7f3a").setup({'
        'playlist: [{title: "تقرير", image: "/img/poster.jpg", sources: [{file: "/hls/report.m3u8", '
        'type: "hls"}]}], width: "100%", aspectratio: "16:9"});</script>'
    ),
    "/videojs/": page(
        '<video-js id="vid1" class="video-js vjs-default-skin" controls preload="auto" '
        'data-setup=\'{"fluid": true, "sources": [{"src": "/media/report.mp4", "type": "video/mp4"}]}\'>'
        "</video-js>"
    ),
    "/amp-video/": page(
        '<amp-video width="640" height="360" layout="responsive" poster="/img/p.jpg" controls>'
        '<source src="/media/report.mp4" type="video/mp4"><div fallback>متصفحك لا يدعم الفيديو</div>'
        "</amp-video>"
    ),
    "/amp-iframe/": page(
        '<amp-iframe width="640" height="360" sandbox="allow-scripts" layout="responsive" '
        'src="/player/7"></amp-iframe>'
    ),
    "/lazy/": page(
        '<video class="lazyload" preload="none" src="data:video/mp4;base64,AAAA" '
        'data-lazy-src="/media/report.mp4" controls></video>'
    ),
    "/noscript/": page(
        '<div class="js-player" data-id="77"></div><noscript><video controls src="/media/report.mp4">'
        "</video></noscript>"
    ),
    "/featured/": page(
        "",
        featured='<video class="wp-video-shortcode" data-src="/media/report.mp4"></video>',
        sidebar='<video autoplay muted src="/media/teaser.mp4"></video>',
    ),
}


def live_pages(root: str) -> dict[str, bytes]:
    """Pages that name their video by absolute URL: protocol-relative, JSON-escaped, a Flash-era
    ``flashvars`` only yt-dlp's generic extractor reads."""
    host = root.removeprefix("http:")
    escaped = root.replace("/", "\\/")
    return {
        "/protocol-relative/": page(f'<video controls data-src="{host}/media/report.mp4"></video>'),
        "/json-keys/": page(
            f'<script>window.__PRELOADED__ = {{"post": {{"id": 7, "media": {{"hls": "{escaped}\\/hls'
            '\\/report.m3u8", "poster": "\\/img\\/p.jpg"}}};</script>'
        ),
        "/flashvars/": page(
            '<object type="application/x-shockwave-flash" data="/player.swf">'
            f'<param name="flashvars" value="file={root}/media/report.mp4&autostart=false"></object>'
        ),
    }


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory) -> Newsroom:
    room, server = start(tmp_path_factory.mktemp("served"), DEMO / "report.mp4")
    for path, html in {**PAGES, **live_pages(room.root)}.items():
        room.routes[path] = ("text/html", html)
    yield room
    server.shutdown()


def fetch(newsroom: Newsroom, path: str, media_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    url = path if path.startswith("http") else newsroom.url(path)
    return cli("-q", "fetch", url, "--out", str(media_dir), "--timeout", "3", *extra)


def fetched(proc: subprocess.CompletedProcess) -> tuple[Path, str]:
    assert proc.returncode == 0, proc.stderr
    media, article = (Path(line) for line in proc.stdout.split())
    return media, article.read_text()


def duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout)


@pytest.mark.parametrize(
    "path",
    ["/2023/10/25/wp-video/", "/og-video/", "/twitter-stream/", "/twitter-player/", "/json-ld/", "/iframe/"],
)
def test_each_mp4_embed_pattern_gives_the_report_and_the_article(newsroom, tmp_path, path):
    media, article = fetched(fetch(newsroom, path, tmp_path))
    assert media.name == "report.mp4"
    assert hashlib.sha256(media.read_bytes()).hexdigest() == REPORT_SHA
    assert article.startswith("# الاحترار يهدد أنهار هضبة التبت\n\nورجّح التقرير الذي أعدّه")
    for junk in ("شاهد أيضاً", "اترك تعليقاً", "الأكثر قراءة", "الرئيسية", "جميع الحقوق"):
        assert junk not in article
    assert article.count("\n\n") == 2  # title, two paragraphs: breaks kept


@pytest.mark.parametrize(
    "path",
    [
        "/videojs/",
        "/amp-video/",
        "/amp-iframe/",
        "/lazy/",
        "/noscript/",
        "/featured/",
        "/protocol-relative/",
        "/flashvars/",
        "/jwplayer/",
        "/json-keys/",
    ],
)
def test_players_lazy_amp_and_script_embeds_give_the_report(newsroom, tmp_path, path):
    media, article = fetched(fetch(newsroom, path, tmp_path))
    assert duration(media) == pytest.approx(duration(DEMO / "report.mp4"), abs=0.5)
    if media.suffix == ".mp4" and path != "/jwplayer/" and path != "/json-keys/":
        assert hashlib.sha256(media.read_bytes()).hexdigest() == REPORT_SHA
    assert article.startswith("# الاحترار يهدد أنهار هضبة التبت")


@pytest.mark.parametrize("path", ["/hls/", "/hls-link/", "/hls/report.m3u8"])
def test_hls_sources_and_links_download_whole(newsroom, tmp_path, path):
    media, _ = fetched(fetch(newsroom, path, tmp_path))
    assert media.name.startswith("report.")
    assert duration(media) == pytest.approx(duration(DEMO / "report.mp4"), abs=0.5)


@pytest.mark.parametrize("path", ["/media/report.mp4", "/stream/report"])
def test_direct_media_urls(newsroom, tmp_path, path):
    media, article = fetched(fetch(newsroom, path, tmp_path))
    assert hashlib.sha256(media.read_bytes()).hexdigest() == REPORT_SHA
    assert article.strip() == ""


def test_several_videos_the_report_at_the_bottom_wins_and_index_overrides(newsroom, tmp_path):
    media, _ = fetched(fetch(newsroom, "/several/", tmp_path / "a"))
    assert hashlib.sha256(media.read_bytes()).hexdigest() == REPORT_SHA
    assert sorted(p.name for p in media.parent.iterdir()) == [
        "meta.json",
        "page.html",
        "report.md",
        "report.mp4",
    ]
    teaser, _ = fetched(fetch(newsroom, "/several/", tmp_path / "b", "--video-index", "1"))
    assert duration(teaser) == pytest.approx(3, abs=0.3)


def test_a_failing_embed_does_not_hide_one_that_works(newsroom, tmp_path):
    media, _ = fetched(fetch(newsroom, "/broken-first/", tmp_path))
    assert hashlib.sha256(media.read_bytes()).hexdigest() == REPORT_SHA


def test_same_url_again_reuses_the_download_unless_refresh_or_changed(newsroom, tmp_path):
    path = "/2023/10/25/wp-video/"
    first, _ = fetched(fetch(newsroom, path, tmp_path))
    after_first = newsroom.hits("/media/report.mp4")
    again, _ = fetched(fetch(newsroom, path, tmp_path))
    assert again == first and newsroom.hits("/media/report.mp4") == after_first  # not downloaded again
    fetched(fetch(newsroom, path, tmp_path, "--refresh"))
    after_refresh = newsroom.hits("/media/report.mp4")
    assert after_refresh > after_first
    newsroom.routes[path] = ("text/html", PAGES[path].replace(b"</body>", b"<p>updated</p></body>"))
    try:
        fetched(fetch(newsroom, path, tmp_path))
    finally:
        newsroom.routes[path] = ("text/html", PAGES[path])
    assert newsroom.hits("/media/report.mp4") > after_refresh  # the page changed: downloaded again


def test_user_agent_and_cookies_reach_page_and_video(newsroom, tmp_path):
    cookies = tmp_path / "cookies.txt"
    cookies.write_text("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc123\n")
    start_at = len(newsroom.seen)
    fetched(
        fetch(
            newsroom,
            "/twitter-player/",
            tmp_path,
            "--user-agent",
            "NewsroomBot/1.0",
            "--cookies",
            str(cookies),
        )
    )
    seen = {s.path: s for s in newsroom.seen[start_at:]}
    for path in ("/twitter-player/", "/player/7", "/media/report.mp4"):
        assert seen[path].user_agent == "NewsroomBot/1.0", path
        assert "session=abc123" in seen[path].cookie, path


def test_proxy_carries_page_and_video(newsroom, tmp_path):
    start_at = len(newsroom.seen)
    media, _ = fetched(
        fetch(newsroom, "http://newsroom.test/2023/10/25/wp-video/", tmp_path, "--proxy", newsroom.root)
    )
    seen = newsroom.seen[start_at:]
    assert {s.path for s in seen} >= {"/2023/10/25/wp-video/", "/media/report.mp4"}
    assert all(s.proxied for s in seen)
    assert hashlib.sha256(media.read_bytes()).hexdigest() == REPORT_SHA


@pytest.mark.parametrize(
    ("path", "extra", "message"),
    [
        ("/missing/", (), "HTTP 404"),
        ("/no-video/", (), "no video found"),
        ("/local-scheme/", (), "no video found"),
        ("/files/blob.bin", (), "neither an article page nor media"),
        ("/media/huge.mp4", ("--max-size", "1"), "larger than"),
        ("/to-file", (), "file:///etc/passwd' is not allowed"),
        ("/several/", ("--video-index", "9"), "no video 9"),
    ],
)
def test_failures_are_one_clear_line_and_leave_nothing_behind(newsroom, tmp_path, path, extra, message):
    # a child process: the fetch runs in a process of its own, whose traceback would go to the real stderr
    url = newsroom.url(path)
    proc = reportsubs("-q", "fetch", url, "--out", str(tmp_path), "--timeout", "3", *extra, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    error = [line for line in proc.stderr.splitlines() if line.startswith("reportsubs: error:")]
    assert len(error) == 1 and message in error[0], proc.stderr
    downloads = tmp_path / "downloads"
    assert not downloads.exists() or list(downloads.iterdir()) == []  # no partial file, folder or lock


def test_a_stalled_server_fails_in_bounded_time(newsroom, tmp_path):
    started = time.monotonic()  # a child process, as a user runs it: a hang here must not hang the suite
    url = newsroom.url("/stall.mp4")
    proc = reportsubs("fetch", url, "--out", str(tmp_path), "--timeout", "2", "--deadline", "20", timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert time.monotonic() - started < 20
    assert "reportsubs: error:" in proc.stderr


def test_non_http_urls_are_refused(tmp_path):
    proc = cli("fetch", "file:///etc/passwd", "--out", str(tmp_path))
    assert proc.returncode == 1 and "not an http(s) URL" in proc.stderr


def test_run_on_an_article_url_subtitles_the_article_text(newsroom, tmp_path):
    proc = cli(
        "run",
        newsroom.url("/2023/10/25/wp-video/"),
        "--media-dir",
        str(tmp_path / "media"),
        "--out",
        str(tmp_path / "subs"),
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "subs" / "wp-video.ar.json").read_text())
    shown = " ".join(" ".join(c["lines"]) for c in doc["cues"] if c["source"] == "article")
    assert "مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر." in shown
    assert doc["input"] == newsroom.url("/2023/10/25/wp-video/")


def test_page_without_article_text_is_still_subtitled_with_a_warning(newsroom, tmp_path):
    # a child process: the warning comes from the fetch's own process, which writes to the real stderr
    proc = reportsubs(
        "run",
        newsroom.url("/no-text/"),
        "--media-dir",
        str(tmp_path / "media"),
        "--out",
        str(tmp_path / "subs"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "no article text found" in proc.stderr
    assert (tmp_path / "subs" / "no-text.ar.srt").exists()


def test_batch_pairs_media_with_a_url_file_holding_its_article(newsroom, tmp_path):
    media = tmp_path / "tonight.mp4"
    media.write_bytes((DEMO / "report.mp4").read_bytes())
    (tmp_path / "tonight.url").write_text(
        f"[InternetShortcut]\nURL={newsroom.url('/2023/10/25/wp-video/')}\n"
    )
    proc = cli("batch", str(media), "--out", str(tmp_path / "subs"))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "subs" / "tonight.ar.json").read_text())
    assert doc["article"]["origin"] == newsroom.url("/2023/10/25/wp-video/")
    shown = " ".join(" ".join(c["lines"]) for c in doc["cues"] if c["source"] == "article")
    assert "أحرزت منتخبات البرازيل وألمانيا وروسيا" in shown
