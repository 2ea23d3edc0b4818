"""Attention: what needs a person today, per role, worst first. Pure rules over the rows
``queries.attention`` returns; no Streamlit, no I/O.

Each item says what it is, why it is on the list, and where it is fixed (a page id and
the URL filters that open the record there). Decisions:

- Who sees what (``KINDS``): requests, breach notices and purges go to the privacy
  officer; failing integrations and expiring tokens to ops; AI budgets to ops and
  founders. Admin sees every kind: an admin may act on all of those areas (roles.py
  PAGE_ACCESS), and on breaches and retention once those pages exist.
- No item carries personal data, for any role: a request is named by its reference, a
  workspace by its name, an incident by its id and title. The same list is mailed by the
  digest, and mail is a channel a reveal cannot be audited on.
- One item per record: a request both overdue and unassigned is one item, of its worst
  kind, whose reason says both.
- A link is offered only to a page that is built (``dashboard.navigation.PAGES``) and
  that the role may open, so nothing links to a missing or forbidden page. Until the
  retention and breach pages arrive, their items show without a link.
- Until the breach register records whether EU data principals are affected, the GDPR
  notice counts as required unless it is marked not required (``eu_affected``: the one
  place to switch).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Any
from urllib.parse import quote

import pandas as pd

from dashboard.auth.roles import access
from dashboard.clock import IST_OFFSET, format_duration, format_ist
from dashboard.policy import ai as ai_policy
from dashboard.policy import breach, retention
from dashboard.policy import integrations as health
from dashboard.policy.cells import plain
from dashboard.policy.providers import TOKEN_WARNING_DAYS

# Zivo's own: a request due within this many days (or overdue) needs someone today.
REQUEST_DUE_SOON_DAYS = 3
# A purge job in these states needs nobody: finished, under way, or stopped by a legal hold
# (the hold's own expiry brings it back).
PURGE_STATUSES_HANDLED = ("done", "running", "blocked")
# The incidents column the breach register adds for "EU data principals affected".
EU_AFFECTED_COLUMN = "eu_affected"
WORKSPACE_PAGE = "workspace"  # every item about one workspace also links to its 360 view


class Severity(IntEnum):
    """Worst first: a legal clock already missed, then one about to be, then the rest."""

    CRITICAL = 0
    HIGH = 1
    MEDIUM = 2
    LOW = 3

    @property
    def word(self) -> str:
        return self.name.lower()


PRIVACY_DESK = frozenset({"privacy", "admin"})
OPS_DESK = frozenset({"ops", "admin"})
BUDGET_WATCH = frozenset({"ops", "founder", "admin"})


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    severity: Severity
    roles: frozenset[str]
    source: str  # the query it comes from (queries.attention.Sources field)
    basis: str  # why this is the threshold: the law, or "Zivo's own"


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("breach_notice_overdue", "Breach notice overdue", Severity.CRITICAL, PRIVACY_DESK,
         "incidents", "dashboard.policy.breach NOTICES (CERT-In 6 h, DPDP Rules r.7, GDPR Art. 33)"),
    Kind("request_overdue", "Rights request overdue", Severity.CRITICAL, PRIVACY_DESK,
         "requests", "its statutory or target due date (dashboard.policy.requests)"),
    Kind("breach_notice_running", "Breach notice clock running", Severity.HIGH, PRIVACY_DESK,
         "incidents", "dashboard.policy.breach NOTICES"),
    Kind("integration_failing", "Integration failing", Severity.HIGH, OPS_DESK,
         "failing_integrations", "the health rules (dashboard.policy.integrations)"),
    Kind("purge_overdue", "Purge overdue", Severity.HIGH, PRIVACY_DESK,
         "purges", "privacy policy s.10: 90 days after closure (dashboard.policy.retention)"),
    Kind("request_due_soon", "Rights request due soon", Severity.HIGH, PRIVACY_DESK,
         "requests", f"due within {REQUEST_DUE_SOON_DAYS} days (Zivo's own)"),
    Kind("ai_over_budget", "AI over budget", Severity.MEDIUM, BUDGET_WATCH,
         "ai_usage", "the workspace's monthly budget (dashboard.policy.ai)"),
    Kind("purge_due", "Purge due this week", Severity.MEDIUM, PRIVACY_DESK,
         "purges", "due within 7 days (dashboard.policy.retention DUE_SOON; Zivo's own)"),
    Kind("token_expiring", "Token expiring", Severity.MEDIUM, OPS_DESK,
         "expiring_tokens", f"expires within {TOKEN_WARNING_DAYS} days (dashboard.policy.providers)"),
    Kind("request_unassigned", "Rights request unassigned", Severity.MEDIUM, PRIVACY_DESK,
         "requests", "open with nobody assigned (Zivo's own)"),
    Kind("ai_about_to_pass", "AI about to pass budget", Severity.LOW, BUDGET_WATCH,
         "ai_usage", f"{ai_policy.ALERT_SHARE:.0%} spent or projected past it (Zivo's own)"),
)}


def kinds_for(role: str) -> tuple[str, ...]:
    return tuple(key for key, kind in KINDS.items() if role in kind.roles)


def sources_for(role: str) -> tuple[str, ...]:
    """The queries a role's list needs, each once."""
    return tuple(dict.fromkeys(KINDS[key].source for key in kinds_for(role)))


