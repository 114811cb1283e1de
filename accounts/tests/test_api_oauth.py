"""OAuth 2.0 as Mastodon apps use it: registration, the code flow with and
without PKCE, token grants, revocation, metadata."""

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from oauth2_provider.models import AccessToken

from accounts.models import Application

REDIRECT = "https://app.example/callback"


def register(api, **overrides):
    data = {"client_name": "Tooter", "redirect_uris": REDIRECT, "scopes": "read write", "website": ""}
    data.update(overrides)
    return api.post("/api/v1/apps", data)


def test_registering_an_app_returns_its_credentials_once(api, db):
    response = register(api, website="https://tooter.example")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Tooter"
    assert body["scopes"] == ["read", "write"]
    assert body["redirect_uris"] == [REDIRECT]
    app = Application.objects.get(client_id=body["client_id"])
    # Stored hashed: the plain secret exists only in this response.
    assert app.client_secret != body["client_secret"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client_name": ""}, "client_name"),
        ({"redirect_uris": ""}, "redirect_uris"),
        ({"redirect_uris": "javascript:alert(1)"}, "Redirect URI"),
        ({"scopes": "read destroy:everything"}, "Unknown scopes"),
    ],
)
def test_bad_registrations_are_422_and_store_nothing(api, db, overrides, message):
    response = register(api, **overrides)
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not Application.objects.exists()


def authorize(client, user, app_body, *, scope="read write", extra=None):
    client.force_login(user)
    params = {
        "response_type": "code",
        "client_id": app_body["client_id"],
        "redirect_uri": app_body["redirect_uris"][0],
        "scope": scope,
        "state": "xyz",
        **(extra or {}),
    }
    page = client.get("/oauth/authorize", params)
    assert page.status_code == 200, page.content
    assert app_body["name"] in page.content.decode()
    form = {key: value for key, value in page.context["form"].initial.items() if value is not None}
    form["allow"] = "Authorize"
    return client.post("/oauth/authorize", form)


def test_authorization_code_flow_with_pkce(api, client, ann):
    app = register(api).json()
    verifier = "a" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    response = authorize(
        client, ann, app, extra={"code_challenge": challenge, "code_challenge_method": "S256"}
    )
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    client.logout()

    wrong = client.post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": REDIRECT,
            "code_verifier": "b" * 50,
        },
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    # JSON bodies work as well as forms.
    token = client.post(
        "/oauth/token",
        json.dumps(
            {
                "grant_type": "authorization_code",
                "code": query["code"][0],
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
            }
        ),
        content_type="application/json",
    )
    assert token.status_code == 200, token.content
    assert token.json()["scope"] == "read write"


def test_code_flow_issues_a_token_that_works(api, client, ann):
    app = register(api).json()
    response = authorize(client, ann, app)
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    client.logout()
    token = client.post(
        "/oauth/token",
        json.dumps(
            {
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": REDIRECT,
            }
        ),
        content_type="application/json",
    )
    assert token.status_code == 200, token.content
    body = token.json()
    assert body["scope"] == "read write"
    assert body["token_type"] == "Bearer"
    assert isinstance(body["created_at"], int)
    verified = api.as_(body["access_token"]).get("/api/v1/apps/verify_credentials")
    assert verified.status_code == 200
    assert verified.json()["name"] == "Tooter"


def test_out_of_band_redirect_shows_the_code(api, client, ann):
    app = register(api, redirect_uris="urn:ietf:wg:oauth:2.0:oob").json()
    response = authorize(client, ann, app)
    assert response.status_code == 200
    code = response.context["code"]
    assert code
    assert code in response.content.decode()


