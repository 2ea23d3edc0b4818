"""Workspace 360: everything about one customer workspace on one page — plan, status, MRR
history, integrations and their health, the sub-processors that received its data, its
rights requests, retention and holds, AI spend against budget, recent audit entries —
each section linking to its page filtered to this workspace.

Search by name or id; the chosen workspace stays in the URL (``?workspace=<id>``). No data
principal is shown: requests by reference, the owner's email masked (privacy, admin) or
not shown at all (ops, founders).
"""

import streamlit as st

from dashboard import clock, fleet, navigation
from dashboard.auth.roles import Access, access
from dashboard.auth.session import require_role
from dashboard.metrics import Figure
from dashboard.periods import Window, month_start
from dashboard.policy import ai as ai_policy
from dashboard.policy import data_flows
from dashboard.policy import workspace as workspace_policy
from dashboard.ui import charts, data, filters, format, money, tables
from dashboard.ui.kpis import Kpi, kpi_row
from queries import ai_usage as ai_q
from queries import data_flows as flows_q
from queries import workspace as workspace_q

user = require_role("workspace")
PAGES = [spec.id for spec in navigation.PAGES]
now = clock.utcnow().replace(second=0)

st.title("Workspace 360")
st.caption("Everything about one customer workspace. Each section links to its page, filtered to it.")

# --- which workspace: a search, or the id in the link -------------------------------------------
linked = st.query_params.get("workspace", "")
search = filters.text(st, "Search a workspace by name or id", key="q") or (linked or None)
if search is None:
    st.info("Type part of a workspace's name, or its id.")
    st.stop()
matches = data.load(workspace_q.search, search)
if matches.empty:
    st.warning(f"No workspace matches “{search}”.")
    st.stop()
if len(matches) == 1 and st.session_state.get("workspace") is None:
    st.session_state["workspace"] = int(matches["id"].iloc[0])  # one match: open it
picked = tables.pick(matches.assign(label=matches["name"] + " (#" + matches["id"].astype(str) + ")"),
                     label="Workspace", key="workspace", display="label")
if picked is None:
    st.info(f"{len(matches)} workspaces match; choose one.")
    st.stop()
ws_id, name = int(picked["id"]), str(picked["name"])
profile = data.load(workspace_q.profile, ws_id, now)


def section(title: str, key: str) -> None:
    """A section's heading and its link to the page, filtered to this workspace."""
    head, go_to = st.columns([4, 1], vertical_alignment="bottom")
    head.subheader(title)
    where = workspace_policy.section_link(key, ws_id, name, user.role, PAGES)
    if where is not None:
        spec = next(spec for spec in navigation.PAGES if spec.id == where.page)
        go_to.page_link(str(spec.path), label=workspace_policy.SECTION_LINKS[key][1],
                        icon=":material/arrow_forward:", query_params=dict(where.params))


# --- plan, status, MRR -------------------------------------------------------------------------
this_month = month_start(clock.today_ist())
mrr = data.load(workspace_q.mrr_history, ws_id, month_start(this_month, 11), clock.today_ist())
month_spend = ai_policy.total_by(
    ai_policy.with_cost(data.load(ai_q.usage_by_workspace, Window(this_month, clock.today_ist()),
                                  ai_q.Scope(workspace_id=ws_id))),
    ["workspace_id", "workspace"])
standing = ai_policy.budget_standing(
    month_spend, data.load(workspace_q.budget_of, ws_id), this_month, now)
spent = float(standing["spent_usd"].sum()) if not standing.empty else 0.0

st.header(f"{name} (#{ws_id})")
st.markdown(workspace_policy.summary(profile, user.role))
kpi_row([
    Kpi("MRR", Figure(profile["mrr_inr"], None), format.inr, help="The workspace's current monthly recurring revenue."),
    Kpi("Open rights requests", Figure(profile["open_requests"], None), format.count),
    Kpi("Legal holds in force", Figure(profile["active_holds"], None), format.count),
    Kpi(f"AI spend {this_month:%b %Y}", Figure(spent, None), money.usd,
        help="Anthropic list prices. " + ("No budget set." if profile["monthly_budget_usd"] is None
                                          else f"Budget {money.usd(profile['monthly_budget_usd'])}.")),
])
st.plotly_chart(charts.mrr_trend(mrr).update_layout(title="Invoiced per month (₹)"), width="stretch")

# --- integrations and their health -------------------------------------------------------------
section("Integrations", "integrations")
health = fleet.classify(data.load(workspace_q.integrations_with_health, ws_id, now), now)
st.dataframe(
    tables.ist_times(health.assign(provider=health["provider"].map(fleet.provider_name),
                                   state=health["state"].map(format.state_word)),
                     "last_success_at", "token_expires_at"),
    hide_index=True, width="stretch",
    column_order=["id", "provider", "status", "state", "reason", "action", "last_success_at", "token_expires_at"],
    column_config={"id": "Integration", "provider": "Provider", "status": "Status", "state": "Health",
                   "reason": "Why", "action": "What fixes it",
                   "last_success_at": st.column_config.DatetimeColumn("Last success (IST)", format="D MMM, HH:mm"),
                   "token_expires_at": st.column_config.DatetimeColumn("Token expires (IST)", format="D MMM, HH:mm")},
)

