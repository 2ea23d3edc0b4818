"""The Overview's Attention list: each role sees exactly its items, worst first, each with
why and a link to where it is fixed; and the tiles for overdue breach notices and purges."""

from __future__ import annotations

import pytest

from dashboard.policy import attention
from tests.attention_fixture import NOW, build
from tests.pages.conftest import signed_in

TITLES = tuple(kind.title for kind in attention.KINDS.values())


@pytest.fixture
def fx(app_db, monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())
    return build(app_db)


def listed(at) -> list[str]:
    """The Attention items as shown: '<title>: <subject>', in order."""
    shown = []
    for block in at.markdown:
        for title in TITLES:
            marker = f"**{title}:** "
            if marker in block.value:
                shown.append(f"{title}: " + block.value.split(marker, 1)[1].split(". ", 1)[0])
    return shown


def links(at) -> list[str]:
    """The items' links (the menu's page links have no label "Open") as page?query."""
    return [f"{e.proto.page}?{e.proto.query_string}" for e in at.get("page_link")
            if e.proto.label == "Open"]


def test_the_privacy_officer_sees_requests_breach_notices_and_purges(fx):
    at = signed_in("privacy")

    assert listed(at) == [
        "Rights request overdue: RR-2026-00001 (access, workspace Acme Traders)",
        f"Breach notice overdue: Incident #{fx.incident} Leaked export link: CERT-In report",
        f"Purge overdue: Purge of Gone Ltd (workspace #{fx.purge_job_workspace})",
        f"Breach notice clock running: Incident #{fx.incident} Leaked export link: "
        "Data Protection Board: intimation",
        "Rights request due soon: RR-2026-00002 (access, workspace Acme Traders)",
        f"Purge due this week: Purge of Closing Soon Pvt (workspace #{fx.closed_workspace})",
        "Rights request unassigned: RR-2026-00003 (access, workspace Quiet Co)",
    ]
    # Each links to its record where it is fixed.
    assert links(at) == [
        "rights_requests?reference=RR-2026-00001&request=1",
        f"breaches?incident={fx.incident}",
        f"retention?workspace={fx.purge_job_workspace}",
        f"breaches?incident={fx.incident}",
        "rights_requests?reference=RR-2026-00002&request=2",
        f"retention?workspace={fx.closed_workspace}",
        "rights_requests?reference=RR-2026-00003&request=3",
    ]


def test_ops_sees_failing_integrations_expiring_tokens_and_ai_budgets(fx):
    at = signed_in("ops")

    assert listed(at) == [
        f"Integration failing: Meta Lead Ads of Acme Traders (#{fx.failing_integration})",
        f"Token expiring: Google of Quiet Co (#{fx.expiring_integration})",
        "AI over budget: Spendy AI",
        "AI about to pass budget: Careful AI",
    ]
    assert links(at) == [
        f"integrations?q={fx.failing_integration}&integration={fx.failing_integration}",
        f"integrations?q={fx.expiring_integration}&integration={fx.expiring_integration}",
        f"ai_usage?ws=Spendy+AI+%28%23{fx.over_budget_workspace}%29",
        f"ai_usage?ws=Careful+AI+%28%23{fx.about_to_pass_workspace}%29",
    ]


def test_founders_see_only_the_ai_budgets_and_no_personal_data(fx):
    at = signed_in("founder")

    assert listed(at) == ["AI over budget: Spendy AI", "AI about to pass budget: Careful AI"]
    shown = " ".join(block.value for block in at.markdown)
    assert "RR-2026" not in shown and "@" not in shown


def test_admin_sees_every_item(fx):
    at = signed_in("admin")
    at.toggle(key="attention-more").set_value(True).run()  # 11 items: the last one waits

    assert len(listed(at)) == 11
    assert {item.split(":", 1)[0] for item in listed(at)} == set(TITLES)


def test_the_tiles_count_the_overdue_breach_notices_and_purges(fx):
    at = signed_in("privacy")

    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Overdue breach notices"] == "1"  # CERT-In
    assert tiles["Overdue purges"] == "1"  # Gone Ltd; Closing Soon is due in 5 days


def test_ops_has_no_breach_or_purge_tiles(fx):
    at = signed_in("ops")

    assert "Overdue purges" not in {m.label for m in at.metric}


def test_with_nothing_to_do_the_list_says_so(app_db, monkeypatch):
    monkeypatch.setenv("ZIVO_NOW", NOW.isoformat())
    at = signed_in("founder")

    assert "Nothing needs you today." in [s.value for s in at.success]


def test_past_the_first_items_the_rest_are_drawn_only_when_asked_for(fx, monkeypatch):
    from dashboard.ui import attention as attention_view

    everything = listed(signed_in("privacy"))
    monkeypatch.setattr(attention_view, "SHOWN", 3)
    at = signed_in("privacy")
    assert listed(at) == everything[:3]
    more = at.toggle(key="attention-more")
    assert more.label == f"Show the {len(everything) - 3} more"
    more.set_value(True).run()
    assert listed(at) == everything