@dataclass(frozen=True)
class Item:
    kind: str
    subject: str  # what it is about, without personal data
    why: str
    page: str  # the page id where it is fixed
    params: Mapping[str, str] = field(default_factory=dict)
    # Orders items of one severity, earliest first: a due date, or the last success of a
    # failing integration; None (no clock) last.
    clock_at: datetime | None = None
    # The workspace it concerns, for a second link to its Workspace 360 view.
    workspace_id: int | None = None

    @property
    def severity(self) -> Severity:
        return KINDS[self.kind].severity

    @property
    def title(self) -> str:
        return KINDS[self.kind].title


@dataclass(frozen=True)
class Link:
    page: str
    params: Mapping[str, str]

    @property
    def url(self) -> str:
        """The path and query, e.g. ``/rights_requests?reference=RR-1``."""
        query = "&".join(f"{key}={_quote(value)}" for key, value in self.params.items())
        return f"/{self.page}" + (f"?{query}" if query else "")


def _quote(value: str) -> str:
    return quote(str(value), safe="")


def link(item: Item, role: str, pages: Iterable[str]) -> Link | None:
    """Where the item is fixed, if that page is built and the role may open it."""
    if item.page not in set(pages) or access(role, item.page) is None:
        return None
    return Link(item.page, dict(item.params))


def workspace_link(item: Item, role: str, pages: Iterable[str]) -> Link | None:
    """The Workspace 360 view of the item's workspace, if built and the role may open it."""
    if item.workspace_id is None or WORKSPACE_PAGE not in set(pages) or access(role, WORKSPACE_PAGE) is None:
        return None
    return Link(WORKSPACE_PAGE, {"workspace": str(item.workspace_id)})


def _workspace_id(row: Mapping[str, Any]) -> int | None:
    value = plain(row.get("workspace_id"))
    return None if value is None else int(value)


def for_role(items: Iterable[Item], role: str) -> list[Item]:
    """The role's items, worst first: severity, then the nearest clock, then the subject."""
    mine = [item for item in items if role in KINDS[item.kind].roles]
    return sorted(mine, key=lambda item: (item.severity, item.clock_at is None,
                                          item.clock_at or datetime.max, item.subject))


# --- the rules, one per source ----------------------------------------------------------------


def _days(n: int) -> str:
    return f"{n} day" + ("" if abs(n) == 1 else "s")


