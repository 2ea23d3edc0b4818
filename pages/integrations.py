"""Integration health: every integration's state, the reason in words and the action that
fixes it; per provider, volumes, error codes with their meaning, latency and delivery; one
integration's story; and, for ops and admins, the actions that fix it, through the core.

Workspaces and integrations are business records; no contact is shown. The page redraws
itself every HEALTH_REFRESH_SECONDS; filters and the chosen integration stay in the URL.
"""

import streamlit as st

from dashboard import clock, fleet
from dashboard import settings as settings_module
from dashboard.auth.roles import Access, access
from dashboard.auth.session import require_role
from dashboard.metrics import Figure
from dashboard.policy import integrations as health
from dashboard.policy.providers import (
    DELIVERY_DAYS,
    PROVIDER_IDS,
    PROVIDERS,
    RECENT_HOURS,
    TOKEN_WARNING_DAYS,
)
from dashboard.ui import data, filters, format, refresh, tables
from dashboard.ui import integration_charts as charts
from dashboard.ui.actions import Action, actor, core, offer
from dashboard.ui.kpis import Kpi, kpi_row
from queries import integrations as integrations_q

user = require_role("integrations")
acts = access(user.role, "integrations") is Access.ACT
me = actor(user)
NAMES = {provider_id: fleet.provider_name(provider_id) for provider_id in PROVIDER_IDS}
SHORT = "%d %b %y, %H:%M"

st.title("Integration health")
st.caption(
    "Failing needs a person (auth or account faults, an expired token); degraded is passing "
    f"trouble or a warning. Health is judged on the last {RECENT_HOURS} h of events and "
    f"{DELIVERY_DAYS} days of messages; the period drives the provider figures and an "
    "integration's timeline."
)

shown = filters.view("View", {"integrations": "Integrations", "providers": "Providers"})
window = filters.date_window(default_days=7)
left, middle, right = st.columns(3)
provider = filters.choice(left, "Provider", list(PROVIDER_IDS), key="provider", format_func=NAMES.get)
state = filters.choice(middle, "State", [s.value for s in health.WORST_FIRST], key="state",
                       all_label="Every state but healthy", format_func=format.state_word)
search = filters.text(right, "Workspace or integration id", key="q")
workspace_id = filters.record_id(st.columns(3)[0], "Workspace id", key="workspace")
every = refresh.every(settings_module.load().health_refresh_seconds)


def now_minute():
    return clock.utcnow().replace(second=0, microsecond=0)


def not_healthy_table(listed):
    shown = listed.assign(
        state=lambda f: f["state"].map(format.state_word),
        provider=lambda f: f["provider"].map(NAMES),
        silent=lambda f: f["silent_s"].map(format.duration_s),
        usual_gap=lambda f: f["usual_gap_s"].map(format.duration_s),
    )
    columns = ["id", "state", "provider", "workspace", "reason", "action", "last_success_at",
               "silent", "usual_gap", "token_expires_at"]
    if user.sees_free_text:
        columns.append("disconnect_reason")
    st.dataframe(
        tables.ist_times(shown[columns], "last_success_at", "token_expires_at"),
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("Integration", format="#%d"),
            "state": "State",
            "provider": "Provider",
            "workspace": "Workspace",
            "reason": st.column_config.TextColumn("Why", width="large"),
            "action": st.column_config.TextColumn("What fixes it", width="large"),
            "last_success_at": st.column_config.DatetimeColumn("Last success (IST)", format="D MMM, HH:mm"),
            "silent": "Silent for",
            "usual_gap": st.column_config.TextColumn("Usual gap", help="9 in 10 gaps between its events are shorter"),
            "token_expires_at": st.column_config.DatetimeColumn("Token expires (IST)", format="D MMM YYYY"),
            "disconnect_reason": "Reason given at disconnection",
        },
    )
    matched = int(listed["matched"].iloc[0])
    if matched > len(listed):
        st.caption(f"The worst {len(listed)} of {matched} are shown; a provider, state or search narrows the list.")


@every
def fleet_view(provider, state, search, workspace_id):
    now = now_minute()
    counts = data.load(integrations_q.state_counts, now)
    kpi_row([Kpi(format.state_badge(name), Figure(count, None), format.count)
             for name, count in fleet.state_totals(counts, provider).items()])
    st.plotly_chart(charts.fleet_by_provider(fleet.counts(counts), NAMES), width="stretch")
    listed = data.load(fleet.listing, now, provider, state, search, workspace_id)
    st.subheader("Needs attention" if state is None and not search and workspace_id is None
                 else "Integrations")
    if listed.empty:
        st.success("Nothing to show: every integration in this view is healthy.")
    else:
        not_healthy_table(listed)
    st.caption(fleet.baselines_note(data.load(integrations_q.baselines_as_of), now))


