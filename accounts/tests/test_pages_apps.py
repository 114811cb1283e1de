"""Settings → Apps: the apps that may use an account, and revoking them."""

from oauth2_provider.models import AccessToken

from accounts.models import Application


def test_lists_the_apps_holding_a_token(client, ann, bob, token_for):
    token_for(ann, "read write")
    token_for(bob, "read")
    client.force_login(ann)
    page = client.get("/settings/apps/")
    assert page.status_code == 200
    assert [app.name for app in page.context["apps"]] == ["Test app"]
    assert b"Revoke" in page.content


def test_revoking_ends_every_token_of_that_app(client, api, ann, bob, token_for):
    mine = token_for(ann, "read")
    theirs = token_for(bob, "read")
    app = Application.objects.get()
    client.force_login(ann)
    response = client.post(f"/settings/apps/{app.pk}/revoke/")
    assert response.status_code == 302
    assert not AccessToken.objects.filter(user=ann).exists()
    assert api.as_(mine).get("/api/v1/accounts/verify_credentials").status_code == 401
    # Bob's authorization of the same app is his own.
    assert api.as_(theirs).get("/api/v1/accounts/verify_credentials").status_code == 200


def test_an_app_without_my_token_is_404(client, ann, bob, token_for):
    token_for(bob, "read")
    app = Application.objects.get()
    client.force_login(ann)
    assert client.post(f"/settings/apps/{app.pk}/revoke/").status_code == 404
    assert AccessToken.objects.filter(user=bob).exists()


def test_anonymous_goes_to_log_in(client, db):
    assert client.get("/settings/apps/")["Location"].startswith("/accounts/login/")
    assert client.post("/settings/apps/1/revoke/")["Location"].startswith("/accounts/login/")


def test_revoking_needs_a_post(client, ann, token_for):
    token_for(ann, "read")
    client.force_login(ann)
    assert client.get(f"/settings/apps/{Application.objects.get().pk}/revoke/").status_code == 405
