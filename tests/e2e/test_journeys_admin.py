"""In a real browser, the admin's journey from the Overview: an Attention item about one
workspace opens that workspace's 360 view. (Unlocking an account is in the access
journeys, after the lockout it undoes.)"""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from dashboard.db import engine_for
from dashboard.schema import workspaces
from tests.e2e.conftest import settled, signed_in


def test_admin_opens_a_workspaces_360_view_from_the_attention_list(page, demo_database):
    signed_in(page, "admin")
    attention = page.locator("#stMain")
    expect(attention.get_by_role("heading", name="Needs attention today")).to_be_visible()

    first = attention.get_by_role("link", name="Workspace 360").first
    workspace_id = int(re.search(r"workspace=(\d+)", first.get_attribute("href")).group(1))
    with engine_for(demo_database).connect() as conn:
        name = conn.execute(select(workspaces.c.name).where(workspaces.c.id == workspace_id)).scalar_one()
    first.click()

    expect(page.get_by_role("heading", name="Workspace 360", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"workspace={workspace_id}\b"))
    expect(page.get_by_role("heading", name=f"{name} (#{workspace_id})")).to_be_visible()
    settled(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
