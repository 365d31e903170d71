"""The channel sheet in headless Chromium: the button shows the chosen layer's channels, a click fills Channels."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.studio.browser import DOCS, chromium, need_browser, studio_server

pytestmark = pytest.mark.slow


def test_a_channel_is_picked_by_its_look(data: Path) -> None:
    need_browser()
    with studio_server(data) as (address, _), chromium() as browser:
        page = browser.new_page(viewport={"width": 1360, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(address)
        page.locator('#layers .card[data-layer="inception_4d/output"]').click()
        page.click("#sheet-btn")
        page.wait_for_selector("#channel-sheet .card.channel img", timeout=120_000)
        page.wait_for_function("[...document.querySelectorAll('#channel-sheet img')].every(i => i.complete"
                               " && i.naturalWidth > 0)", timeout=60_000)
        assert page.locator("#channel-sheet .card.channel").count() == 6  # the tiny net's 6 channels
        page.locator('#channel-sheet .card[data-channel="3"]').click()
        page.locator('#channel-sheet .card[data-channel="1"]').click(modifiers=["Shift"])
        assert page.input_value("#f-channels") == "3,1"
        assert page.input_value("#f-layers") == "inception_4d/output"
        page.locator("#model-panel").screenshot(path=str(DOCS / "studio_channels.png"))
        assert errors == []
