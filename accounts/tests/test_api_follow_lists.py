"""The followers and following lists through the Mastodon API: paging by
row id with Link headers, and who may see them (see test_api_accounts for
validate=False)."""

import pytest

from accounts import services

from .conftest import error_of, link


def ids(response) -> list[str]:
    return [account["id"] for account in response.json()]


@pytest.fixture
def fans(make_user, ann):
    """Five accounts following ann, the newest last."""
    users = [make_user(f"fan{n}") for n in range(5)]
    for user in users:
        services.follow(user, ann)
    return users


def test_followers_newest_first_with_link_headers(api, ann, fans):
    path = f"/api/v1/accounts/{ann.pk}/followers"
    first = api.get(path, {"limit": 2})
    assert first.status_code == 200
    assert ids(first) == [str(fans[4].pk), str(fans[3].pk)]
    assert first["Link"].startswith(f"<http://testserver{path}?limit=2&max_id=")
    next_path, next_query = link(first, "next")
    assert next_path == path
    assert next_query["limit"] == "2"
    second = api.get(next_path, next_query)
    assert ids(second) == [str(fans[2].pk), str(fans[1].pk)]
    last = api.get(*link(second, "next"))
    assert ids(last) == [str(fans[0].pk)]
    # Not full: no next page, only the way back, which leads to the newer ones.
    assert link(last, "next") is None
    assert ids(api.get(*link(last, "prev"))) == [str(fans[2].pk), str(fans[1].pk)]


def test_followers_min_id_and_since_id_page_towards_newer(api, ann, fans):
    path = f"/api/v1/accounts/{ann.pk}/followers"
    everything = api.get(path)
    assert api.get(*link(everything, "prev")).json() == []
    oldest_row = link(api.get(path, {"limit": 5}), "next")[1]["max_id"]
    # min_id: the oldest ones after the cursor, still shown newest first.
    assert ids(api.get(path, {"min_id": oldest_row, "limit": 2})) == [str(fans[2].pk), str(fans[1].pk)]
    # since_id: the newest ones after the cursor.
    assert ids(api.get(path, {"since_id": oldest_row, "limit": 2})) == [str(fans[4].pk), str(fans[3].pk)]
    assert ids(api.get(path, {"max_id": 2**62, "limit": 1})) == [str(fans[4].pk)]


def test_following_lists_whom_an_account_follows(api, ann, bob, carol):
    services.follow(ann, bob)
    services.follow(ann, carol)
    response = api.get(f"/api/v1/accounts/{ann.pk}/following")
    assert ids(response) == [str(carol.pk), str(bob.pk)]
    assert "Link" in response  # a prev link; no next since the page is not full
    assert 'rel="next"' not in response["Link"]


def test_an_empty_list_has_no_link_header(api, ann):
    response = api.get(f"/api/v1/accounts/{ann.pk}/following")
    assert response.json() == []
    assert "Link" not in response


def test_lists_leave_out_suspended_accounts(api, ann, fans, moderator):
    services.suspend(moderator, fans[0])
    assert str(fans[0].pk) not in ids(api.get(f"/api/v1/accounts/{ann.pk}/followers"))
    services.suspend(moderator, ann)
    assert error_of(api.get(f"/api/v1/accounts/{ann.pk}/followers"), 404) == "Record not found"
    assert error_of(api.get(f"/api/v1/accounts/{ann.pk}/following"), 404) == "Record not found"


@pytest.mark.parametrize("which", ["followers", "following"])
def test_a_protected_accounts_lists_are_for_itself_and_its_followers(api, as_, make_user, bob, carol, which):
    locked = make_user("locked", is_protected=True)
    services.follow(bob, locked)
    services.approve_follow_request(locked, bob)
    services.follow(locked, carol)
    path = f"/api/v1/accounts/{locked.pk}/{which}"
    expected = [str(bob.pk)] if which == "followers" else [str(carol.pk)]
    assert ids(as_(locked).get(path)) == expected
    assert ids(as_(bob).get(path)) == expected
    assert ids(as_(carol).get(path)) == []  # followed by, not following: no
    assert ids(api.get(path)) == []


@pytest.mark.parametrize("blocker", ["ann", "bob"])
def test_lists_are_empty_across_a_block(as_, ann, bob, carol, blocker):
    services.follow(carol, ann)
    if blocker == "ann":
        services.block(ann, bob)
    else:
        services.block(bob, ann)
    assert ids(as_(bob).get(f"/api/v1/accounts/{ann.pk}/followers")) == []
    assert ids(as_(carol).get(f"/api/v1/accounts/{ann.pk}/followers")) == [str(carol.pk)]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"limit": "0"}, 422),
        ({"limit": "-1"}, 422),
        ({"limit": "abc"}, 422),
        ({"max_id": "abc"}, 422),
        ({"min_id": "-5"}, 422),
    ],
)
def test_lists_with_bad_parameters_are_refused(api, ann, params, status):
    error_of(api.get(f"/api/v1/accounts/{ann.pk}/followers", params), status)


def test_a_limit_over_80_is_clamped(api, make_user, ann):
    for _ in range(81):
        services.follow(make_user(), ann)
    assert len(api.get(f"/api/v1/accounts/{ann.pk}/followers", {"limit": 500}).json()) == 80
    assert len(api.get(f"/api/v1/accounts/{ann.pk}/followers").json()) == 40


def test_lists_are_a_fixed_number_of_queries(as_, ann, bob, make_user, django_assert_max_num_queries):
    for n in range(30):
        user = make_user(f"many{n}")
        services.follow(user, ann)
        services.follow(ann, user)
    client = as_(bob)
    for which in ("followers", "following"):
        # token + user, the account, the visibility check (block, follow), the page
        with django_assert_max_num_queries(6):
            response = client.get(f"/api/v1/accounts/{ann.pk}/{which}", {"limit": 80})
        assert len(response.json()) == 30
