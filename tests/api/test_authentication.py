"""Bearer tokens in the Authorization header (accounts.api.authentication)."""

import pytest

VERIFY = "/api/v1/accounts/verify_credentials"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",  # no token
        "Bearer  ",
        "Basic YW5uOnNlY3JldA==",  # another scheme
        "Bearer one two",  # not one token
        "Token abc",
    ],
)
def test_a_malformed_authorization_header_is_a_401_with_a_json_error(client, ann, token_for, header):
    token_for(ann)  # a real token exists; these headers name none of it

    response = client.get(VERIFY, headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_scheme_is_case_insensitive_and_spaces_around_the_token_are_ignored(client, ann, token_for):
    token = token_for(ann)

    for header in (f"bearer {token}", f"BEARER   {token}  ", f"Bearer\t{token}"):
        response = client.get(VERIFY, headers={"Authorization": header})
        assert response.status_code == 200, header
        assert response.json()["username"] == "ann"


def test_a_token_of_another_user_signs_in_that_user(api, ann, bob, token_for):
    assert api.as_(token_for(bob)).get(VERIFY).json()["username"] == "bob"


def test_an_app_only_token_reads_public_endpoints_anonymously(api, token_for, db):
    response = api.as_(token_for(None, "read")).get(VERIFY)

    assert response.status_code == 401  # no user behind the token
    assert response.json() == {"error": "This method requires an authenticated user"}
    assert api.as_(token_for(None, "read")).get("/api/v1/timelines/public").status_code == 200
