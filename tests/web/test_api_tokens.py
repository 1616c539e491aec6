"""Personal API tokens on the account page: made with a name, scopes and an expiry, the secret shown once and
stored only as its SHA-256, revoked by their owner alone."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ApiToken, Event


def _make(client, auth, **form):
    data = {"name": "Отчёты для портала", "scopes": "read", "days": "30", **form}
    return client.post("/account/tokens", data={"csrf_token": auth.csrf("/account/tokens"), **data})


def _secret(page) -> str:
    return re.search(r'id="new-token">(dfl_[A-Za-z0-9_-]{43})<', page.get_data(as_text=True)).group(1)


def test_a_token_is_shown_once_and_stored_hashed(demo_app, client, auth):
    auth.login("executor", "demo")
    page = _make(client, auth, scopes="read write", days="90")
    assert page.status_code == 201
    secret = _secret(page)
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and secret[:12] in again and "Отчёты для портала" in again
    assert "чтение и запись" in again
    with demo_app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (row.prefix, row.name) and row.scopes == "read write"
        assert (row.expires_at - row.created_at).days == 90
        event = db.session.scalar(select(Event).where(Event.action == "api_token.create"))
        assert secret not in str(event.after)


@pytest.mark.parametrize("form", [{"name": ""}, {"scopes": "admin"}, {"days": "3650"}, {"name": "x" * 101}])
def test_a_token_needs_a_name_known_scopes_and_an_offered_expiry(demo_app, client, auth, form):
    auth.login("executor", "demo")
    page = _make(client, auth, **form)
    assert page.status_code == 400 and 'id="new-token"' not in page.get_data(as_text=True)
    with demo_app.app_context():
        assert db.session.scalar(select(ApiToken)) is None


def test_only_the_owner_revokes_a_token(demo_app, client, auth):
    auth.login("head", "demo")
    _make(client, auth)
    with demo_app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    auth.logout()
    auth.login("executor", "demo")
    assert client.post(f"/account/tokens/{token_id}/revoke",
                       data={"csrf_token": auth.csrf("/account/tokens")}).status_code == 404
    auth.logout()
    auth.login("head", "demo")
    assert client.post(f"/account/tokens/{token_id}/revoke", data={}).status_code == 400  # no CSRF token
    assert client.post(f"/account/tokens/{token_id}/revoke",
                       data={"csrf_token": auth.csrf("/account/tokens")}).status_code == 302
    assert "отозван" in client.get("/account/tokens").get_data(as_text=True)
    with demo_app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is not None
        assert db.session.scalar(select(Event).where(Event.action == "api_token.revoke")) is not None
