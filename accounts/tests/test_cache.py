"""The account and access-token cache (accounts.cache): every write is seen
by the next read, through the services and the API, and a cache that
fails is a miss."""

import hashlib
from datetime import timedelta

import redis
from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import AccessToken

from accounts import cache, selectors, services, stores

VERIFY = "/api/v1/accounts/verify_credentials"


def checksum(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def raw_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def is_cached_user(user) -> bool:
    return user.pk in stores.cached("user", [user.pk], version=cache.VERSION)[0]


def is_cached_token(token: str) -> bool:
    return checksum(token) in stores.cached("token", [checksum(token)], version=cache.TOKEN_VERSION)[0]


# --- Accounts -----------------------------------------------------------------


def test_users_are_cached_after_the_first_read(ann, bob, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = cache.users([ann.pk, bob.pk, None])
    assert {pk: user.username for pk, user in first.items()} == {ann.pk: "ann", bob.pk: "bob"}
    assert is_cached_user(ann)
    assert is_cached_user(bob)

    with django_assert_num_queries(0):
        again = cache.users([bob.pk, ann.pk])
    assert again[ann.pk].display_name == "Ann"


def test_a_profile_change_shows_on_the_next_read(ann):
    cache.users([ann.pk])

    services.update_profile(ann, display_name="Ann Again", bio="new bio")

    fresh = cache.users([ann.pk])[ann.pk]
    assert fresh.display_name == "Ann Again"
    assert fresh.bio == "new bio"


def test_a_plain_save_shows_on_the_next_read(ann):
    cache.users([ann.pk])

    ann.location = "Lisbon"
    ann.save()

    assert cache.users([ann.pk])[ann.pk].location == "Lisbon"


def test_follow_and_unfollow_counters_are_fresh(ann, bob):
    cache.users([ann.pk, bob.pk])

    services.follow(ann, bob)
    after_follow = cache.users([ann.pk, bob.pk])
    assert after_follow[ann.pk].following_count == 1
    assert after_follow[bob.pk].followers_count == 1

    services.unfollow(ann, bob)
    after_unfollow = cache.users([ann.pk, bob.pk])
    assert after_unfollow[ann.pk].following_count == 0
    assert after_unfollow[bob.pk].followers_count == 0


def test_a_suspension_is_seen_at_once(ann, bob, moderator):
    cache.users([ann.pk, bob.pk])

    ann.is_active = False
    ann.save()
    services.suspend(moderator, bob, "spam")

    now = cache.users([ann.pk, bob.pk])
    assert now[ann.pk].is_active is False
    assert now[bob.pk].is_active is False
    assert now[bob.pk].suspension_reason == "spam"


def test_the_password_hash_is_not_cached(ann):
    cached = cache.users([ann.pk])[ann.pk]

    assert "password" in cached.get_deferred_fields()
    keys = raw_redis().keys("*user:*")
    assert keys
    assert all(ann.password.encode() not in raw_redis().get(key) for key in keys)


def test_a_row_recached_before_the_commit_is_forgotten_at_commit(ann, django_capture_on_commit_callbacks):
    """A reader that loaded the old row between the write and its commit
    put it back in the cache; the forgetting after commit takes it out."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stale = cache.users([ann.pk])[ann.pk]
        ann.display_name = "Renamed"
        ann.save()
        assert not is_cached_user(ann)
        stores.store("user", {ann.pk: stale}, version=cache.VERSION, timeout=60)
        assert cache.users([ann.pk])[ann.pk].display_name == "Ann"

    assert callbacks
    assert not is_cached_user(ann)
    assert cache.users([ann.pk])[ann.pk].display_name == "Renamed"


def test_counters_recached_before_the_commit_are_forgotten_at_commit(
    ann, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stale = cache.users([bob.pk])
        services.follow(ann, bob)
        stores.store("user", stale, version=cache.VERSION, timeout=60)

    assert cache.users([bob.pk])[bob.pk].followers_count == 1


def test_users_come_from_postgresql_when_the_cache_fails(ann, bob, broken_cache, caplog):
    found = cache.users([ann.pk, bob.pk])
    assert {user.username for user in found.values()} == {"ann", "bob"}
    assert any(record.name == "accounts.stores" for record in caplog.records)  # the cache was tried

    services.update_profile(ann, display_name="Still Saved")  # forgetting fails quietly
    assert cache.users([ann.pk])[ann.pk].display_name == "Still Saved"


# --- Audiences -----------------------------------------------------------------


def audience(user):
    return selectors.audience_of(user)


def test_an_audience_is_cached_after_the_first_read(ann, bob, carol, django_assert_num_queries):
    services.follow(ann, bob)
    services.mute(ann, carol)
    with django_assert_num_queries(1):
        first = audience(ann)

    with django_assert_num_queries(0):
        again = audience(ann)
    assert again == first
    assert again.following == {bob.pk}
    assert again.muted == {carol.pk}


def test_follows_unfollows_and_approved_requests_are_seen_at_once(ann, bob, carol):
    audience(ann)
    services.follow(ann, bob)
    assert audience(ann).following == {bob.pk}
    services.unfollow(ann, bob)
    assert audience(ann).following == frozenset()

    carol = services.update_profile(carol, is_protected=True)
    assert services.follow(ann, carol) == "requested"
    assert audience(ann).following == frozenset()
    services.approve_follow_request(carol, ann)
    assert audience(ann).following == {carol.pk}


def test_a_block_is_seen_at_once_by_both_sides(ann, bob):
    services.follow(ann, bob)
    audience(ann), audience(bob)

    services.block(bob, ann)
    assert audience(ann).blocked == {bob.pk}
    assert audience(ann).following == frozenset()  # the block ended the follow
    assert audience(bob).blocked == {ann.pk}

    services.unblock(bob, ann)
    assert audience(ann).blocked == frozenset()
    assert audience(bob).blocked == frozenset()


def test_mutes_and_unmutes_are_seen_at_once(ann, bob):
    audience(ann)
    services.mute(ann, bob)
    assert audience(ann).muted == {bob.pk}
    services.unmute(ann, bob)
    assert audience(ann).muted == frozenset()


def test_an_audience_recached_before_the_commit_is_forgotten_at_commit(
    ann, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stale = audience(ann)
        services.follow(ann, bob)
        cache.keep_audience(stale)
        assert audience(ann).following == frozenset()

    assert audience(ann).following == {bob.pk}


def test_audiences_come_from_postgresql_when_the_cache_fails(ann, bob, broken_cache):
    services.follow(ann, bob)
    assert audience(ann).following == {bob.pk}
    services.block(ann, bob)  # forgetting fails quietly
    assert audience(ann).blocked == {bob.pk}


def test_a_blocked_account_vanishes_from_a_cached_readers_timeline(api, token_for, ann, bob, post):
    """The audience decides what a page may show: blocking right after a
    read hides the blocked account's tweets on the next one."""
    services.follow(ann, bob)
    post(bob, "before the block")
    reader = api.as_(token_for(ann))
    assert [status["content"] for status in reader.get("/api/v1/timelines/home").json()] == [
        "<p>before the block</p>"
    ]

    services.block(ann, bob)

    assert reader.get("/api/v1/timelines/home").json() == []


# --- Access tokens -------------------------------------------------------------


def test_an_api_request_caches_its_token(api, token_for, ann):
    token = token_for(ann)
    assert api.as_(token).get(VERIFY).status_code == 200
    assert is_cached_token(token)
    assert is_cached_user(ann)

    row = cache.access_token(checksum(token))
    assert row.token == token
    assert row.user.username == "ann"
    assert row.application.name == "Test app"


def test_a_cached_token_loads_without_queries(token_for, ann, django_assert_num_queries):
    token = token_for(ann)
    cache.access_token(checksum(token))

    with django_assert_num_queries(0):
        row = cache.access_token(checksum(token))
        assert row.user.pk == ann.pk
        assert row.application.name == "Test app"


def test_a_deleted_token_stops_working_at_once(api, token_for, ann):
    token = token_for(ann)
    assert api.as_(token).get(VERIFY).status_code == 200

    AccessToken.objects.get(token=token).delete()

    response = api.as_(token).get(VERIFY)
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}
    assert not is_cached_token(token)


def test_a_revoked_token_stops_working_at_once(api, token_for, ann):
    token = token_for(ann)
    assert api.as_(token).get(VERIFY).status_code == 200

    AccessToken.objects.get(token=token).revoke()

    assert api.as_(token).get(VERIFY).status_code == 401


def test_a_suspended_users_token_stops_working_at_once(api, token_for, ann, moderator):
    token = token_for(ann)
    assert api.as_(token).get(VERIFY).status_code == 200

    services.suspend(moderator, ann)

    response = api.as_(token).get(VERIFY)
    assert response.status_code == 403
    assert response.json() == {"error": "Your login is currently disabled"}


def test_an_unsuspended_users_token_works_again(api, token_for, ann, moderator):
    token = token_for(ann)
    services.suspend(moderator, ann)
    assert api.as_(token).get(VERIFY).status_code == 403

    services.unsuspend(moderator, ann)

    assert api.as_(token).get(VERIFY).status_code == 200


def test_a_token_seen_before_loads_with_its_user_in_one_round_trip(token_for, ann, monkeypatch):
    token = token_for(ann)
    cache.access_token(checksum(token))  # seen: this worker knows its user now
    client, mgets = stores.redis_client(), []

    class Counting:
        def mget(self, keys):
            mgets.append(keys)
            return client.mget(keys)

    monkeypatch.setattr(stores, "redis_client", lambda **options: Counting())

    row = cache.access_token(checksum(token))

    assert row.user.username == "ann"
    assert len(mgets) == 1


def test_a_seen_token_still_sees_its_users_changes_and_its_own(api, token_for, ann, moderator):
    token = token_for(ann)
    assert api.as_(token).get(VERIFY).json()["display_name"] == "Ann"

    services.update_profile(ann, display_name="Annie")
    assert api.as_(token).get(VERIFY).json()["display_name"] == "Annie"

    services.suspend(moderator, ann)
    assert api.as_(token).get(VERIFY).status_code == 403

    services.unsuspend(moderator, ann)
    AccessToken.objects.get(token=token).delete()
    assert api.as_(token).get(VERIFY).status_code == 401


def test_an_expired_token_is_refused_even_when_cached(api, token_for, ann):
    token = token_for(ann)
    row = AccessToken.objects.get(token=token)
    row.expires = timezone.now() - timedelta(seconds=1)
    row.save()
    assert cache.access_token(checksum(token)) is not None
    assert is_cached_token(token)

    response = api.as_(token).get(VERIFY)
    assert response.status_code == 401


def test_a_token_that_expires_while_cached_is_refused(api, token_for, ann, monkeypatch):
    token = token_for(ann)
    assert api.as_(token).get(VERIFY).status_code == 200
    assert is_cached_token(token)

    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert api.as_(token).get(VERIFY).status_code == 401


def test_an_unknown_token_is_refused_and_not_cached(api, db):
    response = api.as_("guessed-token").get(VERIFY)

    assert response.status_code == 401
    assert cache.access_token(checksum("guessed-token")) is None
    assert not is_cached_token("guessed-token")
    assert not raw_redis().keys("*token:*")


def test_an_app_only_token_is_cached_without_a_user(api, token_for, db):
    token = token_for(None, "read")

    assert api.as_(token).get("/api/v1/apps/verify_credentials").status_code == 200
    assert api.as_(token).get("/api/v1/apps/verify_credentials").status_code == 200
    assert is_cached_token(token)
    assert cache.access_token(checksum(token)).user is None


def test_tokens_and_api_requests_work_when_the_cache_fails(api, token_for, ann, broken_cache):
    token = token_for(ann)

    assert cache.access_token(checksum(token)).user.username == "ann"
    response = api.as_(token).get(VERIFY)
    assert response.status_code == 200
    assert response.json()["username"] == "ann"

    AccessToken.objects.get(token=token).delete()
    assert api.as_(token).get(VERIFY).status_code == 401
