"""Test support for every app's API tests: tokens, and responses checked
against Mastodon's OpenAPI description (../shared/mastodon-openapi.json,
vendored as api/mastodon-openapi.json)."""

import json
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse

SPEC_PATH = Path(__file__).with_name("mastodon-openapi.json")
HOST = "https://mastodon.example"


def fix_known_errors(spec: dict) -> dict:
    """Correct two mistakes of the generated description, where it contradicts
    Mastodon's documentation and its server (and so every real response):

    - Status.quote is `oneOf` Quote / ShallowQuote, which share their only
      required property, so any quote object matches both and fails `oneOf`.
    - GET /api/v1/filters answers a list of V1::Filter ("List of" says its
      own description), not one.
    """
    quote = spec["components"]["schemas"]["Status"]["properties"]["quote"]
    quote["anyOf"] = quote.pop("oneOf")
    filters = spec["paths"]["/api/v1/filters"]["get"]["responses"]["200"]["content"]["application/json"]
    filters["schema"] = {"type": "array", "items": filters["schema"]}
    return spec


def load_spec() -> dict:
    return fix_known_errors(json.loads(SPEC_PATH.read_text()))


@cache
def mastodon_spec() -> OpenAPI:
    return OpenAPI.from_dict(load_spec())


def check_response(method: str, path: str, query: dict | None, status: int, body: bytes, content_type: str):
    """Raise if the response breaks Mastodon's schema for that operation.

    Returns False when the spec does not describe the operation (nothing
    to check against), True when it was checked.
    """
    request = MockRequest(HOST, method.lower(), path, args=query or {})
    response = MockResponse(body, status_code=status, content_type=content_type or "application/json")
    try:
        mastodon_spec().validate_response(request, response)
    except (PathNotFound, OperationNotFound):
        return False
    except ResponseNotFound:
        # The description lists few error statuses per operation (no 403 on
        # most); an unlisted error must still be Mastodon's error shape.
        if not 400 <= status < 500:
            raise
        error = json.loads(body).get("error")
        if not isinstance(error, str) or not error:
            raise AssertionError(f"{method} {path} -> {status} without an error message: {body!r}") from None
    return True


class MastodonClient:
    """Django's test client speaking the API: bearer token, JSON, and every
    response validated against Mastodon's description before it is returned."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token
        self.checked = 0

    def as_(self, token: str | None) -> "MastodonClient":
        return MastodonClient(self.client, token)

    def request(self, method: str, path: str, data=None, *, json_body=None, validate=True, **extra):
        headers = dict(extra.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        query = {}
        call = getattr(self.client, method.lower())
        if method.upper() == "GET":
            query = data or {}
            response = call(path, data, headers=headers, **extra)
        elif method.upper() == "DELETE" and data is None and json_body is None:
            response = call(path, headers=headers, **extra)
        elif json_body is not None:
            response = call(
                path, json.dumps(json_body), content_type="application/json", headers=headers, **extra
            )
        else:
            response = call(path, data or {}, headers=headers, **extra)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if (
            validate
            and is_json
            and check_response(
                method, path, query, response.status_code, response.content, response["Content-Type"]
            )
        ):
            self.checked += 1
        return response

    def get(self, path, params=None, **extra):
        return self.request("GET", path, params, **extra)

    def post(self, path, data=None, **extra):
        return self.request("POST", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self.request("PUT", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self.request("PATCH", path, data, **extra)

    def delete(self, path, **extra):
        return self.request("DELETE", path, **extra)


def query_string(params: dict) -> str:
    return urlencode(params, doseq=True)
