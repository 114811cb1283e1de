"""The OAuth pages in a real browser: an app asks, the person approves or
denies, and later revokes it in settings."""

import pytest
from playwright.sync_api import expect

from accounts.applications import register_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OOB = "urn:ietf:wg:oauth:2.0:oob"


def authorize_url(app, scope="read+write") -> str:
    return f"/oauth/authorize?response_type=code&client_id={app.client_id}&redirect_uri={OOB}&scope={scope}"


def test_approve_an_app_then_revoke_it(page, log_in, ann):
    app, secret = register_application(name="Pocket Chirp", redirect_uris=[OOB], scopes="read write")
    log_in(ann)
    page.goto(authorize_url(app))
    expect(page.get_by_role("heading", name="Authorize Pocket Chirp?")).to_be_visible()
    expect(page.get_by_text("Change your statuses")).to_have_count(0)  # `write` is listed as a whole
    expect(page.get_by_text("Read all your account's data")).to_be_visible()
    page.get_by_role("button", name="Authorize").click()
    code = page.get_by_label("Authorization code")
    expect(code).not_to_have_value("")
    # The app exchanges the code the person pasted into it.
    token = page.request.post(
        "/oauth/token",
        form={
            "grant_type": "authorization_code",
            "code": code.input_value(),
            "client_id": app.client_id,
            "client_secret": secret,
            "redirect_uri": OOB,
        },
    )
    assert token.ok, token.text()

    page.goto("/settings/apps/")
    expect(page.get_by_role("strong").filter(has_text="Pocket Chirp")).to_be_visible()
    page.get_by_role("button", name="Revoke Pocket Chirp").click()
    expect(page.get_by_text("Pocket Chirp can no longer use your account.")).to_be_visible()
    expect(page.get_by_text("No app can use your account.")).to_be_visible()


def test_deny_an_app(page, log_in, ann):
    app, _ = register_application(name="Nosy App", redirect_uris=[OOB], scopes="read")
    log_in(ann)
    page.goto(authorize_url(app, scope="read"))
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_role("heading", name="Nosy App was not authorized")).to_be_visible()
