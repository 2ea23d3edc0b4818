"""The erasure engine: erase a scope's personal data by data category, find who else
received it, fan out one erasure task per sub-processor, and check what remains.

Used inside a core action's transaction: a rights request's erasure (one contact, or one
account user) and a retention purge (a whole workspace, minus the categories a legal hold
keeps). Nothing here commits, audits or checks roles; the action around it does.

Decisions:

- **Scope.** A contact scope is that contact's row in its workspace and what hangs off it
  (its messages, its event and AI-call links). A user scope is that account user's row and
  Zivo's own account data naming them: the workspace's ``owner_email`` and the invoices
  billed to their email. A workspace scope is the workspace's CRM content: every contact
  and message of it (account data and invoices stay: they are the account's, kept under
  the GST and Companies Act holds a purge must respect).
- **Erase = anonymise.** The columns ``categories.HELD_IN`` names for each erased category
  are set to NULL; the rows stay, so counts and metrics still add up. ``messages.to_address``
  holds an email for the email channel and a phone for the others, so it is erased with the
  category its channel carries. ``rights_requests`` columns are never touched: the request
  is the evidence of the erasure (so are ``request_events``, ``audit_log`` and
  ``erasure_tasks``).
- **Links.** Once a contact no longer identifies anyone (name, email and phone all erased,
  none held) its integration events and AI calls are unlinked from it, and its messages
  too unless their content is held (a hold keeps the held data's context). Events and
  AI calls are processing logs: those older than ``LOG_RETENTION_FLOOR`` (DPDP Rules
  r.8(3)) are deleted, younger ones are only unlinked and stay. A user scope unlinks the
  user's AI calls the same way. ``erased_at`` is set on a contact or user row once it no
  longer identifies anyone.
- **Held categories** are simply not passed to ``erase``: it touches exactly the
  categories given. The caller names what it kept and why.
- **Recipients** are computed BEFORE erasing (erasing cuts the links they are read from):
  the providers of the scope's integration events with the categories each carried, the
  providers of its messages with the categories their sending events declare, Anthropic
  with the categories its AI calls carried, and every sub-processor whose register entry
  says it holds such a subject's data regardless (``Erasure.always_for``: hosting holds
  every record), with the categories the scope's own rows hold.
- **Tasks.** At most one task per sub-processor per request (or purge job) and kind: a rerun
  adds only the sub-processors that have none yet. A task to be sent (api/email) is created
  ``sent``: the instruction goes out with it (the caller records it). A ``not_applicable``
  task is acknowledged at creation, the register's note as its evidence.
- **Residue** is searched by the subject's strong identifiers (email, phone), normalised,
  in every category-map column of the scope (the workspace's contacts and messages,
  message bodies included; for a user, Zivo's account data), plus any category value still
  on the scope's own rows (its contact or user row, and a contact's linked messages). Names alone are not searched across the workspace: a namesake
  is not the subject. What is under a hold comes back marked ``held``: kept, not residue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, false, func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from dashboard.policy import categories as vocabulary
from dashboard.policy.retention import LOG_RETENTION_FLOOR
from dashboard.policy.subprocessors import REGISTER, Direction, ErasureMethod, Register
from dashboard.schema import (
    ai_calls,
    contacts,
    erasure_tasks,
    integration_events,
    invoices,
    legal_holds,
    messages,
    users,
    workspaces,
)

# The categories that identify a person on a contact or user row.
IDENTIFYING = frozenset({"name", "email", "phone"})
# Compliance records: the evidence of an erasure, never residue and never erased.
EVIDENCE_TABLES = ("rights_requests", "request_events", "audit_log", "erasure_tasks")
# Task kinds (erasure_tasks.kind).
ERASURE = "erasure"
STOP_PROCESSING = "stop_processing"
# The most remnants the residual check lists per place.
RESIDUE_LIMIT = 200

# Which tables' category columns each kind of scope reaches.
_TABLES = {
    "contact": ("contacts", "messages"),
    "workspace": ("contacts", "messages"),
    "account_user": ("users", "workspaces", "invoices"),
}


@dataclass(frozen=True)
class Scope:
    """Whose data: a workspace's CRM content, one contact in it, or one account user."""

    workspace_id: int | None
    contact_id: int | None = None
    user_id: int | None = None

    def __post_init__(self) -> None:
        if self.contact_id is not None and self.user_id is not None:
            raise ValueError("A scope is a contact or an account user, not both.")
        if self.user_id is None and self.workspace_id is None:
            raise ValueError("A contact or workspace scope names its workspace.")

    @property
    def kind(self) -> str:
        if self.user_id is not None:
            return "account_user"
        return "contact" if self.contact_id is not None else "workspace"