@every
def providers_view(window, provider):
    st.subheader(f"Providers, {window.label()}")
    rates = fleet.provider_rates(data.load(integrations_q.provider_summary, window))
    st.dataframe(
        rates[["name", "events", "success_rate", "error_rate", "retrying", "p50_ms", "p95_ms", "integrations"]],
        hide_index=True,
        width="stretch",
        column_config={
            "name": "Provider",
            "events": "Events",
            "success_rate": st.column_config.NumberColumn("Succeeded", format="percent"),
            "error_rate": st.column_config.NumberColumn("Failed", format="percent", help="Failed or dead (retries exhausted)"),
            "retrying": "Retrying now",
            "p50_ms": st.column_config.NumberColumn("p50 latency (ms)", format="%.0f"),
            "p95_ms": st.column_config.NumberColumn("p95 latency (ms)", format="%.0f"),
            "integrations": "Integrations with events",
        },
    )
    if provider is not None:
        one_provider(window, provider)
    expiring = data.load(integrations_q.expiring_tokens, now_minute(), provider)
    st.subheader(f"Tokens expiring in the next {TOKEN_WARNING_DAYS} days")
    if expiring.empty:
        st.caption("None.")
    else:
        st.dataframe(
            tables.ist_times(expiring.assign(provider=expiring["provider"].map(NAMES)), "token_expires_at"),
            hide_index=True,
            width="stretch",
            column_config={
                "id": st.column_config.NumberColumn("Integration", format="#%d"),
                "provider": "Provider", "workspace": "Workspace", "status": "Status",
                "token_expires_at": st.column_config.DatetimeColumn("Expires (IST)", format="D MMM, HH:mm"),
            },
        )


def one_provider(window, provider):
    spec = PROVIDERS[provider]
    st.subheader(f"{spec.name}: {spec.purpose}")
    volume = data.load(integrations_q.volume_by_day, window, provider)
    st.plotly_chart(charts.events_by_day(volume, f"{spec.name} events per day"), width="stretch")
    codes = fleet.explain_codes(provider, data.load(integrations_q.error_codes, window, provider))
    st.markdown("**Error codes**")
    if codes.empty:
        st.caption("No errors in the period.")
    else:
        st.dataframe(
            tables.ist_times(codes, "last_at"),
            hide_index=True,
            width="stretch",
            column_config={
                "error_code": "Code", "events": "Events", "integrations": "Integrations",
                "last_at": st.column_config.DatetimeColumn("Last (IST)", format="D MMM, HH:mm"),
                "meaning": st.column_config.TextColumn("Meaning", width="large"),
                "kind": "Kind", "action": st.column_config.TextColumn("What fixes it", width="large"),
                "source": st.column_config.TextColumn("Source"),
            },
        )
    if spec.bounce and spec.complaint:
        st.caption(f"{spec.name}'s own lines: bounces under {spec.bounce.failing:.0%} and spam "
                   f"complaints under {spec.complaint.failing:.2%} of emails sent.")
    if spec.channel is None:
        return
    statuses = data.load(integrations_q.message_statuses, window, provider)
    funnel, lost = fleet.funnel(spec.channel, statuses), fleet.lost(spec.channel, statuses)
    chart, losses = st.columns([3, 2])
    chart.plotly_chart(charts.delivery_funnel(funnel, f"{spec.name} delivery"), width="stretch")
    losses.dataframe(lost, hide_index=True, width="stretch", column_config={
        "outcome": "Lost as", "messages": "Messages",
        "share": st.column_config.NumberColumn("Of sent", format="percent")})
    if provider == "whatsapp":
        st.markdown("**Templates** (worst delivery first)")
        st.dataframe(data.load(integrations_q.template_quality, window), hide_index=True, width="stretch",
                     column_config={"template": "Template", "sent": "Sent", "delivered": "Delivered",
                                    "read": "Read", "failed": "Failed",
                                    "quality_limited": st.column_config.NumberColumn(
                                        "Held back for quality", help="131049, 132015, 132016")})


