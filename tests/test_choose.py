"""Which video is the report, proven by its speech: pages whose markup points at the wrong video, served on
127.0.0.1 with real speech (pieces of the demo report), run through the real CLI, model and yt-dlp, and
judged by the text of the subtitles written, not by the URL chosen."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import DEMO, cli, cut
from newsroom import Newsroom, page, start

from pipeline import choose, embeds
from pipeline.data import Audio, VideoCandidate
from pipeline.state import JobStore

TIBET = (
    "<p>ورجّح التقرير الذي أعدّه معهد أبحاث هضبة التبت في الأكاديمية الصينية للعلوم أن تستمر درجات الحرارة "
    "ومستويات الرطوبة في الارتفاع طوال هذا القرن، مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر.</p>\n"
    "<p>وتُعرف الهضبة بـ«القطب الثالث» لأنها تختزن أكبر كمية من الجليد خارج المنطقتين القطبيتين.</p>\n"
)
"""The article of every page here: the Tibet story alone (its second paragraph is never spoken)."""
SPOKEN = "مما قد يؤدي إلى تراجع مساحات الأنهار الجليدية وانتشار التصحر."
OTHER_STORY = ("منتخبات", "البرازيل", "كأس", "ملحوظة")
"""Words of the football report and of the promo: never in these subtitles, unless the wrong video won."""

PAGES = {
    # a promo with speech (another story's sound bite) declared in og:video; the report in the body
    "/promo-og/": page(
        '<video controls src="/media/tibet.mp4"></video>',
        head='<meta property="og:video" content="/media/promo.mp4"><meta property="og:video:type" content="video/mp4">',
        article=TIBET,
    ),
    # a short clip without speech after the report, at the bottom of the body
    "/silent-after/": page(
        '<video controls src="/media/tibet.mp4"></video><p>شاهد أيضاً:</p><video autoplay muted src="/media/teaser.mp4"></video>',
        article=TIBET,
    ),
    # a related story's report after the article's own, in the body, by JW Player
    "/related-after/": page(
        '<video controls src="/media/tibet.mp4"></video>\n<h3>تقرير ذو صلة</h3><div id="p2"></div>'
        '<script>jwplayer("p2").setup({playlist: [{sources: [{file: "/media/sport.mp4"}]}]});</script>',
        article=TIBET,
    ),
    # the only video is another story's: subtitled, but marked
    "/wrong-video/": page('<video controls src="/media/sport.mp4"></video>', article=TIBET),
}


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory) -> Newsroom:
    folder = tmp_path_factory.mktemp("served")
    room, server = start(folder, DEMO / "report.mp4")
    pieces = {"tibet": (0, 23.5), "sport": (28, 26), "promo": (23.5, 4.6)}
    for name, (at, length) in pieces.items():
        room.routes[f"/media/{name}.mp4"] = ("video/mp4", cut(folder, f"{name}.mp4", at, length).read_bytes())
    for path, html in PAGES.items():
        room.routes[path] = ("text/html", html)
    yield room
    server.shutdown()


def shown(doc: dict) -> str:
    return " ".join(" ".join(c["lines"]) for c in doc["cues"])


def test_the_video_that_narrates_the_article_is_chosen_and_a_wrong_one_is_marked(newsroom, tmp_path):
    """One batch (one model load) over every ambiguity of issue 11."""
    out = tmp_path / "subs"
    proc = cli(
        "batch",
        *(newsroom.url(p) for p in PAGES),
        "--media-dir",
        str(tmp_path / "media"),
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    docs = {p: json.loads((out / f"{p.strip('/')}.ar.json").read_text()) for p in PAGES}

    for path in ("/promo-og/", "/silent-after/", "/related-after/"):
        text = shown(docs[path])
        assert SPOKEN in text, (path, text)
        assert not any(word in text for word in OTHER_STORY), (path, text)
        assert docs[path]["article_match"] == "ok", path

    promo = docs["/promo-og/"]["videos"]  # both spoke, so both were heard and scored
    assert len(promo) == 2 and all(v["score"] is not None for v in promo)
    chosen = next(v for v in promo if v["chosen"])
    assert chosen["score"] > max(v["score"] for v in promo if not v["chosen"])
    silent = docs["/silent-after/"]["videos"]
    assert sorted(v["speech"] > 0 for v in silent) == [False, True]
    assert all(v["score"] is None for v in silent)  # one video spoke: nothing needed transcribing

    wrong = docs["/wrong-video/"]
    assert wrong["article_match"] == "low" and wrong["article_coverage"] == 0
    assert "كأس العالم" in shown(wrong)  # still subtitled, from what was said
    assert "is this the article's report?" in proc.stderr
    summary = json.loads((out / "reportsubs-batch.json").read_text())
    matches = {Path(j["input"]).name: j["article_match"] for j in summary["jobs"]}
    assert matches == {"promo-og": "ok", "silent-after": "ok", "related-after": "ok", "wrong-video": "low"}


def test_embeds_rank_a_featured_slot_as_the_article_and_merge_keeps_page_order():
    html = page(
        "",
        featured='<video data-lazy-src="/a.mp4"></video>',
        sidebar='<video src="/promo.mp4"></video>',
    ).decode()
    found = embeds.merge(
        embeds.find(html, "http://news.test/x/"), ["http://news.test/a.mp4", "http://cdn.test/b.m3u8"]
    )
    assert [(c.url, c.kind, c.order, c.in_article) for c in found] == [
        ("http://news.test/a.mp4", "video", 1, True),
        ("http://news.test/promo.mp4", "video", 2, False),
        ("http://cdn.test/b.m3u8", "yt-dlp", 3, False),
    ]
    assert [c.order for c in embeds.ranked(found)] == [1, 2, 3]


def test_order_prefers_the_most_article_words_keeps_the_ranking_on_a_tie_and_puts_silence_last():
    def video(order: int, speech: float, score: int | None) -> VideoCandidate:
        return VideoCandidate(f"http://news.test/{order}.mp4", "video", order, speech=speech, score=score)

    silent, promo, report, copy = video(1, 0, None), video(2, 4, 6), video(3, 30, 41), video(4, 30, 39)
    assert choose.order([silent, promo, report]) == [report, promo, silent]
    assert choose.order([copy, report, promo]) == [copy, report, promo]  # 39 ties 41: the ranking stands
    assert choose.order([video(1, 9, 0), video(2, 9, 2)])[0].order == 1  # nothing of the article: ranking


def test_status_lists_finished_jobs_whose_speech_did_not_match_the_article(tmp_path):
    inbox = tmp_path / "inbox"
    store = JobStore(inbox / ".reportsubs" / "state.sqlite")
    for n, match in enumerate(("ok", "low", None)):
        result = tmp_path / f"r{n}.ar.json"
        result.write_text(json.dumps({"article_match": match}))
        job = store.add(f"r{n}.mp4", None, f"print{n}")
        store.done(job, {"json": str(result)})
    store.close()
    proc = cli("status", str(inbox))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("low article match") == 1 and "r1.mp4" in proc.stdout
    report = json.loads(cli("status", str(inbox), "--json").stdout)
    assert [j["input"] for j in report["low_article_match"]] == ["r1.mp4"]


def test_two_probes_share_one_whisper_window_and_each_segment_goes_back_to_its_own():
    rate = 16_000
    speech = {
        "a": np.ones(10 * rate, np.float32),
        "b": np.ones(13 * rate, np.float32),
        "c": np.ones(5 * rate, np.float32),
    }
    windows = []

    def listen(window: Audio) -> list[tuple[float, str]]:
        windows.append(window.duration)
        return (
            [(4.0, "ورجح التقرير"), (13.0, "في الغاب"), (18.0, "أحرزت منتخبات")]
            if len(windows) == 1
            else [(2.0, "ليس لك")]
        )

    assert choose.hear(speech, listen) == {
        "a": ["ورجح", "التقرير"],
        "b": ["في", "الغاب", "أحرزت", "منتخبات"],
        "c": ["ليس", "لك"],
    }
    assert windows == [10 + choose.GAP + 13, 5]
