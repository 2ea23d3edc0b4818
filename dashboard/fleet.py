"""The integration fleet: every integration's signals classified by the health rules, the
counts per provider and state, the worst-first list, and per-provider rates and funnels.

Pure functions over the frames ``queries.integrations`` returns (``listing`` and ``one``
run those queries and classify, so the page caches the classified result); the rules
themselves are ``dashboard.policy.integrations``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import clock
from dashboard.policy import integrations as health
from dashboard.policy.cells import plain
from dashboard.policy.messaging import FUNNELS, LOST
from dashboard.policy.providers import KIND_WORDS, PROVIDER_IDS, PROVIDERS
from dashboard.rollups import REFRESH_MINUTES
from queries import integrations as integrations_q

def classify(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """``frame`` (signals from ``queries.integrations``) with each integration's state,
    reason and action by the rules, and seconds since its last event. The rules' state
    replaces the one SQL computed: they agree (tests/test_integrations_queries.py), and the
    reason comes from the rules."""
    out = frame.copy()
    verdicts = [health.classify(health.signals_from(row), now) for row in frame.to_dict("records")]
    out["state"] = [v.state.value for v in verdicts]
    out["reason"] = [v.reason for v in verdicts]
    out["action"] = [v.action for v in verdicts]
    out["silent_s"] = (now - pd.to_datetime(frame["last_event_at"])).dt.total_seconds()
    return out


def listing(engine: Engine, now: datetime, provider: str | None = None, state: str | None = None,
            search: str | None = None, workspace_id: int | None = None) -> pd.DataFrame:
    """The worst-first list (``queries.integrations.listing``), classified."""
    return classify(integrations_q.listing(engine, now, provider=provider, state=state,
                                           search=search, workspace_id=workspace_id), now)


def one(engine: Engine, now: datetime, integration_id: int) -> dict[str, Any] | None:
    """One integration's classified row (missing values as None), or None when there is no
    such integration."""
    rows = classify(integrations_q.signals(engine, now, integration_id), now).to_dict("records")
    return {key: plain(value) for key, value in rows[0].items()} if rows else None


def baselines_note(as_of: datetime | None, now: datetime) -> str:
    """What the page says about the usual gaps it judged silence by (dashboard/rollups.py)."""
    if as_of is None:
        return ("No usual gaps yet: `python -m dashboard rollups` has not run on this database, "
                "so silence is not judged.")
    note = f"Usual gaps as of {clock.format_ist(as_of)} IST (refreshed hourly)."
    if now - as_of > timedelta(minutes=2 * REFRESH_MINUTES):
        note += " That is late: check that the hourly `python -m dashboard rollups` runs."
    return note


def pick_options(listed: pd.DataFrame, linked: dict[str, Any] | None) -> pd.DataFrame:
    """The integrations a picker offers: those listed, plus the one a link names even when
    the filters leave it out, so a deep link always opens. Adds ``label``: '#12 · Meta Lead
    Ads · Acme Realty · failing'."""
    options = listed
    if linked is not None and linked["id"] not in set(listed["id"]):
        options = pd.concat([listed, pd.DataFrame([linked])], ignore_index=True)
    options = options.reset_index(drop=True)
    options["label"] = [f"#{row['id']} · {provider_name(row['provider'])} · {row['workspace']} · "
                        f"{row['state']}" for row in options.to_dict("records")]
    return options


def counts(state_counts: pd.DataFrame) -> pd.DataFrame:
    """Integrations per provider (rows, every provider) and state (columns, worst first),
    from ``queries.integrations.state_counts``."""
    table = (
        state_counts.pivot_table(index="provider", columns="state", values="integrations",
                                 aggfunc="sum", fill_value=0)
        .reindex(index=list(PROVIDER_IDS), columns=[s.value for s in health.WORST_FIRST],
                 fill_value=0)
    )
    table.index.name, table.columns.name = "provider", None
    return table.astype(int)


def state_totals(state_counts: pd.DataFrame, provider: str | None = None) -> dict[str, int]:
    """How many integrations are in each state (every state, zeros included), of one
    provider or of all."""
    table = counts(state_counts)
    row = table.loc[provider] if provider else table.sum()
    return {state: int(row[state]) for state in table.columns}


def provider_name(provider_id: str) -> str:
    spec = PROVIDERS.get(provider_id)
    return spec.name if spec else provider_id


def explain_codes(provider_id: str, frame: pd.DataFrame) -> pd.DataFrame:
    """An error-code frame with each code's meaning, kind and fix from the catalog."""
    out = frame.copy()
    known = [health.explain(provider_id, code) for code in frame["error_code"]]
    out["meaning"] = [k.meaning if k else "Not in the catalog" for k in known]
    out["kind"] = [KIND_WORDS[k.kind] if k else "unknown" for k in known]
    out["action"] = [k.action if k else health.UNKNOWN_CODE_ACTION for k in known]
    out["source"] = [k.source if k else "" for k in known]
    return out


def provider_rates(summary: pd.DataFrame) -> pd.DataFrame:
    """``queries.integrations.provider_summary`` with success and error rates, every
    provider present (zeros for one without events)."""
    out = (summary.set_index("provider").reindex(list(PROVIDER_IDS)).reset_index())
    counts = ["events", "ok", "failed", "retrying", "dead", "integrations"]
    out[counts] = out[counts].fillna(0).astype(int)
    events = out["events"].where(out["events"] > 0)
    out["success_rate"] = out["ok"] / events
    out["error_rate"] = (out["failed"] + out["dead"]) / events
    out["name"] = out["provider"].map(provider_name)
    return out


def funnel(channel: str, statuses: pd.DataFrame) -> pd.DataFrame:
    """The channel's delivery funnel from message counts by status (``message_statuses``):
    each stage's messages and share of those sent. Columns: stage, messages, share."""
    by_status = dict(zip(statuses["status"], statuses["messages"], strict=True))
    sent = sum(by_status.values())
    rows = []
    for stage, reached in FUNNELS[channel]:
        count = sent if reached is None else sum(by_status.get(s, 0) for s in reached)
        rows.append({"stage": stage, "messages": int(count), "share": count / sent if sent else None})
    return pd.DataFrame(rows, columns=["stage", "messages", "share"])


def lost(channel: str, statuses: pd.DataFrame) -> pd.DataFrame:
    """How the channel's messages were lost, in words, with each outcome's share of those
    sent. Columns: outcome, messages, share."""
    by_status = dict(zip(statuses["status"], statuses["messages"], strict=True))
    sent = sum(by_status.values())
    rows = [{"outcome": words, "messages": int(by_status.get(status, 0)),
             "share": by_status.get(status, 0) / sent if sent else None}
            for status, words in LOST[channel].items()]
    return pd.DataFrame(rows, columns=["outcome", "messages", "share"])
