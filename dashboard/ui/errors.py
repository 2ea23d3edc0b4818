"""Failures become a short message with what to do next, never a traceback.

Details go to the server log by exception type and a reference the person can quote;
messages of database errors are not logged as they are, since they can echo values.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import DBAPIError, OperationalError

from dashboard import settings as settings_module

log = logging.getLogger("zivo.backoffice")

UNREACHABLE = (
    "The CRM database is unreachable right now, so nothing can be shown or changed. "
    "Try again in a minute; if it persists, tell the ops on-call (the database may be down "
    "or DATABASE_URL may point at the wrong host)."
)


def settings_or_stop() -> settings_module.Settings:
    try:
        return settings_module.load()
    except settings_module.SettingsError as error:
        st.error(f"The back-office is misconfigured: {error}")
        st.stop()


@contextmanager
def shown_as_message() -> Iterator[None]:
    """Run a page; turn a failure into a message. Streamlit's stop and rerun pass through
    (they are BaseException, not Exception)."""
    try:
        yield
    except OperationalError:
        log.warning("database unreachable")
        st.error(UNREACHABLE)
    except DBAPIError as error:
        if error.connection_invalidated:
            log.warning("database connection lost")
            st.error(UNREACHABLE)
        else:
            _unexpected(error)
    except Exception as error:  # the last net: no traceback reaches the page
        _unexpected(error)


def _unexpected(error: Exception) -> None:
    reference = uuid.uuid4().hex[:8]
    # The stack without the message: a message can carry the values it failed on.
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected %s (ref %s)\n%s", type(error).__name__, reference, stack)
    st.error(
        f"Something went wrong and nothing was changed. Reload the page; if it happens again, "
        f"give the ops team the reference {reference}."
    )
