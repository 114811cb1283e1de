"""Reading accounts through the Mastodon API: one account, lookup, search,
and relationships.

Responses are checked against Mastodon's OpenAPI description by the `api`
client. A status that description does not list for the operation (403 for
a missing scope or a suspended user's token, mostly) is requested with
validate=False and its body checked by error_of.
"""

import pytest

from accounts import services

from .conftest import error_of


def ids(response) -> list[str]:
    return [account["id"] for account in response.json()]


# --- GET /api/v1/accounts/:id ----------------------------------------------------


def test_an_account_is_public(api, ann):
    response = api.get(f"/api/v1/accounts/{ann.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(ann.pk)
    assert body["username"] == body["acct"] == "ann"
    assert body["display_name"] == "Ann"
    assert api.checked == 1


def test_a_protected_account_is_shown_locked(as_, bob, make_user):
    locked = make_user("locked", is_protected=True)
    response = as_(bob).get(f"/api/v1/accounts/{locked.pk}")
    assert response.status_code == 200
    assert response.json()["locked"] is True


def test_an_account_that_blocks_you_is_still_readable(as_, ann, bob):
    # Mastodon shows the profile; what is hidden are its tweets and lists.
    services.block(ann, bob)
    assert as_(bob).get(f"/api/v1/accounts/{ann.pk}").status_code == 200
    assert as_(ann).get(f"/api/v1/accounts/{bob.pk}").status_code == 200


@pytest.mark.parametrize("raw", ["999999", "abc", "0", "-1", "99999999999999999999", "1.5"])
def test_unknown_and_impossible_ids_are_not_found(api, db, raw):
    assert error_of(api.get(f"/api/v1/accounts/{raw}"), 404) == "Record not found"


def test_a_suspended_account_is_not_found_and_its_token_refused(as_, api, ann, bob, moderator):
    ann_api = as_(ann)
    services.suspend(moderator, ann)
    assert error_of(as_(bob).get(f"/api/v1/accounts/{ann.pk}"), 404) == "Record not found"
    assert error_of(api.get(f"/api/v1/accounts/{ann.pk}"), 404) == "Record not found"
    refused = ann_api.get(f"/api/v1/accounts/{bob.pk}", validate=False)
    assert error_of(refused, 403) == "Your login is currently disabled"


def test_a_trailing_slash_is_fine(api, ann):
    assert api.get(f"/api/v1/accounts/{ann.pk}/").status_code == 200


def test_a_bad_token_is_401_even_where_anonymous_may_read(api, ann):
    response = api.as_("not-a-token").get(f"/api/v1/accounts/{ann.pk}")
    assert error_of(response, 401) == "The access token is invalid"


# --- GET /api/v1/accounts/lookup ---------------------------------------------------


@pytest.mark.parametrize("acct", ["ann", "@ann", "ANN", "ann@testserver", "@ann@TestServer"])
def test_lookup_finds_a_local_username(api, ann, acct):
    response = api.get("/api/v1/accounts/lookup", {"acct": acct})
    assert response.status_code == 200
    assert response.json()["id"] == str(ann.pk)


@pytest.mark.parametrize("acct", ["", "nobody", "ann@elsewhere.example", "@", "a b"])
def test_lookup_of_no_local_account_is_not_found(api, ann, acct):
    assert error_of(api.get("/api/v1/accounts/lookup", {"acct": acct}), 404) == "Record not found"


def test_lookup_of_a_suspended_account_is_not_found(api, ann, moderator):
    services.suspend(moderator, ann)
    assert error_of(api.get("/api/v1/accounts/lookup", {"acct": "ann"}), 404) == "Record not found"


# --- GET /api/v1/accounts/search ---------------------------------------------------


@pytest.fixture
def people(make_user):
    return {
        "annie": make_user("annie", display_name="Annie Hall", followers_count=5),
        "anna": make_user("anna", display_name="Anna Karenina", followers_count=50),
        "dan": make_user("dan", display_name="Dan Annapurna"),
        "zed": make_user("zed", display_name="Zed"),
    }


def test_search_matches_username_prefixes_and_display_name_words(as_, ann, people):
    response = as_(ann).get("/api/v1/accounts/search", {"q": "ann"})
    assert response.status_code == 200
    # The exact username first, then the most followed.
    assert [a["username"] for a in response.json()] == ["ann", "anna", "annie", "dan"]
    by_name = as_(ann).get("/api/v1/accounts/search", {"q": "karen"})
    assert [a["username"] for a in by_name.json()] == ["anna"]
    two_words = as_(ann).get("/api/v1/accounts/search", {"q": "Annie Ha"})
    assert [a["username"] for a in two_words.json()] == ["annie"]


def test_search_leaves_out_suspended_and_blocked_accounts(as_, ann, people, moderator):
    services.suspend(moderator, people["annie"])
    services.block(ann, people["anna"])
    services.block(people["dan"], ann)
    response = as_(ann).get("/api/v1/accounts/search", {"q": "ann"})
    assert [a["username"] for a in response.json()] == ["ann"]


def test_search_can_keep_only_followed_accounts(as_, ann, people):
    services.follow(ann, people["dan"])
    response = as_(ann).get("/api/v1/accounts/search", {"q": "ann", "following": "true", "resolve": "true"})
    assert [a["username"] for a in response.json()] == ["dan"]


def test_search_pages_with_limit_and_offset(as_, ann, people):
    first = as_(ann).get("/api/v1/accounts/search", {"q": "ann", "limit": 2})
    rest = as_(ann).get("/api/v1/accounts/search", {"q": "ann", "limit": 2, "offset": 2})
    assert [a["username"] for a in first.json() + rest.json()] == ["ann", "anna", "annie", "dan"]


@pytest.mark.parametrize("q", ["", "   ", "%", "_", "'&|!:*", "@", "ann@elsewhere.example"])
def test_search_for_nothing_searchable_finds_nothing(as_, ann, people, q):
    response = as_(ann).get("/api/v1/accounts/search", {"q": q})
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "abc"}, {"offset": "-1"}, {"following": "x"}])
def test_search_with_bad_parameters_is_422(as_, ann, params):
    response = as_(ann).get("/api/v1/accounts/search", {"q": "ann", **params})
    error_of(response, 422)