@every
def integration_view(integration_id, window):
    now = now_minute()
    row = data.load(fleet.one, now, integration_id)
    if row is None:
        st.warning(f"Integration #{integration_id} no longer exists.")
        return
    signals = health.signals_from(row)
    verdict = health.classify(signals, now)
    st.subheader(f"#{integration_id} · {NAMES[row['provider']]} · {row['workspace']}")
    tone = {"failing": st.error, "degraded": st.warning, "healthy": st.success}.get(verdict.state, st.info)
    tone(f"**{format.state_badge(verdict.state)}**: {verdict.reason}"
         + (f"  \n**What fixes it:** {verdict.action}" if verdict.action else ""))
    for finding in verdict.findings[1:]:
        st.caption(f"Also {format.state_word(finding.state).lower()}: {finding.reason} {finding.action}")
    a, b, c, d = st.columns(4)
    a.metric("Status", row["status"])
    b.metric("Last success (IST)", clock.format_ist(signals.last_success_at, SHORT))
    c.metric("Silent for", format.duration_s(row["silent_s"]),
             help=f"Usual gap: {format.duration_s(row['usual_gap_s'])}")
    d.metric("Token expires (IST)", clock.format_ist(signals.token_expires_at, SHORT))
    if user.sees_free_text and signals.status == "disconnected" and row["disconnect_reason"]:
        st.caption(f"Reason given at disconnection: {row['disconnect_reason']}")
    timeline = data.load(integrations_q.timeline, integration_id, window)
    st.plotly_chart(charts.events_by_day(timeline, "Its events per day"), width="stretch")
    failures = data.load(integrations_q.recent_failures, integration_id)
    st.markdown("**Recent failures** (newest first)")
    if failures.empty:
        st.caption("None.")
    else:
        failures = failures.assign(meaning=[health.describe(row["provider"], code) for code in failures["error_code"]])
        st.dataframe(tables.ist_times(failures, "occurred_at"), hide_index=True, width="stretch",
                     column_config={"id": None,
                                    "occurred_at": st.column_config.DatetimeColumn("When (IST)", format="D MMM, HH:mm:ss"),
                                    "kind": "Event", "status": "Outcome", "error_code": "Code",
                                    "attempt": "Attempts", "latency_ms": "Latency (ms)",
                                    "meaning": st.column_config.TextColumn("Meaning", width="large")})
    actions = data.load(integrations_q.recent_actions, integration_id)
    if not actions.empty:
        st.markdown("**Recent actions on it**")
        st.dataframe(tables.ist_times(actions, "at"), hide_index=True, width="stretch",
                     column_config={"at": st.column_config.DatetimeColumn("When (IST)", format="D MMM, HH:mm"),
                                    "actor": "By", "actor_role": "Role", "action": "Action", "outcome": "Outcome"})


def integration_actions(integration_id):
    now = now_minute()
    row = data.load(fleet.one, now, integration_id)
    if row is None:
        return
    signals = health.signals_from(row)
    seen = {"expected_version": int(row["version"])}
    name = f"integration #{integration_id} ({NAMES[row['provider']]}, {row['workspace']})"
    retry = health.retry_decision(signals, now, data.load(integrations_q.failed_by_code, integration_id))

    def disconnect_inputs():
        reason = st.text_input("Why (kept on the integration, not in the audit log)", key=f"disconnect-{integration_id}:reason")
        return {"reason": reason} if reason.strip() else None

    verbs = {
        "retry": Action(
            f"retry-{integration_id}", "Retry failed deliveries", f"Retry failed deliveries of {name}",
            f"{retry.message} It runs as a job; its progress shows at the top of the page.",
            seen=seen, disabled=not retry.offered, help=None if retry.offered else retry.message,
            perform=lambda key, v: core().retry_failed(me, integration_id, idempotency_key=key, **v)),
        "pause": Action(
            f"pause-{integration_id}", "Pause", f"Pause {name}",
            "Zivo stops processing its events until someone resumes it.", seen=seen,
            perform=lambda key, v: core().pause_integration(me, integration_id, idempotency_key=key, **v)),
        "resume": Action(
            f"resume-{integration_id}", "Resume", f"Resume {name}",
            "Zivo processes its events again from now.", seen=seen,
            perform=lambda key, v: core().resume_integration(me, integration_id, idempotency_key=key, **v)),
        "test": Action(
            f"test-{integration_id}", "Test the connection", f"Test {name}",
            "Zivo checks the connection with its stored credentials and records the result as a connection test.",
            perform=lambda key, v: core().test_integration(me, integration_id, idempotency_key=key)),
        "disconnect": Action(
            f"disconnect-{integration_id}", "Disconnect", f"Disconnect {name}",
            "Nothing flows until the workspace connects it again. Customers may disconnect at any time "
            "(privacy policy, section 6): say why, so the next person knows.",
            seen=seen, danger=True, inputs=disconnect_inputs,
            perform=lambda key, v: core().disconnect_integration(me, integration_id, idempotency_key=key, **v)),
    }
    offered = health.offered_actions(row["status"])
    for column, verb in zip(st.columns(max(len(offered), 1)), offered):
        offer(verbs[verb], column)
    if "retry" in offered and not retry.offered:
        st.caption(f":material/block: Retry is not offered. {retry.message}")


def integrations_tab():
    fleet_view(provider, state, search, workspace_id)
    linked = st.query_params.get("integration", "")
    options = fleet.pick_options(
        data.load(fleet.listing, now_minute(), provider, state, search, workspace_id),
        data.load(fleet.one, now_minute(), int(linked)) if linked.isdigit() else None,
    )
    picked = tables.pick(options, label="Integration", key="integration", display="label")
    if picked is not None:
        integration_view(int(picked["id"]), window)
        if acts:
            integration_actions(int(picked["id"]))


if shown == "providers":
    providers_view(window, provider)
else:
    integrations_tab()
