"""Data flows: the live map of which personal data goes to which sub-processor, where it is
processed, and where the flows break the register's promises. Read-only; counts of people
only, never anyone's details, so every role may see it."""

import streamlit as st

from dashboard.auth.session import require_role
from dashboard.metrics import Figure
from dashboard.policy import conformance, data_flows
from dashboard.policy.subprocessors import REGISTER
from dashboard.ui import data, data_flow_charts, filters, format, tables
from dashboard.ui.kpis import Kpi, kpi_row
from queries import data_flows as flows_q

user = require_role("data_flows")

st.title("Data flows")
st.caption(f"Sub-processors receiving personal data, checked against the register (version {REGISTER.version}). "
           "Counts only; no one's details.")

window = filters.date_window(default_days=30)

totals = data.load(flows_q.totals, window)
flows = data.load(flows_q.category_flows, window)
seen = data.load(flows_q.seen_combinations, window)
findings = [
    (conformance.SENT_AFTER_DISCONNECTION,
     conformance.sent_after_disconnection(data.load(flows_q.sent_after_disconnection, window))),
    (conformance.UNDECLARED_CATEGORY, conformance.undeclared_categories(seen)),
    (conformance.UNDECLARED_TRANSFER,
     conformance.undeclared_transfers(data.load(flows_q.transfers_outside_india, window))),
    (conformance.UNDECLARED_AI_CATEGORY,
     conformance.undeclared_ai_categories(data.load(flows_q.ai_call_combinations, window))),
    (conformance.FLOW_AFTER_WITHDRAWAL,
     conformance.flows_after_withdrawal(data.load(flows_q.flows_after_withdrawal, window))),
]

kpi_row([
    Kpi("Events", Figure(totals.records, totals.records_before), format.count,
        help="Integration events sent to or received from a sub-processor in the period."),
    Kpi("Workspaces", Figure(totals.workspaces, totals.workspaces_before), format.count,
        help="Workspaces whose data flowed to a sub-processor."),
    Kpi("People", Figure(totals.people, totals.people_before), format.count,
        help="Distinct contacts whose data flowed to a sub-processor."),
    Kpi("Outside India", Figure(totals.outside_india, totals.outside_india_before), format.count,
        help="Events a sub-processor recorded as processed outside India (policy s.14).", rising_is_good=False),
    Kpi("Findings", Figure(sum(len(found) for _, found in findings), None), format.count,
        help="Rows across the five conformance checks below.", rising_is_good=False),
])

st.plotly_chart(data_flow_charts.sankey(data_flows.sankey_links(flows)), width="stretch")
st.dataframe(
    data_flows.flow_table(flows), hide_index=True, width="stretch",
    column_config={"category": "Data category", "sub_processor": "Sub-processor", "location": "Where processed",
                   "records": "Events", "workspaces": "Workspaces", "people": "People"},
)


def show_findings(rule, found):
    st.caption(rule.why)
    if found.empty:
        st.success("None in this period.")
        return
    order = ["workspace", "sub_processor", "integration_id", "kind", "feature", "category", "processing_region",
             "records", "calls", "people", "workspaces", "disconnected_at", "last_at", "fix"]
    st.dataframe(
        tables.ist_times(found, *[c for c in ("disconnected_at", "last_at") if c in found]),
        hide_index=True, width="stretch", column_order=[c for c in order if c in found],
        column_config={
            "integration_id": "Integration",
            "sub_processor": "Sub-processor", "workspace": "Workspace", "kind": "Kind of event",
            "category": "Data category", "feature": "AI feature", "processing_region": "Region",
            "records": "Events", "calls": "AI calls", "people": "People", "workspaces": "Workspaces",
            "disconnected_at": st.column_config.DatetimeColumn("Disconnected (IST)", format="D MMM YYYY, HH:mm"),
            "last_at": st.column_config.DatetimeColumn("Last (IST)", format="D MMM YYYY, HH:mm"),
            "fix": st.column_config.TextColumn("What fixes it", width="large"),
        },
    )