@dataclass(frozen=True)
class Identifiers:
    """What the subject is found by: emails (compared in lower case) and phones (E.164)."""

    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    @classmethod
    def of(cls, emails: Iterable[str | None] = (), phones: Iterable[str | None] = ()) -> Identifiers:
        return cls(frozenset(e.strip().lower() for e in emails if e and e.strip()),
                   frozenset(normal_phone(p) for p in phones if p and normal_phone(p)))


@dataclass(frozen=True)
class Remnant:
    """One value of the subject's personal data still in the CRM's tables."""

    place: str  # "table.column"
    record_id: int
    category: str
    held: bool  # kept under a legal hold: named on the certificate, not residue


def normal_phone(phone: str) -> str:
    """A phone as the CRM stores it: E.164, an Indian 10-digit number given +91."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+"):
        return f"+{digits}" if digits else ""
    if len(digits) == 10:
        return f"+91{digits}"
    if len(digits) == 12 and digits.startswith("91"):
        return f"+{digits}"
    return f"+{digits}" if digits else ""


# --- the subject and its holds -----------------------------------------------------------


def subject_scopes(conn: Connection, subject_kind: str, workspace_id: int | None,
                   found: Identifiers) -> list[Scope]:
    """The records a rights request's subject is found in by its strong identifiers: a
    contact's in its workspace; an account user's across workspaces. Every match counts
    (a duplicate contact row is the same person)."""
    if not found.emails and not found.phones:
        return []
    if subject_kind == "contact":
        c = contacts.c
        matches = or_(func.lower(c.email).in_(sorted(found.emails)), c.phone.in_(sorted(found.phones)))
        ids = conn.execute(select(c.id).where(c.workspace_id == workspace_id, matches).order_by(c.id)).scalars()
        return [Scope(workspace_id, contact_id=i) for i in ids]
    u = users.c
    matches = or_(func.lower(u.email).in_(sorted(found.emails)), u.phone.in_(sorted(found.phones)))
    return [Scope(ws, user_id=i) for i, ws in conn.execute(select(u.id, u.workspace_id).where(matches)
                                                           .order_by(u.id))]


def active_holds(conn: Connection, workspace_ids: Iterable[int | None], now: datetime) -> list[RowMapping]:
    """The legal holds in force on the workspaces at ``now``: not released, not expired."""
    h = legal_holds.c
    return list(conn.execute(
        select(h.id, h.workspace_id, h.basis, h.categories, h.reason)
        .where(h.workspace_id.in_(sorted(w for w in workspace_ids if w is not None)),
               h.released_at.is_(None), or_(h.expires_at.is_(None), h.expires_at > now))
        .order_by(h.id)).mappings())


def held_categories(holds: Iterable[RowMapping]) -> frozenset[str]:
    return frozenset().union(*(vocabulary.parse(h["categories"]) for h in holds)) & set(vocabulary.NAMES)


# --- erase ---------------------------------------------------------------------------------


def erase(conn: Connection, scope: Scope, categories: Iterable[str], *, now: datetime) -> dict[str, int]:
    """Erase exactly ``categories`` in ``scope``; values erased (or rows unlinked/deleted)
    per "table.column" (or per table for deleted log rows), zero counts left out."""
    chosen = frozenset(categories)
    if unknown := vocabulary.unknown(chosen):
        raise ValueError(f"Not data categories: {sorted(unknown)}")
    counts: dict[str, int] = {}
    rows = _scope_rows(conn, scope)
    for category in vocabulary.ordered(chosen):
        for place in vocabulary.HELD_IN[category]:
            table_name, _, column_name = place.partition(".")
            where = rows.get(table_name)
            if where is None:
                continue
            table = _TABLE[table_name]
            column = table.c[column_name]
            condition = and_(where, column.is_not(None), *_column_filter(place, category))
            changed = conn.execute(update(table).where(condition).values({column_name: None})).rowcount
            _add(counts, place, changed)
    if IDENTIFYING <= chosen:
        _unlink(conn, scope, now, chosen, counts)
        _mark_erased(conn, scope, now, counts)
    return counts


def _column_filter(place: str, category: str) -> list[ColumnElement]:
    if place == "messages.to_address":
        is_email = messages.c.channel == "email"
        return [is_email if category == "email" else ~is_email]
    return []


def _scope_rows(conn: Connection, scope: Scope) -> dict[str, ColumnElement]:
    """table name -> which of its rows are the scope's."""
    if scope.kind == "contact":
        return {"contacts": and_(contacts.c.id == scope.contact_id,
                                 contacts.c.workspace_id == scope.workspace_id),
                "messages": and_(messages.c.contact_id == scope.contact_id,
                                 messages.c.workspace_id == scope.workspace_id)}
    if scope.kind == "workspace":
        return {"contacts": contacts.c.workspace_id == scope.workspace_id,
                "messages": messages.c.workspace_id == scope.workspace_id}
    user = conn.execute(select(users.c.workspace_id, users.c.email)
                        .where(users.c.id == scope.user_id)).first()
    if user is None:
        return {}
    email = (user.email or "").strip().lower()
    named_by_email = (lambda column: func.lower(column) == email) if email else (lambda column: false())
    return {"users": users.c.id == scope.user_id,
            "workspaces": and_(workspaces.c.id == user.workspace_id, named_by_email(workspaces.c.owner_email)),
            "invoices": and_(invoices.c.workspace_id == user.workspace_id,
                             named_by_email(invoices.c.billing_email))}


