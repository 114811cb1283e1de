"""Changing relationships through the Mastodon API (follow, block, mute...),
follow requests, and the blocks and mutes lists (see test_api_accounts for
validate=False)."""

import pytest

from accounts import services
from accounts.models import Block, Follow, FollowRequest, Mute

from .conftest import error_of, link


def ids(response) -> list[str]:
    return [account["id"] for account in response.json()]


def act(client, action, user, **extra):
    return client.post(f"/api/v1/accounts/{user.pk}/{action}", **extra)


# --- follow / unfollow / remove_from_followers -------------------------------------------


def test_follow_and_unfollow(as_, ann, bob):
    client = as_(ann)
    response = act(client, "follow", bob)
    assert response.status_code == 200
    assert response.json()["id"] == str(bob.pk)
    assert response.json()["following"] is True
    # Following again changes nothing and is no error, as in Mastodon.
    assert act(client, "follow", bob).json()["following"] is True
    assert Follow.objects.filter(follower=ann, followee=bob).count() == 1
    unfollowed = act(client, "unfollow", bob)
    assert unfollowed.json()["following"] is False
    assert act(client, "unfollow", bob).status_code == 200
    assert not Follow.objects.exists()


def test_following_a_protected_account_is_a_request(as_, ann, make_user):
    locked = make_user("locked", is_protected=True)
    client = as_(ann)
    body = act(client, "follow", locked).json()
    assert (body["following"], body["requested"]) == (False, True)
    assert act(client, "follow", locked).json()["requested"] is True
    withdrawn = act(client, "unfollow", locked).json()
    assert withdrawn["requested"] is False
    assert not FollowRequest.objects.exists()


def test_follow_refusals(as_, ann, bob, carol, moderator):
    client = as_(ann)
    assert "yourself" in error_of(act(client, "follow", ann), 422)
    services.block(bob, ann)
    assert error_of(act(client, "follow", bob), 403) == "You can't follow this account."
    services.block(ann, carol)
    assert error_of(act(client, "follow", carol), 403) == "You can't follow this account."
    services.suspend(moderator, bob)
    assert error_of(act(client, "follow", bob), 404) == "Record not found"
    assert not Follow.objects.exists()


@pytest.mark.parametrize("raw", ["abc", "999999", "0"])
@pytest.mark.parametrize(
    "action", ["follow", "unfollow", "block", "unblock", "mute", "unmute", "remove_from_followers"]
)
def test_actions_on_unknown_accounts_are_not_found(as_, ann, raw, action):
    response = as_(ann).post(f"/api/v1/accounts/{raw}/{action}")
    assert error_of(response, 404) == "Record not found"


@pytest.mark.parametrize(
    ("action", "scope", "other_scope"),
    [
        ("follow", "write:follows", "write:blocks"),
        ("unfollow", "write:follows", "write:mutes"),
        ("remove_from_followers", "write:follows", "read:follows"),
        ("block", "write:blocks", "write:follows"),
        ("unblock", "write:blocks", "write:mutes"),
        ("mute", "write:mutes", "write:blocks"),
        ("unmute", "write:mutes", "read"),
    ],
)
def test_actions_need_their_scope(api, as_, ann, bob, token_for, action, scope, other_scope):
    assert error_of(act(api, action, bob), 401) == "The access token is invalid"
    assert error_of(act(api.as_(token_for(None)), action, bob), 401)
    refused = act(as_(ann, other_scope), action, bob, validate=False)
    assert error_of(refused, 403) == "This action is outside the authorized scopes"
    for scopes in (scope, "write", "follow"):  # Mastodon's legacy `follow` covers them all
        assert act(as_(ann, scopes), action, bob).status_code == 200


def test_a_suspended_users_token_is_refused(as_, ann, bob, moderator):
    client = as_(ann)
    services.suspend(moderator, ann)
    response = act(client, "follow", bob)
    assert error_of(response, 403) == "Your login is currently disabled"
    assert not Follow.objects.exists()


def test_remove_from_followers(as_, ann, bob):
    services.follow(bob, ann)
    body = act(as_(ann), "remove_from_followers", bob).json()
    assert body["followed_by"] is False
    assert not Follow.objects.exists()


# --- block / mute --------------------------------------------------------------------


def test_block_ends_follows_both_ways_and_unblock_undoes_it(as_, ann, bob):
    services.follow(ann, bob)
    services.follow(bob, ann)
    client = as_(ann)
    body = act(client, "block", bob).json()
    assert body["blocking"] is True
    assert (body["following"], body["followed_by"]) == (False, False)
    assert not Follow.objects.exists()
    assert act(client, "block", bob).status_code == 200  # idempotent
    seen_by_bob = as_(bob).get("/api/v1/accounts/relationships", {"id[]": [str(ann.pk)]}).json()
    assert seen_by_bob[0]["blocked_by"] is True
    assert act(client, "unblock", bob).json()["blocking"] is False
    assert not Block.objects.exists()


def test_mute_and_unmute(as_, ann, bob):
    client = as_(ann)
    body = act(client, "mute", bob).json()
    assert (body["muting"], body["muting_notifications"]) == (True, True)
    assert act(client, "unmute", bob).json()["muting"] is False
    assert not Mute.objects.exists()


@pytest.mark.parametrize("action", ["block", "mute"])
def test_blocking_or_muting_oneself_is_422(as_, ann, action):
    assert "yourself" in error_of(act(as_(ann), action, ann), 422)