def test_search_needs_a_user_token_with_the_scope(api, as_, ann, token_for):
    assert error_of(api.get("/api/v1/accounts/search", {"q": "ann"}), 401)
    assert error_of(api.as_(token_for(None)).get("/api/v1/accounts/search", {"q": "a"}), 401)
    refused = as_(ann, "read:statuses").get("/api/v1/accounts/search", {"q": "ann"}, validate=False)
    assert error_of(refused, 403) == "This action is outside the authorized scopes"
    assert as_(ann, "read:accounts").get("/api/v1/accounts/search", {"q": "ann"}).status_code == 200


def test_search_is_one_query_whatever_it_finds(as_, ann, make_user, django_assert_max_num_queries):
    for n in range(30):
        make_user(f"anne{n}", display_name=f"Anne {n}")
    client = as_(ann)
    # The token, its user, the viewer's follows and blocks, the search and,
    # around it, a transaction's begin, planner settings and end.
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/accounts/search", {"q": "ann", "limit": 80})
    assert len(response.json()) == 31


# --- GET /api/v1/accounts/relationships ----------------------------------------------


def test_relationships_in_the_order_asked(as_, ann, bob, carol, make_user):
    locked = make_user("locked", is_protected=True)
    services.follow(ann, bob)
    services.follow(carol, ann)
    services.follow(ann, locked)
    services.mute(ann, carol)
    response = as_(ann).get(
        "/api/v1/accounts/relationships", {"id[]": [str(locked.pk), str(bob.pk), str(carol.pk), str(ann.pk)]}
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body] == [str(locked.pk), str(bob.pk), str(carol.pk), str(ann.pk)]
    assert body[0]["requested"] is True
    assert body[0]["following"] is False
    assert body[1]["following"] is True
    assert body[2]["followed_by"] is True
    assert body[2]["muting"] is True
    assert not any(value for key, value in body[3].items() if isinstance(value, bool))


def test_relationships_across_blocks_and_requests(as_, ann, bob, carol, make_user):
    locked = make_user("locked", is_protected=True)
    services.block(ann, bob)
    services.block(carol, ann)
    services.follow(ann, locked)
    body = as_(locked).get("/api/v1/accounts/relationships", {"id[]": [str(ann.pk)]}).json()
    assert body[0]["requested_by"] is True
    blocks = as_(ann).get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk), str(carol.pk)]}).json()
    assert blocks[0]["blocking"] is True
    assert blocks[1]["blocked_by"] is True


def test_relationships_skip_unknown_impossible_and_suspended_ids(as_, ann, bob, carol, moderator):
    services.suspend(moderator, carol)
    asked = {"id[]": ["abc", str(bob.pk), "999999", str(carol.pk), str(bob.pk), "-3"]}
    response = as_(ann).get("/api/v1/accounts/relationships", asked)
    assert [r["id"] for r in response.json()] == [str(bob.pk)]
    with_suspended = as_(ann).get("/api/v1/accounts/relationships", {**asked, "with_suspended": "true"})
    assert [r["id"] for r in with_suspended.json()] == [str(bob.pk), str(carol.pk)]
    # A single `id` works as well as `id[]`.
    single = as_(ann).get("/api/v1/accounts/relationships", {"id": str(bob.pk)})
    assert [r["id"] for r in single.json()] == [str(bob.pk)]
    assert as_(ann).get("/api/v1/accounts/relationships").json() == []


def test_relationships_refuse_too_many_ids(as_, ann):
    many = {"id[]": [str(n) for n in range(1, 100)]}
    error_of(as_(ann).get("/api/v1/accounts/relationships", many), 422)


def test_relationships_need_a_user_token_with_the_scope(api, as_, ann, bob):
    error_of(api.get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk)]}), 401)
    refused = as_(ann, "read:accounts").get("/api/v1/accounts/relationships", validate=False)
    error_of(refused, 403)
    for scopes in ("read:follows", "follow", "read"):
        assert as_(ann, scopes).get("/api/v1/accounts/relationships").status_code == 200


def test_relationships_are_one_query(as_, ann, make_user, django_assert_max_num_queries):
    others = [make_user() for _ in range(20)]
    client = as_(ann)
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/accounts/relationships", {"id[]": [str(u.pk) for u in others]})
    assert len(response.json()) == 20
