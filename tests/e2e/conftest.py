"""End-to-end: Playwright drives Debian's Chromium against `streamlit run` on a free
loopback port, over a freshly seeded small demo database.

Chromium is never downloaded: without /usr/bin/chromium (or $CHROMIUM) these tests are
skipped with the reason (`.ci/run` installs it, so CI always runs them). Tests wait on
what the page shows, never on fixed sleeps.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "zivo-demo"
START_TIMEOUT_S = 120
WAIT_MS = 60_000  # Playwright's auto-wait bound: generous, it only stops a hang


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "dashboard", "demo", "--scale", "small"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    return url


@pytest.fixture(scope="session")
def app_url(chromium_path, demo_database, tmp_path_factory):
    """The app served by `streamlit run`, as a person would run it."""
    port = _free_port()
    secrets = tmp_path_factory.mktemp("secrets") / "none.toml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORE_", "ZIVO_NOW"))}
    env |= {"DATABASE_URL": demo_database, "ZIVO_SECRETS_FILE": str(secrets)}
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"streamlit did not start; see {log.name}")
            time.sleep(0.2)
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=app_url,
                                  accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page, email: str, password: str = PASSWORD, path: str = "/") -> None:
    page.goto(path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(page, role: str) -> None:
    sign_in(page, f"{role}@demo.zivo")
    page.get_by_text("Signed in as").wait_for()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def menu_links(page):
    return page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink")


def menu(page) -> list[str]:
    # A link's text starts with its Material icon's ligature name; the label is last.
    return [text.strip().splitlines()[-1] for text in menu_links(page).all_inner_texts()]


def settled(page) -> None:
    """The script run has finished: no running indicator, no element left stale from the
    run before (Streamlit marks those ``data-stale`` until the new run redraws them)."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)
    expect(page.locator('[data-stale="true"]')).to_have_count(0)


def choose(page, label: str, typed: str, option=None, *, url=None) -> None:
    """Pick an option of a select box as a person does: type into it, click the match.
    ``url``: a pattern the address shows once the choice has reached the script (filters
    and pickers keep their value in the URL), after which the run is waited out."""
    from playwright.sync_api import expect

    settled(page)  # a run still redrawing would replace the list while it is open
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option or typed).first.click()
    if url is not None:
        expect(page).to_have_url(url)
    settled(page)


def confirm(page, button: str) -> None:
    """Press an action's button and confirm its dialog."""
    from playwright.sync_api import expect

    page.get_by_role("button", name=button).click()
    page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