checks, by_subprocessor, by_workspace, register = st.tabs(
    ["Conformance", "Per sub-processor", "Per workspace", "Register and record of processing"])

with checks:
    for rule, found in findings:
        with st.expander(f"{rule.title}: {len(found)}", expanded=not found.empty,
                         icon=":material/check_circle:" if found.empty else ":material/warning:"):
            show_findings(rule, found)

with by_subprocessor:
    connected = data.load(flows_q.connected_workspaces)
    summary = data_flows.subprocessor_summary(seen, connected)
    st.dataframe(
        summary, hide_index=True, width="stretch",
        column_config={"provider": None, "sub_processor": "Sub-processor", "where_processed": "Where processed",
                       "outside_india": "Outside India", "workspaces_connected": "Workspaces connected",
                       "records": "Events", "categories_declared": "Categories declared",
                       "categories_undeclared": "Seen, not declared"},
    )
    volume = data_flows.with_names(data.load(flows_q.daily_volume, window))
    chosen = filters.choice(st, "Sub-processor", summary["sub_processor"].tolist(), key="subprocessor")
    shown = volume if chosen is None else volume[volume["sub_processor"] == chosen]
    st.plotly_chart(data_flow_charts.daily_volume(shown), width="stretch")
    if chosen is not None:
        key = summary.loc[summary["sub_processor"] == chosen, "provider"].iloc[0]
        st.subheader(f"{chosen}: categories seen and declared")
        st.dataframe(
            data_flows.categories_seen_vs_declared(seen, key), hide_index=True, width="stretch",
            column_config={"category": "Data category", "declared": "Declared", "records": "Events carrying it"},
        )

with by_workspace:
    search = filters.text(st, "Workspace (id or name)", key="workspace")
    matches = data.load(flows_q.workspace_choices, search) if search else None
    if matches is not None and matches.empty:
        st.info("No workspace matches.")
    if matches is not None and not matches.empty:
        labels = dict(zip(matches["id"], matches["name"] + " (#" + matches["id"].astype(str) + ")", strict=True))
        workspace_id = st.selectbox("Workspace", list(labels), format_func=labels.get, key="workspace_pick")
        view = data_flows.workspace_view(data.load(flows_q.workspace_flows, window, workspace_id),
                                         data.load(flows_q.seen_combinations, window, workspace_id))
        st.dataframe(
            tables.ist_times(view, "first_at", "last_at"), hide_index=True, width="stretch",
            column_order=["sub_processor", "records", "people", "outside_india", "categories", "first_at", "last_at"],
            column_config={
                "sub_processor": "Sub-processor", "records": "Events", "people": "People",
                "outside_india": "Events processed outside India", "categories": "Data categories seen",
                "first_at": st.column_config.DatetimeColumn("First (IST)", format="D MMM YYYY, HH:mm"),
                "last_at": st.column_config.DatetimeColumn("Last (IST)", format="D MMM YYYY, HH:mm"),
            },
        )

with register:
    st.warning("The company must still confirm:\n" + "\n".join(f"- {gap}" for gap in data_flows.register_gaps()))
    st.dataframe(
        data_flows.register_table(), hide_index=True, width="stretch",
        column_config={
            "sub_processor": "Sub-processor", "role": "Purpose", "where_processed": "Where processed",
            "outside_india": "Outside India", "legal_basis": "Legal basis", "categories": "Data categories",
            "contract": "Contract", "contract_signed_on": "Accepted on", "policy_sections": "Policy sections",
            "to_confirm": "To confirm",
        },
    )
    record = data_flows.record_of_processing(data.load(flows_q.purpose_volumes, window))
    st.download_button(
        "Record of processing (CSV)", data=record.to_csv(index=False),
        file_name=f"record-of-processing-v{REGISTER.version}-{window.start}-{window.end}.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", key="record_of_processing",
    )