def from_requests(rows: pd.DataFrame, now: datetime) -> list[Item]:
    items = []
    for row in rows.to_dict("records"):
        left = None if pd.isna(row["days_left"]) else int(row["days_left"])
        unassigned = bool(row["unassigned"])
        if left is not None and left < 0:
            kind, why = "request_overdue", f"Overdue by {_days(-left)}."
        elif left is not None and left <= REQUEST_DUE_SOON_DAYS:
            kind, why = "request_due_soon", ("Due today." if left == 0 else f"Due in {_days(left)}.")
        elif unassigned:
            kind, why = "request_unassigned", "Nobody is assigned to it."
        else:
            continue
        if unassigned and kind != "request_unassigned":
            why += " Nobody is assigned to it."
        what = row["request_type"].replace("_", " ")
        where = f", workspace {row['workspace']}" if isinstance(row["workspace"], str) else ""
        items.append(Item(kind, f"{row['reference']} ({what}{where})", why, "rights_requests",
                          {"reference": row["reference"], "request": str(int(row["id"]))},
                          clock_at=None if left is None else now + timedelta(days=left),
                          workspace_id=_workspace_id(row)))
    return items


def from_failing_integrations(rows: pd.DataFrame, now: datetime) -> list[Item]:
    items = []
    for row in rows.to_dict("records"):
        verdict = health.classify(health.signals_from(row), now)
        if verdict.state is not health.State.FAILING:
            continue  # the SQL and the rules agree (tests), but the rules have the last word
        name = health.provider(row["provider"]).name
        items.append(Item("integration_failing", f"{name} of {row['workspace']} (#{row['id']})",
                          f"{verdict.reason} {verdict.action}".strip(), "integrations",
                          {"q": str(int(row["id"])), "integration": str(int(row["id"]))},
                          clock_at=_moment(row.get("last_success_at")),
                          workspace_id=_workspace_id(row)))
    return items


def _moment(value: Any) -> datetime | None:
    value = plain(value)
    return value if isinstance(value, datetime) else None


def from_expiring_tokens(rows: pd.DataFrame, now: datetime) -> list[Item]:
    items = []
    for row in rows.to_dict("records"):
        expires = _moment(row["token_expires_at"])
        name = health.provider(row["provider"]).name
        items.append(Item("token_expiring", f"{name} of {row['workspace']} (#{row['id']})",
                          f"Its access token expires in {format_duration(expires - now)}, on "
                          f"{format_ist(expires)} IST. "
                          f"{health.provider(row['provider']).reconnect}",
                          "integrations",
                          {"q": str(int(row["id"])), "integration": str(int(row["id"]))},
                          clock_at=expires, workspace_id=_workspace_id(row)))
    return items


def eu_affected(row: Mapping[str, Any]) -> bool:
    """Whether EU data principals are affected. Until the breach register records it, an
    incident counts as affecting them: the GDPR notice is then required unless it is
    marked not required, which ``breach.clock`` honours."""
    value = plain(row.get(EU_AFFECTED_COLUMN))
    return True if value is None else bool(value)


def from_incidents(rows: pd.DataFrame, now: datetime) -> list[Item]:
    items = []
    for row in rows.to_dict("records"):
        aware_at = _moment(row["aware_at"])
        for notice in breach.NOTICES:
            state = breach.clock(
                notice, aware_at=aware_at, notified_at=_moment(row[f"{notice.key}_notified_at"]),
                not_required_reason=plain(row[f"{notice.key}_not_required_reason"]),
                eu_affected=eu_affected(row), now=now)
            if state.state is breach.NoticeState.OVERDUE:
                kind = "breach_notice_overdue"
                why = f"Was due {format_ist(state.due_at)} IST, {format_duration(now - state.due_at)} ago"
            elif state.state is breach.NoticeState.RUNNING:
                kind = "breach_notice_running"
                why = f"Due {format_ist(state.due_at)} IST, in {format_duration(state.due_at - now)}"
            else:
                continue
            items.append(Item(kind, f"Incident #{int(row['id'])} {row['title']}: {notice.title}",
                              f"{why} ({notice.source}).", "breaches",
                              {"incident": str(int(row["id"]))}, clock_at=state.due_at))
    return items


