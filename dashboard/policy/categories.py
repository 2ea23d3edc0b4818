"""Data categories: the one vocabulary for the personal data the CRM holds and shares
(DESIGN.md "Data categories"), and where in the CRM database each is held.

The data map, partial purges, legal holds and the residual check after an erasure all
read ``HELD_IN``; events and AI calls name what they carried in these words, as a
comma-separated ``data_categories`` column.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import schema


@dataclass(frozen=True)
class Category:
    name: str
    label: str
    # "table.column" in dashboard/schema.py that hold it; empty where the CRM keeps no copy
    # in the tables the back-office reads (the sub-processor or other CRM tables hold it).
    held_in: tuple[str, ...]


CATEGORIES: tuple[Category, ...] = (
    Category("name", "Name", ("contacts.full_name", "users.name", "rights_requests.subject_name")),
    Category("email", "Email address", (
        "contacts.email", "users.email", "workspaces.owner_email", "rights_requests.subject_email",
        "messages.to_address")),
    Category("phone", "Phone number", (
        "contacts.phone", "users.phone", "rights_requests.subject_phone", "messages.to_address")),
    Category("message_content", "Message content", ("messages.body",)),
    Category("call_audio", "Call audio", ()),  # recordings stay with the telephony provider
    Category("lead_form_data", "Lead form answers", ()),  # in CRM tables the back-office does not read
    Category("crm_notes", "CRM notes", ()),  # in CRM tables the back-office does not read
    Category("billing", "Billing records", (
        "invoices.billing_name", "invoices.billing_email", "invoices.gstin")),
    Category("device_usage", "Device and usage data", ("users.last_active_at",)),
)

NAMES: tuple[str, ...] = tuple(category.name for category in CATEGORIES)
BY_NAME: dict[str, Category] = {category.name: category for category in CATEGORIES}
HELD_IN: dict[str, tuple[str, ...]] = {category.name: category.held_in for category in CATEGORIES}


def parse(carried: str | None) -> frozenset[str]:
    """The names in a ``data_categories`` value ("name,phone" -> {"name", "phone"}).

    Unknown names are kept: a check that compares them with a declaration must see them.
    """
    if not carried:
        return frozenset()
    return frozenset(part.strip() for part in carried.split(",") if part.strip())


def unknown(names) -> set[str]:
    """The names that are not in the vocabulary."""
    return set(names) - set(NAMES)


def ordered(names) -> list[str]:
    """``names`` in the vocabulary's order, any unknown ones last, alphabetically."""
    return sorted(set(names), key=lambda name: (name not in BY_NAME, NAMES.index(name) if name in BY_NAME else 0, name))


def label(name: str) -> str:
    """The category's label, or the raw name when it is not in the vocabulary."""
    return BY_NAME[name].label if name in BY_NAME else name


def _check_columns() -> None:
    for category in CATEGORIES:
        for place in category.held_in:
            table, _, column = place.partition(".")
            if table not in schema.metadata.tables or column not in schema.metadata.tables[table].c:
                raise ValueError(f"Category {category.name!r} names {place!r}, which is not in dashboard/schema.py")


_check_columns()
