"""Personal data is masked by default; privacy and admin reveal one record, audited."""

import pandas as pd
import pytest

from dashboard.auth import masking
from dashboard.auth.roles import SignedInUser
from dashboard.core.errors import Forbidden
from dashboard.core.local import LocalCore
from tests.core.support import audit_rows


def test_a_name_keeps_its_initials_only():
    assert masking.name("Asha Rao") == "A••• R••"
    assert masking.name(None) == ""


def test_an_email_keeps_its_first_letters_and_top_level_domain():
    assert masking.email("asha.rao@example.in") == "a•••@e•••.in"
    assert "asha" not in masking.email("asha@localhost")


def test_a_phone_keeps_its_last_four_digits():
    assert masking.phone("+919812345678") == "•••••••••5678"


def test_a_missing_value_masks_to_nothing():
    assert [mask(float("nan")) for mask in (masking.name, masking.email, masking.phone)] == ["", "", ""]


def test_a_frame_is_masked_except_the_one_revealed_row():
    frame = pd.DataFrame({"id": [1, 2], "subject_name": ["Asha Rao", "Ravi Kumar"],
                          "subject_email": ["asha@x.in", "ravi@x.in"]})
    columns = {"subject_name": "name", "subject_email": "email"}

    assert masking.masked(frame, columns)["subject_name"].tolist() == ["A••• R••", "R••• K•••"]
    revealed = masking.masked(frame, columns, reveal_id=2)
    assert revealed["subject_email"].tolist() == ["a•••@x•••.in", "ravi@x.in"]


@pytest.mark.parametrize("role, allowed", [("privacy", True), ("admin", True),
                                           ("founder", False), ("ops", False)])
def test_only_privacy_and_admin_may_reveal_and_each_reveal_is_audited(engine, role, allowed):
    user = SignedInUser(f"{role}@zivo.in", role, role, "local")
    core = LocalCore(engine)

    assert masking.may_reveal(user) is allowed
    if allowed:
        masking.record_reveal(core, user, "rights_request", 7, ("name", "email"))
        masking.record_export(core, user, "rights_request", {"status": "open"})
    else:
        with pytest.raises(Forbidden):
            masking.record_reveal(core, user, "rights_request", 7, ("name",))

    rows = audit_rows(engine, action="personal_data.reveal")
    assert [row["outcome"] for row in rows] == (["ok", "ok"] if allowed else ["refused"])
    if allowed:
        assert rows[1]["detail"]["request"] == {"via": "csv_export", "status": "open"}