def _unlink(conn: Connection, scope: Scope, now: datetime, chosen: frozenset[str],
            counts: dict[str, int]) -> None:
    before = now - LOG_RETENTION_FLOOR
    if scope.kind == "account_user":
        logs = ((ai_calls, ai_calls.c.user_id == scope.user_id, "user_id"),)
    else:
        mine = (lambda table: table.c.contact_id == scope.contact_id) if scope.kind == "contact" else (
            lambda table: and_(table.c.workspace_id == scope.workspace_id, table.c.contact_id.is_not(None)))
        logs = ((integration_events, mine(integration_events), "contact_id"),
                (ai_calls, mine(ai_calls), "contact_id"))
        if "message_content" in chosen:  # held messages stay linked: a hold keeps their context
            _add(counts, "messages.contact_id",
                 conn.execute(update(messages).where(mine(messages)).values(contact_id=None)).rowcount)
    for table, mine_here, link in logs:
        at = table.c.occurred_at
        _add(counts, table.name, conn.execute(delete(table).where(mine_here, at < before)).rowcount)
        _add(counts, f"{table.name}.{link}",
             conn.execute(update(table).where(mine_here).values({link: None})).rowcount)


def _mark_erased(conn: Connection, scope: Scope, now: datetime, counts: dict[str, int]) -> None:
    if scope.kind == "account_user":
        table, where = users, users.c.id == scope.user_id
    elif scope.kind == "contact":
        table, where = contacts, contacts.c.id == scope.contact_id
    else:
        table, where = contacts, contacts.c.workspace_id == scope.workspace_id
    changed = conn.execute(update(table).where(where, table.c.erased_at.is_(None))
                           .values(erased_at=now)).rowcount
    _add(counts, f"{table.name}.erased_at", changed)


