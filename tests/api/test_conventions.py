"""The Mastodon API's conventions, on every route: rate limits, errors,
optional trailing slashes, CORS, the schema, and scopes declared per method."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from api.views import MastodonView


def register(client, path="/api/v1/apps"):
    return client.post(path, {"client_name": "App", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"})


def test_rate_limit_headers_on_every_response(client, db):
    ok = register(client)
    refused = client.get("/api/v1/apps/verify_credentials", headers={"Authorization": "Bearer nope"})
    assert ok.status_code == 200
    assert refused.status_code == 401
    for response in (ok, refused):
        assert int(response["X-RateLimit-Limit"]) > 0
        assert int(response["X-RateLimit-Remaining"]) >= 0
        assert response["X-RateLimit-Reset"].endswith("Z")


def test_exceeding_a_limit_is_429_with_retry_after(client, db, settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "apps": "2/300"}
    assert register(client).status_code == 200
    second = register(client)
    assert second["X-RateLimit-Remaining"] == "0"
    third = register(client)
    assert third.status_code == 429
    assert third.json() == {"error": "Too many requests"}
    assert 0 < int(third["Retry-After"]) <= 300


def test_the_default_limit_counts_per_address(client, db, settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "default": "2/300"}
    for _ in range(2):
        client.get("/api/v1/apps/verify_credentials")
    assert client.get("/api/v1/apps/verify_credentials").status_code == 429
    other = client.get("/api/v1/apps/verify_credentials", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 401


def test_trailing_slash_is_optional_even_on_post(client, db):
    assert register(client, "/api/v1/apps/").status_code == 200


def test_unknown_api_routes_are_json_404(client, db):
    response = client.get("/api/v1/no_such_thing")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


def test_wrong_method_is_json_405(client, db):
    response = client.delete("/api/v1/apps")
    assert response.status_code == 405
    assert "error" in response.json()


def test_malformed_json_is_400_not_500(client, db):
    response = client.post("/api/v1/apps", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_cors_is_open_and_exposes_link_and_rate_limits(client, db):
    preflight = client.options(
        "/api/v1/timelines/public",
        headers={"Origin": "https://web.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    response = client.get("/api/v1/apps/verify_credentials", headers={"Origin": "https://web.example"})
    exposed = response["Access-Control-Expose-Headers"]
    for header in ("Link", "X-RateLimit-Remaining"):
        assert header in exposed
    assert "Access-Control-Allow-Origin" not in client.get("/health/", headers={"Origin": "https://x"})


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/apps" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def _api_views(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if view_class and issubclass(view_class, MastodonView):
                yield pattern, view_class


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_every_api_method_declares_its_scope(method):
    views = list(_api_views())
    assert views
    for pattern, view_class in views:
        if hasattr(view_class, method):
            assert method.upper() in getattr(view_class, "scopes", {}), f"{pattern.pattern} {method}"


def test_a_json_body_that_is_not_an_object_is_400(client, db):
    response = client.post("/api/v1/apps", "[]", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "The request body must be an object"}


@pytest.mark.parametrize(
    ("query", "body", "content_type"),
    [
        ("", json.dumps({"client_name": "a\u0000b"}), "application/json"),
        ("", "client_name=a%00b", "application/x-www-form-urlencoded"),
        ("?q=%00", "{}", "application/json"),
    ],
)
def test_nul_characters_are_400_before_reaching_postgresql(client, db, query, body, content_type):
    response = client.post(f"/api/v1/apps{query}", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {"error": "The request contains a NUL character"}


def test_nul_characters_in_a_token_request_are_400(client, db):
    response = client.post("/oauth/token", {"grant_type": "client_credentials", "client_id": "a\x00"})
    assert response.status_code == 400


def test_token_requests_are_limited_per_address(client, db, settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "auth": "2/300"}
    guess = {"grant_type": "client_credentials", "client_id": "guess", "client_secret": "guess"}
    assert [client.post("/oauth/token", guess).status_code for _ in range(3)] == [401, 401, 429]
    refused = client.post("/oauth/token", guess)
    assert refused.json() == {"error": "Too many requests"}
    assert int(refused["Retry-After"]) > 0
    assert refused["X-RateLimit-Remaining"] == "0"


def test_the_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
