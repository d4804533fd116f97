"""Screenshots of the public site from the demo data, for the documentation.

    .venv/bin/python gongkai/browser_tests/screenshots.py [--out docs/screenshots]

Builds a throw-away site in a temporary GONGKAI_VAR_DIR (migrate, ``gongkai demo``),
serves it with ``gongkai serve`` as production does (collected, fingerprinted static
files), and renders the home page, the demo bureau's disclosure home, one of its items and
the search page at 1366 px, at 390 px, and at 390 px in elder mode (长者模式), with the
same Chromium the browser tests use. Writes ``<page>-<variant>.png`` files.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO_AGENCY = "11990100200000021E"  # the demo city market-supervision bureau
VARIANTS = {
    "desktop": ({"width": 1366, "height": 900}, False),
    "phone": ({"width": 390, "height": 844}, False),
    "phone-elder": ({"width": 390, "height": 844}, True),
}
ELDER_COOKIE = "gk_elder"  # gongkai.portal.preferences.ELDER_COOKIE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gongkai(env: dict, *args: str, **kwargs):
    return [sys.executable, "-m", "gongkai", *args], dict(env=env, cwd=REPO, **kwargs)


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the site did not answer at {url}")


def _pages(page, base: str) -> dict[str, str]:
    """The four pages; the item is the demo bureau's newest, found as a visitor finds it."""
    page.goto(f"{base}/agencies/{DEMO_AGENCY}/")
    item = page.locator("#latest-heading ~ .item-list a").first.get_attribute("href")
    return {
        "home": "/",
        "agency-home": f"/agencies/{DEMO_AGENCY}/",
        "item": item,
        "search": "/search/?q=%E9%A3%9F%E5%93%81",  # 食品
    }


def shoot(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from gongkai.browser_tests.conftest import CHROMIUM_ARGS, _chromium

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS,
                                             headless=True)
        probe = browser.new_page()
        pages = _pages(probe, base)
        probe.close()
        for variant, (viewport, elder) in VARIANTS.items():
            context = browser.new_context(base_url=base, viewport=viewport, locale="zh-CN")
            if elder:
                context.add_cookies([{"name": ELDER_COOKIE, "value": "on", "url": base}])
            page = context.new_page()
            for name, path in pages.items():
                page.goto(path)
                page.wait_for_load_state("networkidle")
                target = out / f"{name}-{variant}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
            context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    options = parser.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gongkai-shots-") as var:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(GONGKAI_VAR_DIR=var, DJANGO_SETTINGS_MODULE="gongkai.settings")
        for step in (("migrate", "--verbosity", "0"), ("demo",)):
            command, kwargs = _gongkai(env, *step)
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)  # noqa: S603 - our own command
        port = _free_port()
        command, kwargs = _gongkai(env, "serve", "--host", "127.0.0.1", "--port", str(port))
        server = subprocess.Popen(  # noqa: S603 - our own command
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            **kwargs)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(f"{base}/healthz")
            written = shoot(base, options.out)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for path in written:
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
