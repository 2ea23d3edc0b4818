"""Masking a data principal's personal data: names, emails and phones are masked for
everyone by default (DESIGN.md "Roles"). Privacy and admin may reveal one record at a
time, and a CSV export with the data unmasked counts as a reveal: each is an audited
``personal_data.*`` event through the core, which accepts it from those roles only.
"""

from __future__ import annotations

import uuid
from typing import Any

import pandas as pd

from dashboard.auth.roles import REVEALS_PERSONAL_DATA, SignedInUser
from dashboard.core.models import ActionResult, Actor
from dashboard.core.service import CoreService

MASK = "•"
REVEAL = "personal_data.reveal"


def _blank(value) -> bool:
    return value is None or bool(pd.isna(value)) or not str(value).strip()


def name(value: str | None) -> str:
    """'Asha Rao' -> 'A••• R••': initials only."""
    if _blank(value):
        return ""
    return " ".join(part[0] + MASK * min(len(part) - 1, 3) for part in str(value).split())


def email(value: str | None) -> str:
    """'asha.rao@example.in' -> 'a•••@e•••.in': first letters and the top-level domain."""
    if _blank(value) or "@" not in str(value):
        return name(value)
    local, _, domain = str(value).partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}{MASK * 3}@{(host or domain)[:1]}{MASK * 3}" + (f".{tld}" if host else "")


def phone(value: str | None) -> str:
    """'+919812345678' -> '••••••••5678': the last four digits."""
    if _blank(value):
        return ""
    digits = str(value)
    return MASK * max(len(digits) - 4, 0) + digits[-4:]


MASKERS = {"name": name, "email": email, "phone": phone}


def masked(frame: pd.DataFrame, columns: dict[str, str], *, reveal_id: int | None = None) -> pd.DataFrame:
    """``frame`` with each personal column masked (column -> "name"/"email"/"phone"),
    except on the one row whose ``id`` is ``reveal_id``."""
    shown = frame.copy()
    keep = shown["id"] == reveal_id if reveal_id is not None else pd.Series(False, index=shown.index)
    for column, kind in columns.items():
        masked_values = shown[column].map(MASKERS[kind])
        shown[column] = masked_values.where(~keep, shown[column])
    return shown


def may_reveal(user: SignedInUser) -> bool:
    return user.role in REVEALS_PERSONAL_DATA


def record_reveal(core: CoreService, user: SignedInUser, target_type: str, target_id: int,
                  fields: tuple[str, ...]) -> ActionResult:
    """Audit revealing one record's ``fields``; raises the core's refusal otherwise."""
    return core.record_event(
        Actor(user.email, user.role), action=REVEAL, target_type=target_type,
        target_id=target_id, detail={"fields": ",".join(fields)},
        idempotency_key=uuid.uuid4().hex,
    )


def record_export(core: CoreService, user: SignedInUser, target_type: str,
                  detail: dict[str, Any]) -> ActionResult:
    """Audit a CSV export with personal data unmasked, as a reveal of every row in it
    (``detail``: the filter, ids and codes only)."""
    return core.record_event(
        Actor(user.email, user.role), action=REVEAL, target_type=target_type, target_id=None,
        detail={"via": "csv_export", **detail}, idempotency_key=uuid.uuid4().hex,
    )