# --- follow requests -----------------------------------------------------------------


@pytest.fixture
def locked(make_user):
    return make_user("locked", is_protected=True)


def test_follow_requests_are_listed_newest_first_and_paged(as_, locked, make_user):
    askers = [make_user(f"asker{n}") for n in range(3)]
    for user in askers:
        services.follow(user, locked)
    client = as_(locked)
    first = client.get("/api/v1/follow_requests", {"limit": 2})
    assert first.status_code == 200
    assert ids(first) == [str(askers[2].pk), str(askers[1].pk)]
    rest = client.get(*link(first, "next"))
    assert ids(rest) == [str(askers[0].pk)]
    assert link(rest, "next") is None


def test_authorize_and_reject_follow_requests(as_, locked, ann, bob):
    services.follow(ann, locked)
    services.follow(bob, locked)
    client = as_(locked)
    authorized = client.post(f"/api/v1/follow_requests/{ann.pk}/authorize")
    assert authorized.status_code == 200
    assert authorized.json()["id"] == str(ann.pk)
    assert authorized.json()["followed_by"] is True
    rejected = client.post(f"/api/v1/follow_requests/{bob.pk}/reject")
    assert (rejected.json()["followed_by"], rejected.json()["requested_by"]) == (False, False)
    assert Follow.objects.filter(follower=ann, followee=locked).exists()
    assert not FollowRequest.objects.exists()
    assert client.get("/api/v1/follow_requests").json() == []


@pytest.mark.parametrize("answer", ["authorize", "reject"])
def test_answering_a_request_that_does_not_exist_is_not_found(as_, locked, ann, bob, answer):
    services.follow(ann, locked)
    # bob asked nothing; ann's request is locked's to answer, not bob's.
    assert error_of(as_(locked).post(f"/api/v1/follow_requests/{bob.pk}/{answer}"), 404)
    assert error_of(as_(bob).post(f"/api/v1/follow_requests/{ann.pk}/{answer}"), 404)
    assert error_of(as_(locked).post(f"/api/v1/follow_requests/abc/{answer}"), 404)
    assert FollowRequest.objects.count() == 1


def test_follow_requests_scopes(api, as_, locked, ann):
    services.follow(ann, locked)
    error_of(api.get("/api/v1/follow_requests"), 401)
    error_of(as_(locked, "write:follows").get("/api/v1/follow_requests", validate=False), 403)
    assert as_(locked, "read:follows").get("/api/v1/follow_requests").status_code == 200
    refused = as_(locked, "read:follows").post(f"/api/v1/follow_requests/{ann.pk}/authorize", validate=False)
    error_of(refused, 403)
    assert FollowRequest.objects.exists()
    assert as_(locked, "follow").post(f"/api/v1/follow_requests/{ann.pk}/authorize").status_code == 200


def test_requests_from_suspended_accounts_are_hidden(as_, locked, ann, moderator):
    services.follow(ann, locked)
    services.suspend(moderator, ann)
    assert as_(locked).get("/api/v1/follow_requests").json() == []
    assert error_of(as_(locked).post(f"/api/v1/follow_requests/{ann.pk}/authorize"), 404)


# --- blocks and mutes lists ----------------------------------------------------------


@pytest.mark.parametrize(("path", "service"), [("blocks", services.block), ("mutes", services.mute)])
def test_blocks_and_mutes_lists_are_paged(as_, ann, make_user, path, service):
    others = [make_user() for _ in range(3)]
    for user in others:
        service(ann, user)
    client = as_(ann)
    first = client.get(f"/api/v1/{path}", {"limit": 2})
    assert first.status_code == 200
    assert ids(first) == [str(others[2].pk), str(others[1].pk)]
    assert f"<http://testserver/api/v1/{path}?limit=2&max_id=" in first["Link"]
    assert ids(client.get(*link(first, "next"))) == [str(others[0].pk)]


@pytest.mark.parametrize(("path", "scope"), [("blocks", "read:blocks"), ("mutes", "read:mutes")])
def test_blocks_and_mutes_need_their_scope(api, as_, ann, path, scope):
    error_of(api.get(f"/api/v1/{path}"), 401)
    error_of(as_(ann, "read:accounts").get(f"/api/v1/{path}", validate=False), 403)
    for scopes in (scope, "read", "follow"):
        assert as_(ann, scopes).get(f"/api/v1/{path}").status_code == 200


@pytest.mark.parametrize("path", ["blocks", "mutes", "follow_requests"])
@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "-1"}, {"limit": "abc"}, {"since_id": "x"}])
def test_own_lists_with_bad_parameters_are_422(as_, ann, path, params):
    error_of(as_(ann).get(f"/api/v1/{path}", params), 422)


def test_own_lists_are_a_fixed_number_of_queries(as_, make_user, django_assert_max_num_queries):
    owner = make_user("owner", is_protected=True)
    for _ in range(25):
        user = make_user()
        services.follow(user, owner)
        services.mute(owner, user)
        services.block(owner, make_user())
    client = as_(owner)
    for path in ("blocks", "mutes", "follow_requests"):
        with django_assert_max_num_queries(3):  # token + user, the page
            response = client.get(f"/api/v1/{path}", {"limit": 80})
        assert len(response.json()) == 25
