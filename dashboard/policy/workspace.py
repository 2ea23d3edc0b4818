"""Workspace 360: where each section of one workspace's view links to, and the retention
standing it shows. Pure rules; no Streamlit, no I/O.

Decisions:
- Each section links to its page filtered to this workspace (``SECTION_LINKS``): by id
  on Integration health, Data flows, the Audit log (its integrations and requests too)
  and Retention; AI usage by its "name (#id)" option; the rights-request queue by the
  workspace's name, the one workspace filter it has (its menu lists workspaces with open
  requests), as that page is being changed elsewhere.
- A link is offered only to a built page the role may open (``attention.link``).
- The owner's email is shown masked to privacy and admin, and not at all to ops and
  founders (``shows_owner``); requests appear by reference, type and state only, and to
  founders as counts (their access to requests and retention is "counts only"): they and
  ops see the retention standing and the count of holds, not the jobs and holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from dashboard.auth import masking
from dashboard.auth.roles import REVEALS_PERSONAL_DATA
from dashboard.clock import format_ist
from dashboard.policy import retention
from dashboard.policy.attention import Item, Link, link

SECTION_LINKS: dict[str, tuple[str, str]] = {
    # section -> (page id, title of the link)
    "integrations": ("integrations", "Open in Integration health"),
    "data_flows": ("data_flows", "Open in Data flows"),
    "rights_requests": ("rights_requests", "Open in Rights requests"),
    "retention": ("retention", "Open in Retention"),
    "ai_usage": ("ai_usage", "Open in AI usage"),
    "audit_log": ("audit_log", "Open in the Audit log"),
}


def _params(section: str, workspace_id: int, name: str) -> dict[str, str]:
    return {
        "integrations": {"workspace": str(workspace_id)},
        "data_flows": {"workspace": str(workspace_id)},
        "rights_requests": {"workspace": name},
        "retention": {"workspace": str(workspace_id)},
        "ai_usage": {"ws": f"{name} (#{workspace_id})"},
        "audit_log": {"workspace": str(workspace_id)},
    }[section]


def section_link(section: str, workspace_id: int, name: str, role: str,
                 pages: Iterable[str]) -> Link | None:
    page, _ = SECTION_LINKS[section]
    return link(Item("section", name, "", page, _params(section, workspace_id, name)), role, pages)


def shows_owner(role: str) -> bool:
    """Only the roles that may reveal personal data see the owner's email, masked."""
    return role in REVEALS_PERSONAL_DATA


def summary(profile: Mapping[str, Any], role: str) -> str:
    """The one line under the workspace's name: plan, status, country, dates, and the
    owner's email masked for the roles that may see it."""
    parts = [f"Plan **{profile['plan']}**", f"status **{profile['status']}**",
             f"country {profile['country']}",
             f"created {format_ist(profile['created_at'], '%d %b %Y')}"]
    if profile.get("closed_at") is not None and not pd.isna(profile["closed_at"]):
        parts.append(f"closed {format_ist(profile['closed_at'], '%d %b %Y')}")
    if shows_owner(role):
        parts.append(f"owner {masking.email(profile['owner_email'])}")
    return " · ".join(parts)


@dataclass(frozen=True)
class RetentionStanding:
    purge_due_at: datetime | None  # None: not closed, so nothing is due
    notice_due_at: datetime | None
    state: str  # "not closed" / "purge scheduled" / "purge due" / "purge overdue" / "purged"
    holds_in_force: int
    categories_held: tuple[str, ...]


def retention_standing(profile: Mapping[str, Any], jobs: pd.DataFrame, holds: pd.DataFrame,
                       now: datetime) -> RetentionStanding:
    """Where the workspace stands against the purge rule (closure + 90 days, notice 48 h
    before) and the holds in force (not released, not expired)."""
    in_force = holds[holds["released_at"].isna()
                     & (holds["expires_at"].isna() | (pd.to_datetime(holds["expires_at"]) > now))]
    held = tuple(sorted({c.strip() for cats in in_force["categories"] for c in str(cats).split(",")
                         if c.strip()}))
    closed_at = profile.get("closed_at")
    if closed_at is None or pd.isna(closed_at):
        return RetentionStanding(None, None, "not closed", len(in_force), held)
    latest = jobs.iloc[0] if not jobs.empty else None
    due = (pd.Timestamp(latest["due_at"]).to_pydatetime() if latest is not None
           else retention.purge_due_at(closed_at))
    if latest is not None and latest["status"] == "done":
        state = "purged"
    elif due <= now:
        state = "purge overdue"
    elif due <= now + retention.DUE_SOON:
        state = "purge due"
    else:
        state = "purge scheduled" if latest is not None else "purge not yet scheduled"
    return RetentionStanding(due, retention.notice_due_at(due), state, len(in_force), held)
