"""The studio in headless Chromium: library, upload by drop, a layer picked by its look, a preview, a video job
watched, re-attached after a reload, cancelled, resumed and played. Screenshots go to docs/studio_*.png with STUDIO_SCREENSHOTS=docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.studio.browser import DOCS, chromium, need_browser, studio_server
from tests.video.video_clips import write_clip

pytestmark = pytest.mark.slow

DROP = """async ([name, bytes]) => {
  const file = new File([new Uint8Array(bytes)], name, { type: "image/jpeg" });
  const transfer = new DataTransfer(); transfer.items.add(file);
  document.getElementById("drop").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
}"""


def _done(text: str) -> int:
    match = re.match(r"(\d+)", text.strip())
    return int(match[1]) if match else 0


def test_the_studio_in_a_browser(data: Path, tmp_path: Path) -> None:
    need_browser()
    write_clip(data / "videos" / "walk.mp4", frames=36, width=128, height=96)
    upload = tmp_path / "garden.jpg"
    from tests.cli.cli_helpers import write_picture

    write_picture(upload, 160, 120)
    with studio_server(data) as (address, _), chromium() as browser:
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(address)
        page.wait_for_selector('#library .card[data-name="videos/walk.mp4"] img')

        # Upload by drag and drop: the new picture joins the library and becomes the current source.
        page.evaluate(DROP, ["garden.jpg", list(upload.read_bytes())])
        page.wait_for_selector('#library .card.selected[data-name="single_pictures/garden.jpg"]')
        assert (data / "single_pictures" / "garden.jpg").is_file()

        # A layer picked by its look: every dreamable layer shows a small dream of the picture.
        look = page.locator('#layers .card[data-layer="inception_4e/output"] img')
        look.wait_for()
        page.wait_for_function("[...document.querySelectorAll('#layers img')].every(i => i.complete && i.naturalWidth > 0)",
                               timeout=120_000)
        look.click()
        assert page.input_value("#f-layers") == "inception_4e/output"
        page.fill("input[name=octaves]", "2")
        page.fill("input[name=iterations]", "3")

        # Preview: before and after side by side.
        page.click("#preview-btn")
        page.wait_for_function("!document.getElementById('preview').hidden && document.getElementById('after').naturalWidth > 0",
                               timeout=120_000)
        assert "inception_4e/output" in page.inner_text("#after-caption")
        page.screenshot(path=str(DOCS / "studio_preview.png"), full_page=True)

        # A video job: progress moves, a reload re-attaches to it, cancel stops it resumably, resume finishes it.
        page.click('#library .card[data-name="videos/walk.mp4"]')
        page.fill("input[name=iterations]", "40")  # long enough that the job is still running when cancelled
        page.click("#run-video")
        job = page.locator("#jobs .job").first
        page.wait_for_function("document.querySelector('#jobs .job .progress') &&"
                               " parseInt(document.querySelector('#jobs .job .progress').textContent) >= 2",
                               timeout=120_000)
        first = _done(job.locator(".progress").inner_text())
        page.wait_for_function(f"parseInt(document.querySelector('#jobs .job .progress').textContent) > {first}",
                               timeout=60_000)
        page.screenshot(path=str(DOCS / "studio_job.png"), full_page=True)

        second = browser.new_page()  # another tab asks for the same run: it is shown the running one
        second.goto(address)
        second.wait_for_selector('#library .card[data-name="videos/walk.mp4"]')
        second.wait_for_selector("#model option", state="attached")  # the model list has come
        second.click('#library .card[data-name="videos/walk.mp4"]')
        second.fill("input[name=iterations]", "40")
        second.fill("input[name=octaves]", "2")
        second.fill("#f-layers", "inception_4e/output")
        second.click("#run-video")
        second.wait_for_selector("#error:not([hidden])")
        assert "already running" in second.inner_text("#error")
        assert second.locator("#jobs .job").count() == 1
        second.close()

        page.reload()
        page.wait_for_selector('#jobs .job[data-state="running"]')
        reattached = _done(page.locator("#jobs .job .progress").first.inner_text())
        assert reattached >= first
        page.click("#jobs .job .cancel")
        page.wait_for_selector('#jobs .job[data-state="stopped"]', timeout=60_000)
        stopped = _done(page.locator("#jobs .job .progress").first.inner_text())
        assert 0 < stopped < 36
        assert len(list((data / "output_frames" / "walk").glob("dream_frame_*.jpg"))) == stopped
        page.click("#jobs .job .resume")
        page.wait_for_selector('#jobs .job[data-state="done"]', timeout=300_000)
        assert page.locator("#jobs .job .progress").first.inner_text().startswith("36 / 36")

        # The result: listed with its settings, playable and seekable in this Chromium.
        page.wait_for_selector("#results .dream .play")
        assert "i-40" in page.inner_text("#results")
        can_play = page.evaluate("document.createElement('video').canPlayType('video/mp4; codecs=\"avc1.64001e\"')")
        page.click("#results .dream .play")
        page.wait_for_function("document.getElementById('player').readyState >= 1 ||"
                               " document.getElementById('player').error", timeout=30_000)
        played = page.evaluate("""async () => { const v = document.getElementById('player');
            if (v.error) return {error: v.error.code};
            v.currentTime = v.duration / 2; await new Promise(r => setTimeout(r, 500));
            return {ready: v.readyState, duration: v.duration, width: v.videoWidth, time: v.currentTime}; }""")
        print(f"chromium canPlayType(H.264 MP4) = {can_play!r}; the dreamed video in the page: {played}")
        if can_play:
            assert played.get("width") == 128 and played["duration"] > 1.0 and played["time"] > 0
        else:  # a build without H.264: the page still offers the file, and says the browser cannot play it
            assert "error" in played
        page.screenshot(path=str(DOCS / "studio_results.png"), full_page=True)
        assert errors == []