def _add(counts: dict[str, int], key: str, n: int) -> None:
    if n:
        counts[key] = counts.get(key, 0) + n


# --- recipients and tasks ------------------------------------------------------------------


def recipients(conn: Connection, scope: Scope, register: Register = REGISTER) -> dict[str, frozenset[str]]:
    """Sub-processor key -> the data categories it received of the scope's data, as the
    event tables record and the register declares. Call it before ``erase``."""
    found: dict[str, set[str]] = {}
    if scope.kind != "account_user":
        mine = ((lambda t: and_(t.c.contact_id == scope.contact_id, t.c.workspace_id == scope.workspace_id))
                if scope.kind == "contact" else (lambda t: t.c.workspace_id == scope.workspace_id))
        e = integration_events.c
        for provider, carried in conn.execute(
                select(e.provider, e.data_categories).where(mine(integration_events)).distinct()):
            found.setdefault(provider, set()).update(vocabulary.parse(carried))
        for (provider,) in conn.execute(select(messages.c.provider).where(mine(messages)).distinct()):
            found.setdefault(provider, set()).update(_sent_categories(provider, register))
        for (carried,) in conn.execute(select(ai_calls.c.data_categories).where(mine(ai_calls)).distinct()):
            found.setdefault("anthropic", set()).update(vocabulary.parse(carried))
    held_here = _categories_on_rows(conn, scope)
    for sub in register.subprocessors:
        if sub.erasure is not None and scope.kind in sub.erasure.always_for and held_here:
            found.setdefault(sub.key, set()).update(held_here & sub.categories)
    return {key: frozenset(cats) for key, cats in found.items() if cats}


def _sent_categories(provider: str, register: Register) -> set[str]:
    sub = register.get(provider)
    if sub is None:
        return set()
    return set().union(*(e.categories for e in sub.events if e.direction is Direction.SENDS))


def _categories_on_rows(conn: Connection, scope: Scope) -> set[str]:
    """The categories the scope's own rows hold a value of."""
    held: set[str] = set()
    rows = _scope_rows(conn, scope)
    for category, places in vocabulary.HELD_IN.items():
        for place in places:
            table_name, _, column_name = place.partition(".")
            if table_name not in rows:
                continue
            column = _TABLE[table_name].c[column_name]
            if conn.execute(select(column).where(rows[table_name], column.is_not(None),
                                                 *_column_filter(place, category)).limit(1)).first():
                held.add(category)
    return held


def create_tasks(conn: Connection, recipients: dict[str, frozenset[str]], *, request_id: int | None = None,
                 purge_job_id: int | None = None, now: datetime, kind: str = ERASURE,
                 register: Register = REGISTER) -> list[int]:
    """One task per sub-processor in ``recipients`` that has none of this kind yet for the
    request (or purge job); the new tasks' ids, in sub-processor order."""
    if (request_id is None) == (purge_job_id is None):
        raise ValueError("A task belongs to a request or a purge job.")
    t = erasure_tasks.c
    owner = t.request_id == request_id if request_id is not None else t.purge_job_id == purge_job_id
    existing = set(conn.execute(select(t.subprocessor).where(owner, t.kind == kind)).scalars())
    created = []
    for key in sorted(recipients):
        if key in existing:
            continue
        method = method_for(key, register)
        not_applicable = method is ErasureMethod.NOT_APPLICABLE
        sub = register.get(key)
        created.append(conn.execute(insert(erasure_tasks).values(
            request_id=request_id, purge_job_id=purge_job_id, subprocessor=key, kind=kind,
            categories=",".join(vocabulary.ordered(recipients[key])), method=method.value,
            status="acknowledged" if not_applicable else "sent",
            sent_at=None if not_applicable else now, acknowledged_at=now if not_applicable else None,
            evidence=sub.erasure.source if not_applicable and sub else None, version=1,
        )).inserted_primary_key[0])
    return created


