"""The daily digest: each enabled back-office user gets their role's Attention list,
through the core's ``notify_user`` (``python -m dashboard digest``, from a morning cron).

Decisions:
- It runs as a system actor, ``DIGEST_ACTOR`` (``digest@system.zivo``, role admin: sending
  to back-office users needs the right to act on accounts). The audit log shows it as the
  sender; ``--actor`` names another.
- Once per user per Indian day: the idempotency key is ``digest:<user id>:<IST date>``, so
  a re-run the same day sends nothing twice, even if the list changed in between; tomorrow
  is a new key. The run first looks the day's keys up in the audit log to report who
  already has it (and skip the call); the core's replay of the key is the guarantee.
- A user with nothing on their list is sent nothing.
- The list carries no personal data (``dashboard.policy.attention``), so it may be mailed.
- An unreachable core stops the run at once (exit 3): the users not reached yet get their
  digest when it is run again, and those reached are not sent it twice. A refusal for one
  user (say, an account disabled meanwhile) is reported and the rest still go (exit 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from dashboard import clock, navigation
from dashboard.core.errors import CoreError, Unavailable
from dashboard.core.models import Actor
from dashboard.core.service import CoreService
from dashboard.policy import attention
from queries import attention as attention_q

DIGEST_ACTOR = Actor("digest@system.zivo", "admin")
KIND = "digest"

OK, SOME_REFUSED, CORE_UNREACHABLE = 0, 1, 3


@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)  # emails
    already_sent: list[str] = field(default_factory=list)  # earlier today
    nothing_to_send: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (email, message)
    unreachable: str | None = None

    @property
    def unreachable_message(self) -> str:
        return (f"The core service is unreachable: {self.unreachable} The digest stopped after "
                f"{len(self.sent)} sent; run it again: nobody is sent today's digest twice.")

    @property
    def exit_code(self) -> int:
        if self.unreachable is not None:
            return CORE_UNREACHABLE
        return SOME_REFUSED if self.refused else OK


def key_for(user_id: int, now: datetime) -> str:
    return f"{KIND}:{user_id}:{(now + clock.IST_OFFSET).date().isoformat()}"


def _items(count: int) -> str:
    return f"{count} item{'s' if count != 1 else ''}"


def subject_for(count: int, now: datetime) -> str:
    return (f"Zivo back-office: {_items(count)} need{'s' if count == 1 else ''} you today "
            f"({clock.format_ist(now, '%d %b %Y')})")


def run(engine: Engine, core: CoreService, now: datetime, *, actor: Actor = DIGEST_ACTOR,
        base_url: str = "", say: Callable[[str], None] = print) -> Outcome:
    """Send each enabled user their role's list; what happened, user by user."""
    pages = [spec.id for spec in navigation.PAGES]
    outcome = Outcome()
    lists: dict[str, list[attention.Item]] = {}  # one set of queries per role
    users = attention_q.recipients(engine).to_dict("records")
    done = attention_q.keys_done(engine, [key_for(int(user["id"]), now) for user in users])
    for user in users:
        role = user["role"]
        key = key_for(int(user["id"]), now)
        if key in done:  # the core would replay it anyway; this says so and saves the call
            outcome.already_sent.append(user["email"])
            say(f"{user['email']}: today's digest was already sent; nothing sent again.")
            continue
        if role not in lists:
            lists[role] = attention.items(attention_q.sources(engine, now, role), role, now)
        listed = lists[role]
        if not listed:
            outcome.nothing_to_send.append(user["email"])
            say(f"{user['email']}: nothing needs them today; nothing sent.")
            continue
        try:
            core.notify_user(actor, int(user["id"]), kind=KIND, subject=subject_for(len(listed), now),
                             body=attention.as_text(listed, role, pages, base_url),
                             idempotency_key=key)
        except Unavailable as error:
            outcome.unreachable = error.message  # the caller says so; nothing more is tried
            return outcome
        except CoreError as error:
            outcome.refused.append((user["email"], error.message))
            say(f"{user['email']}: refused: {error.message}")
            continue
        outcome.sent.append(user["email"])
        say(f"{user['email']}: today's digest sent ({_items(len(listed))}).")
    return outcome
