"""In a real browser: who sees what, refusals, sign-out, lockout and unlock, and every
page of every role rendering cleanly on a laptop and on a phone."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select, union

from dashboard.navigation import visible_to
from dashboard.schema import contacts, rights_requests, users
from tests.e2e.conftest import choose, confirm, menu, menu_links, settled, shot, sign_in, signed_in
from tests.pages.test_sign_in import MENUS

ROLES = ("ops", "privacy", "founder", "admin")


def open_page(page, title: str) -> None:
    open_page_on_any_screen(page, title)


def assert_clean(page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert "Traceback" not in page.content()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_its_pages(page, role):
    signed_in(page, role)
    expect(menu_links(page)).to_have_count(len(MENUS[role]))
    assert menu(page) == MENUS[role]


def test_a_forbidden_page_by_url_is_refused_in_words(page):
    sign_in(page, "founder@demo.zivo", path="/team")
    expect(page.get_by_text("may not open this page")).to_be_visible()
    expect(page.get_by_role("heading", name="Team")).to_have_count(0)


def test_signing_out_returns_to_the_sign_in_screen(page):
    signed_in(page, "ops")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_five_bad_passwords_lock_an_account_and_an_admin_unlocks_it(page, browser, app_url):
    for attempt in range(5):
        sign_in(page, "ops@demo.zivo", f"wrong {attempt}")
        expect(page.get_by_role("alert").last).to_contain_text(re.compile("do not match|locked"))
    sign_in(page, "ops@demo.zivo")
    expect(page.get_by_text("This account is locked")).to_be_visible()

    admin = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=app_url).new_page()
    signed_in(admin, "admin")
    open_page(admin, "Team")
    choose(admin, "Account", "ops@demo.zivo")
    confirm(admin, "Unlock")
    expect(admin.get_by_text(re.compile(r"Unlocked account \d+")).first).to_be_visible()
    admin.context.close()

    signed_in(page, "ops")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def _people(database_url: str) -> list[str]:
    """Every seeded data principal's email and phone."""
    engine = create_engine(database_url)
    columns = [contacts.c.email, contacts.c.phone, users.c.email, users.c.phone,
               rights_requests.c.subject_email, rights_requests.c.subject_phone]
    with engine.connect() as conn:
        found = conn.execute(union(*[select(column.label("value")).where(column.is_not(None))
                                     for column in columns])).scalars().all()
    engine.dispose()
    return [value for value in found if value]


def test_founders_see_no_personal_data_on_any_page(page, demo_database):
    people = _people(demo_database)
    assert people, "the demo has people to look for"
    signed_in(page, "founder")
    for spec in visible_to("founder"):
        open_page(page, spec.title)
        text = page.inner_text("body")
        leaked = [value for value in people if value in text]
        assert not leaked, f"{spec.title} shows personal data: {leaked[:3]}"


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["laptop", "phone"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_cleanly(browser, app_url, role, viewport):
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=app_url)
    page = context.new_page()
    signed_in_on_any_screen(page, role)
    for spec in visible_to(role):
        open_page_on_any_screen(page, spec.title)
        settled(page)
        assert_clean(page)
        shot(page, f"{role}-{spec.id}-{width}x{height}")
    context.close()


def signed_in_on_any_screen(page, role):
    sign_in(page, f"{role}@demo.zivo")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    settled(page)


def open_page_on_any_screen(page, title):
    """Open a page from the menu; on a phone the sidebar is collapsed: open it first."""
    if page.get_by_role("heading", name=title, level=1).count():
        return  # already there
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():
        expand.click()
    menu_links(page).filter(has_text=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    settled(page)