def from_purges(rows: pd.DataFrame, now: datetime) -> list[Item]:
    items = []
    for row in rows.to_dict("records"):
        due = _moment(row["due_at"]) or retention.purge_due_at(_moment(row["closed_at"]))
        if due > now + retention.DUE_SOON:
            continue
        notice_by = retention.notice_due_at(due)
        if due <= now:
            kind, why = "purge_overdue", f"Was due {format_ist(due)} IST, {format_duration(now - due)} ago."
        else:
            kind, why = "purge_due", f"Due {format_ist(due)} IST, in {format_duration(due - now)}."
        if row["status"] == "unscheduled":
            why += f" No purge is scheduled (closed {format_ist(_moment(row['closed_at']))} IST)."
        elif row["status"] == "failed":
            why += " The last run failed."
        if _moment(row["notice_sent_at"]) is None and row["status"] != "failed":
            why += f" The pre-erasure notice is not sent: it must go by {format_ist(notice_by)} IST."
        items.append(Item(kind, f"Purge of {row['workspace']} (workspace #{int(row['workspace_id'])})",
                          why, "retention", {"workspace": str(int(row["workspace_id"]))},
                          clock_at=due, workspace_id=_workspace_id(row)))
    return items


def from_ai_usage(rows: pd.DataFrame, now: datetime) -> list[Item]:
    if rows.empty:
        return []
    spent = rows  # one row per budgeted workspace, priced in SQL
    budgets = rows.groupby(["workspace_id", "workspace"], as_index=False)["monthly_budget_usd"].first()
    budgets = budgets.assign(ai_enabled=True, version=0)
    standing = ai_policy.needing_attention(ai_policy.budget_standing(spent, budgets, _ist_month(now), now))
    items = []
    for row in standing.to_dict("records"):
        kind = "ai_over_budget" if row["status"] == "over" else "ai_about_to_pass"
        why = (f"Spent ${row['spent_usd']:,.2f} of its ${row['monthly_budget_usd']:,.2f} monthly "
               f"budget ({row['used_share']:.0%}); on pace for ${row['projected_usd']:,.2f}.")
        if unpriced := int(row["unpriced_calls"]):
            why += (f" {unpriced} call{' is' if unpriced == 1 else 's are'} unpriced, so it has "
                    "spent at least this.")
        ws_id = int(row["workspace_id"])
        items.append(Item(kind, row["workspace"], why, "ai_usage",
                          {"ws": f"{row['workspace']} (#{ws_id})"}, workspace_id=ws_id))
    return items


def _ist_month(now: datetime) -> date:
    return (now + IST_OFFSET).date().replace(day=1)


RULES = {
    "requests": from_requests,
    "failing_integrations": from_failing_integrations,
    "expiring_tokens": from_expiring_tokens,
    "incidents": from_incidents,
    "purges": from_purges,
    "ai_usage": from_ai_usage,
}


def items(sources: Any, role: str, now: datetime) -> list[Item]:
    """The role's Attention list from ``queries.attention.Sources``, worst first."""
    found = [item for name in sources_for(role) for item in RULES[name](getattr(sources, name), now)]
    return for_role(found, role)


def as_text(listed: list[Item], role: str, pages: Iterable[str], base_url: str = "") -> str:
    """The list as plain text, for the digest: one line an item with its link."""
    pages = list(pages)
    lines = []
    for item in listed:
        where = link(item, role, pages)
        lines.append(f"- [{item.severity.word}] {item.title}: {item.subject}. {item.why}"
                     + (f"\n  {base_url.rstrip('/')}{where.url}" if where else ""))
    return "\n".join(lines)


def overdue_notices(incidents: pd.DataFrame, now: datetime) -> int:
    """How many breach notices are past their clock, over ``queries.attention.incidents_open``."""
    return sum(item.kind == "breach_notice_overdue" for item in from_incidents(incidents, now))
