"""The Attention list on a page: each item with its severity, why it is there, and a link
to where it is fixed (``dashboard.policy.attention.link``: only to a built page the role
may open)."""

from __future__ import annotations

import streamlit as st

from dashboard import navigation
from dashboard.policy import attention

SHOWN = 10  # the rest wait for a click: a long list is read from its top
MARKS = {
    attention.Severity.CRITICAL: ":red[:material/error:]",
    attention.Severity.HIGH: ":orange[:material/warning:]",
    attention.Severity.MEDIUM: ":blue[:material/schedule:]",
    attention.Severity.LOW: ":gray[:material/info:]",
}


def show(items: list[attention.Item], role: str) -> None:
    st.subheader("Needs attention today")
    if not items:
        st.success("Nothing needs you today.")
        return
    st.caption(f"{len(items)} item{'s' if len(items) != 1 else ''}, worst first.")
    for item in items[:SHOWN]:
        _item(item, role)
    # Drawn only when asked for: hundreds of items with their links cost a render seconds.
    if len(items) > SHOWN and st.toggle(f"Show the {len(items) - SHOWN} more", key="attention-more"):
        for item in items[SHOWN:]:
            _item(item, role)


def _item(item: attention.Item, role: str) -> None:
    text, action, about = st.columns([8, 1, 2], vertical_alignment="center")
    text.markdown(f"{MARKS[item.severity]} **{item.title}:** {item.subject}. {item.why}")
    built = [spec.id for spec in navigation.PAGES]
    _link(action, attention.link(item, role, built), "Open", ":material/arrow_forward:")
    _link(about, attention.workspace_link(item, role, built), "Workspace 360", ":material/domain:")


def _link(column, where: attention.Link | None, label: str, icon: str) -> None:
    if where is not None:
        spec = next(spec for spec in navigation.PAGES if spec.id == where.page)
        column.page_link(str(spec.path), label=label, icon=icon, query_params=dict(where.params))