def test_client_credentials_and_revoke(api, client, db):
    app = register(api).json()
    token = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": "read",
        },
    ).json()["access_token"]
    assert api.as_(token).get("/api/v1/apps/verify_credentials").status_code == 200
    revoked = client.post(
        "/oauth/revoke",
        {"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token},
    )
    assert revoked.status_code == 200
    assert revoked.json() == {}
    after = api.as_(token).get("/api/v1/apps/verify_credentials")
    assert after.status_code == 401
    assert after.json() == {"error": "The access token is invalid"}


def test_wrong_client_secret_is_refused(api, client, db):
    app = register(api).json()
    response = client.post(
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": app["client_id"], "client_secret": "nope"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


def test_unregistered_redirect_uri_is_refused(api, client, ann):
    app = register(api).json()
    client.force_login(ann)
    page = client.get(
        "/oauth/authorize",
        {"response_type": "code", "client_id": app["client_id"], "redirect_uri": "https://evil.example/"},
    )
    assert page.status_code == 400


def test_scopes_beyond_the_registration_are_refused(api, client, ann):
    app = register(api, scopes="read").json()
    client.force_login(ann)
    page = client.get(
        "/oauth/authorize",
        {"response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT, "scope": "write"},
    )
    assert page.status_code == 302
    assert "error=invalid_scope" in page["Location"]


def test_force_login_logs_out_first(api, client, ann):
    app = register(api).json()
    client.force_login(ann)
    response = client.get(
        "/oauth/authorize",
        {
            "response_type": "code",
            "client_id": app["client_id"],
            "redirect_uri": REDIRECT,
            "force_login": "true",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "force_login" not in parse_qs(urlsplit(response["Location"]).query)["next"][0]
    assert "_auth_user_id" not in client.session


def test_authorization_server_metadata(client, db):
    body = client.get("/.well-known/oauth-authorization-server").json()
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["token_endpoint"].endswith("/oauth/token")
    assert "read:statuses" in body["scopes_supported"]


@pytest.fixture
def oidc(settings):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": pem,
        # The views keep their OAuth server per class; make them build a new
        # one with the OIDC server class this test switched on.
        "ALWAYS_RELOAD_OAUTHLIB_CORE": True,
    }
    return key


def test_openid_connect_id_token_and_userinfo(api, client, ann, oidc):
    from jwcrypto import jwk, jwt

    discovery = client.get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "http://testserver"
    assert discovery["jwks_uri"].endswith("/oauth/jwks")
    app = register(api, scopes="read openid").json()
    response = authorize(client, ann, app, scope="read openid", extra={"nonce": "n-0S6"})
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    client.logout()
    body = client.post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": REDIRECT,
        },
    ).json()
    keys = jwk.JWKSet.from_json(client.get("/oauth/jwks").content)
    id_token = jwt.JWT(jwt=body["id_token"], key=keys, expected_type="JWS")
    header = json.loads(id_token.header)
    claims = json.loads(id_token.claims)
    assert header["alg"] == "RS256"
    assert claims["sub"] == str(ann.pk)
    assert claims["aud"] == app["client_id"]
    assert claims["nonce"] == "n-0S6"
    assert claims["preferred_username"] == "ann"
    info = client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert info["sub"] == str(ann.pk)
    assert info["profile"] == "http://testserver/ann/"


def test_openid_is_not_offered_without_a_key(api, client, ann, settings):
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_ENABLED": False,
        "OIDC_RSA_PRIVATE_KEY": "",
        "ALWAYS_RELOAD_OAUTHLIB_CORE": True,
    }
    app = register(api, scopes="read openid").json()
    assert app["scopes"] == ["read"]
    client.force_login(ann)
    page = client.get(
        "/oauth/authorize",
        {"response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT, "scope": "openid"},
    )
    assert "error=invalid_scope" in page["Location"]


@pytest.mark.parametrize("path", ["/oauth/userinfo", "/oauth/jwks", "/.well-known/openid-configuration"])
def test_openid_routes_say_so_when_oidc_is_off(client, db, settings, path):
    settings.DEBUG = True  # DOT's own views would raise ImproperlyConfigured here
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ENABLED": False, "OIDC_RSA_PRIVATE_KEY": ""}
    response = client.get(path)
    assert response.status_code == 404
    assert "OpenID Connect" in response.json()["error"]


def test_registration_fields_of_the_wrong_type_are_422(api, db):
    response = api.post(
        "/api/v1/apps",
        json_body={"client_name": "App", "redirect_uris": -5.1e16, "scopes": "read"},
    )
    assert response.status_code == 422
    assert "redirect_uris" in response.json()["error"]
    assert not Application.objects.exists()


def test_registration_takes_arrays_in_json(api, db):
    response = api.post(
        "/api/v1/apps",
        json_body={"client_name": "App", "redirect_uris": [REDIRECT, "app://cb"], "scopes": "read write"},
    )
    assert response.json()["redirect_uris"] == [REDIRECT, "app://cb"]


def test_userinfo_refusals_are_json(client, ann, oidc, token_for):
    no_token = client.get("/oauth/userinfo")
    assert no_token.status_code == 401
    assert no_token.json() == {"error": "The access token is invalid"}
    bearer = {"Authorization": f"Bearer {token_for(ann, 'read')}"}
    without_openid = client.get("/oauth/userinfo", headers=bearer)
    assert without_openid.status_code in (401, 403)
    assert "error" in without_openid.json()


def test_metadata_lists_mastodons_scopes(api, client, db, oidc):
    body = api.get("/.well-known/oauth-authorization-server").json()
    assert "openid" not in body["scopes_supported"]
    assert "openid" in client.get("/.well-known/openid-configuration").json()["scopes_supported"]
