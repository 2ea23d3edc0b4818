"""Single sign-on: with an [auth] provider configured, st.login is offered instead of local
accounts, and the role comes from the email → role map; an unmapped identity gets no page."""

import pytest

from tests.pages.conftest import new_app, texts


@pytest.fixture
def sso(app_db, tmp_path, monkeypatch):
    secrets = tmp_path / "sso-secrets.toml"
    secrets.write_text(
        '[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback"\ncookie_secret = "x"\n'
        'client_id = "id"\nclient_secret = "secret"\n'
        'server_metadata_url = "https://idp.example/.well-known/openid-configuration"\n'
        '[roles]\n"Asha@Zivocrm.in" = "privacy"\n'
    )
    monkeypatch.setenv("ZIVO_SECRETS_FILE", str(secrets))
    return app_db


def test_signed_out_people_are_offered_single_sign_on_not_a_password_form(sso):
    at = new_app()
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in with single sign-on"]
    assert not at.text_input


def test_a_mapped_identity_gets_its_role(sso):
    at = new_app()
    at.user = {"is_logged_in": True, "email": "asha@zivocrm.in", "name": "Asha"}
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]
    assert "asha@zivocrm.in" in texts(at.sidebar) and "Privacy officer" in texts(at.sidebar)


def test_an_unmapped_identity_gets_no_page(sso):
    at = new_app()
    at.user = {"is_logged_in": True, "email": "stranger@gmail.com"}
    at.run()
    assert "has no back-office role" in at.error[0].value
    assert not at.metric and not at.sidebar.get("page_link")