def method_for(key: str, register: Register = REGISTER) -> ErasureMethod:
    """The register's method; a provider the register lacks is written to (and flagged on
    the data flows page as undeclared)."""
    sub = register.get(key)
    return sub.erasure.method if sub is not None and sub.erasure is not None else ErasureMethod.EMAIL


# --- the residual check --------------------------------------------------------------------


def residue(conn: Connection, scope: Scope, identifiers: Identifiers, *,
            held: Iterable[str] = ()) -> list[Remnant]:
    """What of the subject's personal data remains in the scope: values equal to its
    identifiers in the category map's columns (message bodies: containing them), and any
    category value left on the scope's own rows. Evidence tables are never searched."""
    kept = frozenset(held)
    found: dict[tuple[str, int, str], Remnant] = {}

    def note(place: str, record_id: int, category: str) -> None:
        found.setdefault((place, record_id, category), Remnant(place, record_id, category, category in kept))

    reach = _reach(scope)
    for category, places in vocabulary.HELD_IN.items():
        for place in places:
            table_name, _, column_name = place.partition(".")
            if table_name not in reach:
                continue
            table = _TABLE[table_name]
            column = table.c[column_name]
            matches = _matching(column, category, place, identifiers)
            if matches is None:
                continue
            for (record_id,) in conn.execute(select(table.c.id).where(reach[table_name], matches)
                                             .order_by(table.c.id).limit(RESIDUE_LIMIT)):
                note(place, record_id, category)
    for text in (*identifiers.emails, *identifiers.phones):
        if "messages" in reach:
            pattern = "%" + text.replace("%", "").replace("_", "") + "%"
            for (record_id,) in conn.execute(
                    select(messages.c.id).where(reach["messages"], func.lower(messages.c.body).like(pattern))
                    .order_by(messages.c.id).limit(RESIDUE_LIMIT)):
                note("messages.body", record_id, "message_content")
    own = _scope_rows(conn, scope)
    for category, places in vocabulary.HELD_IN.items():
        for place in places:
            table_name, _, column_name = place.partition(".")
            if table_name not in own or table_name not in ("contacts", "users", "messages") \
                    or scope.kind == "workspace":
                continue
            table = _TABLE[table_name]
            column = table.c[column_name]
            for (record_id,) in conn.execute(select(table.c.id).where(
                    own[table_name], column.is_not(None), *_column_filter(place, category))
                    .limit(RESIDUE_LIMIT)):
                note(place, record_id, category)
    return sorted(found.values(), key=lambda r: (r.held, r.place, r.record_id, r.category))


def _reach(scope: Scope) -> dict[str, ColumnElement]:
    """Where the residual check searches: the scope's workspace for a contact (a duplicate
    contact row is residue), Zivo's account data across workspaces for a user."""
    if scope.kind == "account_user":
        return {"users": users.c.id.is_not(None), "workspaces": workspaces.c.id.is_not(None),
                "invoices": invoices.c.id.is_not(None)}
    return {"contacts": contacts.c.workspace_id == scope.workspace_id,
            "messages": messages.c.workspace_id == scope.workspace_id}


def _matching(column, category: str, place: str, identifiers: Identifiers) -> ColumnElement | None:
    """Values equal to an identifier, in a column that holds that kind of identifier."""
    holds = category if place == "messages.to_address" else (
        "email" if "email" in column.name else "phone" if "phone" in column.name else None)
    if holds == "email" and identifiers.emails:
        return and_(func.lower(column).in_(sorted(identifiers.emails)), *_column_filter(place, category))
    if holds == "phone" and identifiers.phones:
        return and_(column.in_(sorted(identifiers.phones)), *_column_filter(place, category))
    return None


_TABLE = {table.name: table for table in (contacts, messages, users, workspaces, invoices)}
