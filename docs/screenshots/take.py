"""Retake the README's screenshots from the demo workspace.

    .venv/bin/python docs/screenshots/take.py

Starts `parley up` on a throwaway database, logs in as the demo admin and photographs the
inbox, a conversation with an order beside it, and a customer profile. Needs Chromium at
/usr/bin/chromium (Debian's) and the dev extras (Playwright).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
PARLEY = str(Path(sys.executable).with_name("parley"))
PORT = 8765
URL = f"http://127.0.0.1:{PORT}"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


def serve(var: Path) -> subprocess.Popen:
    env = {**os.environ, "PARLEY_VAR_DIR": str(var), "PARLEY_DATABASE_URL": f"sqlite:///{var}/db"}
    process = subprocess.Popen(  # noqa: S603 - our own command
        [PARLEY, "up", "--port", str(PORT)], env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(URL + "/login/", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("parley up did not come up")


def shoot(page: Page) -> None:
    page.goto(URL + "/login/")
    page.get_by_label("E-mail").fill("admin@example.com")
    page.get_by_label("Password").fill("parley-demo")
    page.get_by_role("button", name="Log in").click()
    page.goto(URL + "/inbox/all/")
    page.screenshot(path=HERE / "inbox.png")
    # The demo's shopper who wrote again from an Instagram account Parley had not met.
    page.goto(URL + "/customers/duplicates/")
    page.locator(".duplicate a", has_text=".makes").click()
    page.locator(".customer-timeline a", has_text="Any update on order").click()
    page.wait_for_selector("#orders .order")
    page.locator(".panel.customer").scroll_into_view_if_needed()
    page.screenshot(path=HERE / "conversation.png")
    page.locator(".panel.customer .suggestion a").first.click()
    page.wait_for_selector(".customer-timeline")
    page.screenshot(path=HERE / "customer.png")


def main() -> None:
    with tempfile.TemporaryDirectory() as var:
        process = serve(Path(var))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=ARGS
                )
                page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")
                shoot(page)
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=20)


if __name__ == "__main__":
    main()