# --- sub-processors that received its data -----------------------------------------------------
section("Sub-processors that received its data", "data_flows")
window = filters.date_window(default_days=30)
flows = data_flows.workspace_view(data.load(flows_q.workspace_flows, window, ws_id),
                                  data.load(flows_q.seen_combinations, window, ws_id))
st.dataframe(
    flows, hide_index=True, width="stretch",
    column_order=["sub_processor", "records", "people", "outside_india", "categories"],
    column_config={"sub_processor": "Sub-processor", "records": "Events", "people": "People",
                   "outside_india": "Events processed outside India", "categories": "Data categories seen"},
)

# --- rights requests ---------------------------------------------------------------------------
section("Rights requests", "rights_requests")
request_access = access(user.role, "rights_requests")
if request_access is None:
    st.caption("Rights requests are for the privacy officer, admins and (as counts) founders.")
elif request_access is Access.COUNTS_ONLY:
    st.dataframe(data.load(workspace_q.request_counts, ws_id), hide_index=True, width="stretch",
                 column_config={"request_type": "Type", "status": "State", "requests": "Requests"})
else:
    requests = data.load(workspace_q.requests, ws_id, now)
    st.dataframe(
        tables.ist_times(requests, "received_at", "statutory_due_at", "target_due_at", "completed_at"),
        hide_index=True, width="stretch",
        column_order=["reference", "request_type", "jurisdiction", "status", "received_at",
                      "statutory_due_at", "target_due_at", "days_left", "completed_at"],
        column_config={
            "reference": "Reference", "request_type": "Type", "jurisdiction": "Jurisdiction", "status": "State",
            "received_at": st.column_config.DatetimeColumn("Received (IST)", format="D MMM YYYY"),
            "statutory_due_at": st.column_config.DatetimeColumn("Statutory due (IST)", format="D MMM YYYY"),
            "target_due_at": st.column_config.DatetimeColumn("Target due (IST)", format="D MMM YYYY"),
            "days_left": "Days left",
            "completed_at": st.column_config.DatetimeColumn("Closed (IST)", format="D MMM YYYY"),
        },
    )

# --- retention and holds -----------------------------------------------------------------------
section("Retention and legal holds", "retention")
jobs = data.load(workspace_q.purge_jobs_of, ws_id)
holds = data.load(workspace_q.legal_holds_of, ws_id)
standing_r = workspace_policy.retention_standing(profile, jobs, holds, now)
st.markdown(
    f"**{standing_r.state.capitalize()}**"
    + (f": purge due {clock.format_ist(standing_r.purge_due_at)} IST, pre-erasure notice by "
       f"{clock.format_ist(standing_r.notice_due_at)} IST." if standing_r.purge_due_at else ".")
    + f" Holds in force: {standing_r.holds_in_force}"
    + (f" (keeping {', '.join(standing_r.categories_held)})." if standing_r.categories_held else ".")
)
if access(user.role, "retention") is not Access.ACT:
    st.caption("The purge jobs and holds themselves are for the privacy officer and admins.")
else:
    purges_tab, holds_tab = st.tabs(["Purge jobs", "Legal holds"])
    purges_tab.dataframe(
        tables.ist_times(jobs, "due_at", "notice_sent_at", "executed_at"), hide_index=True, width="stretch",
        column_config={"id": "Purge job", "due_at": "Due (IST)", "notice_sent_at": "Notice sent (IST)",
                       "status": "State", "executed_at": "Run (IST)", "records_erased": "Records erased"},
    )
    holds_tab.dataframe(
        tables.ist_times(holds, "placed_at", "expires_at", "released_at"), hide_index=True, width="stretch",
        column_config={"id": "Hold", "basis": "Basis", "categories": "Categories kept", "reason": "Reason",
                       "placed_by": "Placed by", "placed_at": "Placed (IST)", "expires_at": "Expires (IST)",
                       "released_at": "Released (IST)"},
    )

# --- AI spend against budget -------------------------------------------------------------------
section(f"AI spend against budget, {this_month:%B %Y}", "ai_usage")
st.dataframe(
    standing.assign(status=standing["status"].map(ai_policy.BUDGET_STATUSES)),
    hide_index=True, width="stretch",
    column_order=["spent_usd", "projected_usd", "monthly_budget_usd", "used_share", "status", "ai_enabled"],
    column_config={"spent_usd": st.column_config.NumberColumn("Spent (USD)", format="$%.2f"),
                   "projected_usd": st.column_config.NumberColumn("Projected (USD)", format="$%.2f"),
                   "monthly_budget_usd": st.column_config.NumberColumn("Budget (USD)", format="$%.2f"),
                   "used_share": st.column_config.NumberColumn("Used", format="percent"),
                   "status": "Status", "ai_enabled": "AI on"},
)

# --- recent audit entries ----------------------------------------------------------------------
section("Recent audit entries", "audit_log")
own_only = access(user.role, "audit_log") is Access.OWN_ACTIONS
if own_only:
    st.caption("Your own actions on this workspace.")
entries = data.load(workspace_q.audit_entries, ws_id, user.email if own_only else None)
st.dataframe(
    tables.ist_times(entries, "at"), hide_index=True, width="stretch",
    column_config={"at": st.column_config.DatetimeColumn("When (IST)", format="D MMM YYYY, HH:mm"),
                   "actor": "Actor", "actor_role": "Role", "action": "Action", "target_type": "Target type",
                   "target_id": "Target id", "outcome": "Outcome"},
)
