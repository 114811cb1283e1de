"""The writes of accounts.services: follow graph, profiles, roles and moderation."""

import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from PIL import Image

from accounts import roles, services, signals, stores
from accounts.models import Block, Follow, FollowRequest, Mute, User


@pytest.fixture
def events(record_events):
    """Every accounts event sent while the test runs, as (name, kwargs)."""
    return record_events(signals)


def fresh(user):
    return User.objects.get(pk=user.pk)


def counts(user):
    user = fresh(user)
    return user.followers_count, user.following_count


def png_upload(name="me.png", size=(16, 16)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- follow / unfollow --------------------------------------------------------------


def test_follow_creates_the_row_and_counts(ann, bob):
    assert services.follow(ann, bob) == "following"
    assert Follow.objects.filter(follower=ann, followee=bob).count() == 1
    assert counts(ann) == (0, 1)
    assert counts(bob) == (1, 0)


def test_unfollow_removes_the_row_and_counts(ann, bob):
    services.follow(ann, bob)
    assert services.unfollow(ann, bob) is True
    assert not Follow.objects.exists()
    assert counts(ann) == (0, 0)
    assert counts(bob) == (0, 0)
    assert services.unfollow(ann, bob) is False
    assert counts(bob) == (0, 0)


def test_counters_add_up_over_many_follows(make_user):
    star = make_user("star")
    fans = [make_user() for _ in range(5)]
    for fan in fans:
        services.follow(fan, star)
    services.unfollow(fans[0], star)
    assert counts(star) == (4, 0)
    assert fresh(star).followers_count == Follow.objects.filter(followee=star).count()
    assert [counts(fan)[1] for fan in fans] == [0, 1, 1, 1, 1]


def test_following_oneself_is_refused(ann):
    with pytest.raises(ValidationError) as excinfo:
        services.follow(ann, ann)
    assert excinfo.value.code == "follow_self"
    assert excinfo.value.message == "You can't follow yourself."
    assert not Follow.objects.exists()


def test_following_twice_is_refused(ann, bob):
    services.follow(ann, bob)
    with pytest.raises(ValidationError) as excinfo:
        services.follow(ann, bob)
    assert excinfo.value.code == "already_following"
    assert excinfo.value.message == "You already follow @bob."
    assert Follow.objects.count() == 1
    assert counts(bob) == (1, 0)


def test_following_a_suspended_account_is_refused(ann, bob, moderator):
    services.suspend(moderator, bob)
    with pytest.raises(ValidationError) as excinfo:
        services.follow(ann, fresh(bob))
    assert excinfo.value.code == "suspended"
    assert not Follow.objects.exists()
    assert counts(bob) == (0, 0)


@pytest.mark.parametrize("blocker_is_actor", [True, False])
def test_following_across_a_block_is_forbidden(ann, bob, blocker_is_actor):
    if blocker_is_actor:
        services.block(ann, bob)
    else:
        services.block(bob, ann)
    with pytest.raises(PermissionDenied):
        services.follow(ann, bob)
    assert not Follow.objects.exists()
    assert not FollowRequest.objects.exists()


# --- protected accounts and follow requests -------------------------------------------


def test_following_a_protected_account_makes_a_request(make_user, ann):
    pat = make_user("pat", is_protected=True)
    assert services.follow(ann, pat) == "requested"
    assert FollowRequest.objects.filter(requester=ann, target=pat).count() == 1
    assert not Follow.objects.exists()
    assert counts(pat) == (0, 0)
    with pytest.raises(ValidationError) as excinfo:
        services.follow(ann, pat)
    assert excinfo.value.code == "already_following"
    assert excinfo.value.message == "You already asked to follow @pat."
    assert FollowRequest.objects.count() == 1


def test_approving_a_request_makes_a_follow(make_user, ann):
    pat = make_user("pat", is_protected=True)
    services.follow(ann, pat)
    follow = services.approve_follow_request(pat, ann)
    assert (follow.follower, follow.followee) == (ann, pat)
    assert not FollowRequest.objects.exists()
    assert counts(pat) == (1, 0)
    assert counts(ann) == (0, 1)


def test_approving_a_missing_request_is_refused(make_user, ann, bob):
    pat = make_user("pat", is_protected=True)
    with pytest.raises(ValidationError) as excinfo:
        services.approve_follow_request(pat, ann)
    assert excinfo.value.code == "no_request"
    # A request to someone else can't be approved by pat either.
    services.follow(ann, make_user("other", is_protected=True))
    with pytest.raises(ValidationError):
        services.approve_follow_request(pat, ann)
    assert not Follow.objects.exists()


def test_rejecting_a_request_deletes_it(make_user, ann):
    pat = make_user("pat", is_protected=True)
    services.follow(ann, pat)
    services.reject_follow_request(pat, ann)
    assert not FollowRequest.objects.exists()
    assert not Follow.objects.exists()
    with pytest.raises(ValidationError) as excinfo:
        services.reject_follow_request(pat, ann)
    assert excinfo.value.code == "no_request"


def test_cancelling_a_request(make_user, ann):
    pat = make_user("pat", is_protected=True)
    services.follow(ann, pat)
    assert services.cancel_follow_request(ann, pat) is True
    assert services.cancel_follow_request(ann, pat) is False
    assert not FollowRequest.objects.exists()
    # After cancelling, asking again works.
    assert services.follow(ann, pat) == "requested"


def test_unfollow_withdraws_a_pending_request(make_user, ann):
    pat = make_user("pat", is_protected=True)
    services.follow(ann, pat)
    assert services.unfollow(ann, pat) is True
    assert not FollowRequest.objects.exists()


# --- remove follower, block, mute ---------------------------------------------------


def test_remove_follower(ann, bob):
    services.follow(bob, ann)
    assert services.remove_follower(ann, bob) is True
    assert not Follow.objects.exists()
    assert counts(ann) == (0, 0)
    assert counts(bob) == (0, 0)
    assert services.remove_follower(ann, bob) is False
    assert counts(ann) == (0, 0)


def test_block_ends_follows_both_ways_and_fixes_counts(ann, bob, carol):
    services.follow(ann, bob)
    services.follow(bob, ann)
    services.follow(carol, bob)
    block = services.block(ann, bob)
    assert (block.blocker, block.blocked) == (ann, bob)
    assert list(Follow.objects.values_list("follower__username", "followee__username")) == [("carol", "bob")]
    assert counts(ann) == (0, 0)
    assert counts(bob) == (1, 0)
    assert counts(carol) == (0, 1)


def test_block_deletes_requests_both_ways(make_user):
    pat = make_user("pat", is_protected=True)
    quinn = make_user("quinn", is_protected=True)
    services.follow(pat, quinn)
    services.follow(quinn, pat)
    assert FollowRequest.objects.count() == 2
    services.block(pat, quinn)
    assert not FollowRequest.objects.exists()


def test_block_is_idempotent(ann, bob, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.block(ann, bob)
        second = services.block(ann, bob)
    assert first.pk == second.pk
    assert Block.objects.count() == 1
    assert [name for name, _ in events] == ["user_blocked"]


def test_blocking_oneself_is_refused(ann):
    with pytest.raises(ValidationError) as excinfo:
        services.block(ann, ann)
    assert excinfo.value.code == "block_self"
    assert not Block.objects.exists()


def test_unblock(ann, bob):
    services.follow(ann, bob)
    services.block(ann, bob)
    assert services.unblock(ann, bob) is True
    assert services.unblock(ann, bob) is False
    assert not Block.objects.exists()
    # Follows don't come back, but following again is allowed.
    assert not Follow.objects.exists()
    assert services.follow(ann, bob) == "following"


def test_unblock_by_the_blocked_user_does_nothing(ann, bob):
    services.block(ann, bob)
    assert services.unblock(bob, ann) is False
    assert Block.objects.count() == 1


def test_mute_and_unmute_are_idempotent(ann, bob, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.mute(ann, bob)
        second = services.mute(ann, bob)
        assert first.pk == second.pk
        assert Mute.objects.count() == 1
        assert services.unmute(ann, bob) is True
        assert services.unmute(ann, bob) is False
    assert not Mute.objects.exists()
    assert events == [
        ("user_muted", {"muter_id": ann.pk, "muted_id": bob.pk}),
        ("user_unmuted", {"muter_id": ann.pk, "muted_id": bob.pk}),
    ]


def test_muting_oneself_is_refused(ann):
    with pytest.raises(ValidationError) as excinfo:
        services.mute(ann, ann)
    assert excinfo.value.code == "mute_self"


def test_mute_does_not_touch_follows(ann, bob):
    services.follow(ann, bob)
    services.mute(ann, bob)
    assert Follow.objects.filter(follower=ann, followee=bob).exists()
    assert counts(bob) == (1, 0)


# --- domain events ------------------------------------------------------------------


def test_follow_and_unfollow_events_after_commit(ann, bob, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.follow(ann, bob)
        assert events == []  # nothing before commit
    # One event; the other callbacks forget the accounts' old counts in the cache.
    assert len([c for c in callbacks if getattr(c, "func", None) is not stores.forget_now]) == 1
    assert events == [("user_followed", {"follower_id": ann.pk, "followee_id": bob.pk, "approved": False})]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.unfollow(ann, bob)
        services.unfollow(ann, bob)
    assert events == [("user_unfollowed", {"follower_id": ann.pk, "followee_id": bob.pk})]


def test_request_and_accept_events(make_user, ann, events, django_capture_on_commit_callbacks):
    pat = make_user("pat", is_protected=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(ann, pat)
    assert events == [("follow_requested", {"requester_id": ann.pk, "target_id": pat.pk})]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_follow_request(pat, ann)
    assert events == [
        ("user_followed", {"follower_id": ann.pk, "followee_id": pat.pk, "approved": True}),
        ("follow_request_accepted", {"requester_id": ann.pk, "target_id": pat.pk}),
    ]


def test_a_rejected_or_withdrawn_request_is_closed(
    make_user, ann, bob, events, django_capture_on_commit_callbacks
):
    pat = make_user("pat", is_protected=True)
    services.follow(ann, pat)
    services.follow(bob, pat)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_follow_request(pat, ann)
        services.cancel_follow_request(bob, pat)
        services.cancel_follow_request(bob, pat)  # nothing left to close
    assert events == [
        ("follow_request_closed", {"requester_id": ann.pk, "target_id": pat.pk}),
        ("follow_request_closed", {"requester_id": bob.pk, "target_id": pat.pk}),
    ]


def test_block_events_include_the_ended_follows(ann, bob, events, django_capture_on_commit_callbacks):
    services.follow(ann, bob)
    services.follow(bob, ann)
    with django_capture_on_commit_callbacks(execute=True):
        services.block(bob, ann)
    assert sorted(events, key=lambda e: e[0]) == [
        ("user_blocked", {"blocker_id": bob.pk, "blocked_id": ann.pk}),
        ("user_unfollowed", {"follower_id": bob.pk, "followee_id": ann.pk}),
        ("user_unfollowed", {"follower_id": ann.pk, "followee_id": bob.pk}),
    ]


def test_remove_follower_sends_unfollowed(ann, bob, events, django_capture_on_commit_callbacks):
    services.follow(bob, ann)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_follower(ann, bob)
    assert events == [("user_unfollowed", {"follower_id": bob.pk, "followee_id": ann.pk})]


def test_failed_follow_sends_nothing(ann, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        services.follow(ann, ann)
    assert callbacks == []
    assert events == []


def test_rolled_back_follow_sends_nothing(ann, bob, events, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    def follow_then_fail():
        with transaction.atomic():
            services.follow(ann, bob)
            services.block(bob, ann)
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        follow_then_fail()
    assert callbacks == []
    assert events == []
    assert not Follow.objects.exists()
    assert not Block.objects.exists()
    assert counts(bob) == (0, 0)


def test_rolled_back_inner_block_keeps_outer_events(ann, bob, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(ann, bob)
        try:
            with transaction.atomic():
                services.mute(ann, bob)
                raise RuntimeError("roll back the mute only")
        except RuntimeError:
            pass
    assert events == [("user_followed", {"follower_id": ann.pk, "followee_id": bob.pk, "approved": False})]
    assert not Mute.objects.exists()


def test_suspend_events(ann, moderator, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend(moderator, ann, "spam")
        services.unsuspend(moderator, fresh(ann))
    assert events == [
        ("user_suspended", {"user_id": ann.pk, "moderator_id": moderator.pk}),
        ("user_unsuspended", {"user_id": ann.pk, "moderator_id": moderator.pk}),
    ]


# --- profiles -----------------------------------------------------------------------


def test_update_profile_fields(ann):
    user = services.update_profile(ann, display_name="Ann A.", bio="Hi", location="Oslo")
    user = fresh(ann)
    assert (user.display_name, user.bio, user.location) == ("Ann A.", "Hi", "Oslo")


def test_update_profile_refuses_unknown_fields(ann):
    with pytest.raises(ValidationError) as excinfo:
        services.update_profile(ann, bio="x", is_staff=True, followers_count=99)
    assert excinfo.value.message == "Unknown profile fields: followers_count, is_staff."
    user = fresh(ann)
    assert (user.is_staff, user.followers_count, user.bio) == (False, 0, "")


def test_update_profile_validates_the_fields(ann):
    with pytest.raises(ValidationError) as excinfo:
        services.update_profile(ann, bio="x" * 161)
    assert "bio" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.update_profile(ann, website="not a url")
    assert "website" in excinfo.value.message_dict
    assert fresh(ann).bio == ""


def test_update_profile_with_avatar_and_header(ann, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = services.update_profile(
        ann, avatar=png_upload("me.png"), header=png_upload("wide.png", (60, 20)), display_name="A"
    )
    user = fresh(ann)
    assert user.avatar.name.startswith("avatars/")
    assert user.header.name.startswith("headers/")
    assert (tmp_path / user.avatar.name).is_file()
    with Image.open(tmp_path / user.header.name) as image:
        assert image.size == (60, 20)
    assert user.display_name == "A"


def test_update_profile_with_a_bad_avatar_changes_nothing(ann, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")
    with pytest.raises(ValidationError) as excinfo:
        services.update_profile(ann, avatar=fake, display_name="Changed")
    assert excinfo.value.code == "invalid_image"
    user = fresh(ann)
    assert (user.display_name, user.avatar.name) == ("Ann", "")
    assert list(tmp_path.iterdir()) == []


def test_making_an_account_public_approves_pending_requests(make_user, ann, bob, carol):
    pat = make_user("pat", is_protected=True)
    services.follow(ann, pat)
    services.follow(bob, pat)
    services.update_profile(pat, bio="open now")
    assert FollowRequest.objects.count() == 2  # still protected: nothing approved
    services.update_profile(pat, is_protected=False)
    assert not fresh(pat).is_protected
    assert not FollowRequest.objects.exists()
    assert set(Follow.objects.filter(followee=pat).values_list("follower__username", flat=True)) == {
        "ann",
        "bob",
    }
    assert counts(pat) == (2, 0)
    assert counts(ann) == (0, 1)
    # Follows from now on are immediate.
    assert services.follow(carol, fresh(pat)) == "following"


def test_protecting_an_account_keeps_followers(ann, bob):
    services.follow(bob, ann)
    services.update_profile(ann, is_protected=True)
    assert Follow.objects.filter(follower=bob, followee=ann).exists()
    assert services.follow(fresh(ann), bob) == "following"


# --- roles --------------------------------------------------------------------------


@pytest.fixture
def boss(make_user):
    return make_user("boss", is_superuser=True, is_staff=True)


def test_set_role_moderator_and_back(boss, ann):
    services.set_role(boss, ann, roles.MODERATOR)
    user = fresh(ann)
    assert roles.role_of(user) == roles.MODERATOR
    assert user.is_staff
    assert user.has_perm("accounts.suspend_user")
    assert user.has_perm("tweets.remove_tweet")
    assert not user.has_perm("accounts.delete_user")
    services.set_role(boss, user, roles.USER)
    user = fresh(ann)
    assert roles.role_of(user) == roles.USER
    assert not user.is_staff
    assert not user.has_perm("accounts.suspend_user")
    assert user.groups.count() == 0


def test_promoting_a_moderator_replaces_their_group(boss, ann):
    services.set_role(boss, ann, roles.MODERATOR)
    services.set_role(boss, ann, roles.ADMIN)
    user = fresh(ann)
    assert roles.role_of(user) == roles.ADMIN
    assert list(user.groups.values_list("name", flat=True)) == ["Administrators"]
    assert user.has_perm("accounts.delete_user")


def test_superuser_stays_staff_when_made_a_plain_user(boss, make_user):
    other_root = make_user("root2", is_superuser=True, is_staff=True)
    services.set_role(boss, other_root, roles.USER)
    assert fresh(other_root).is_staff
    assert roles.role_of(fresh(other_root)) == roles.ADMIN


def test_only_a_superuser_sets_roles(moderator, ann):
    with pytest.raises(PermissionDenied):
        services.set_role(moderator, ann, roles.MODERATOR)
    with pytest.raises(PermissionDenied):
        services.set_role(ann, ann, roles.ADMIN)
    assert roles.role_of(fresh(ann)) == roles.USER
    assert not fresh(ann).is_staff


def test_unknown_role_is_refused(boss, ann):
    with pytest.raises(ValidationError) as excinfo:
        services.set_role(boss, ann, "overlord")
    assert excinfo.value.code == "unknown_role"
    assert roles.role_of(fresh(ann)) == roles.USER


# --- moderation ---------------------------------------------------------------------


def test_moderator_suspends_a_user(moderator, bob, client):
    assert client.login(username="bob", password="pw-bob-123")
    client.logout()
    user = services.suspend(moderator, bob, "spam " * 200)
    assert user.is_suspended
    user = fresh(bob)
    assert not user.is_active
    assert user.suspended_at is not None
    assert user.suspension_reason == ("spam " * 200)[:500]
    assert not client.login(username="bob", password="pw-bob-123")


def test_unsuspend_restores_the_account(moderator, bob, client):
    services.suspend(moderator, bob)
    user = services.unsuspend(moderator, fresh(bob))
    assert user.is_active
    assert user.suspended_at is None
    assert user.suspension_reason == ""
    assert client.login(username="bob", password="pw-bob-123")


def test_moderator_cannot_suspend_staff(moderator, make_user, boss):
    staff = make_user("staffer", is_staff=True)
    with pytest.raises(PermissionDenied):
        services.suspend(moderator, staff)
    with pytest.raises(PermissionDenied):
        services.suspend(moderator, boss)
    assert fresh(staff).is_active
    assert fresh(boss).is_active


def test_superuser_can_suspend_staff(boss, moderator):
    services.suspend(boss, moderator)
    assert fresh(moderator).is_suspended


def test_plain_user_cannot_suspend_or_unsuspend(ann, bob, moderator):
    with pytest.raises(PermissionDenied):
        services.suspend(ann, bob)
    assert fresh(bob).is_active
    services.suspend(moderator, bob)
    with pytest.raises(PermissionDenied):
        services.unsuspend(ann, bob)
    assert fresh(bob).is_suspended


def test_suspend_and_unsuspend_are_idempotent(moderator, bob, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.suspend(moderator, bob, "first reason")
        again = services.suspend(moderator, fresh(bob), "second reason")
    assert again.suspended_at == first.suspended_at
    assert fresh(bob).suspension_reason == "first reason"
    assert [name for name, _ in events] == ["user_suspended"]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.unsuspend(moderator, fresh(bob))
        services.unsuspend(moderator, fresh(bob))
    assert [name for name, _ in events] == ["user_unsuspended"]
    assert fresh(bob).is_active


def test_moderator_cannot_unsuspend_staff(boss, moderator, make_user):
    staff = make_user("staffer", is_staff=True)
    services.suspend(boss, staff)
    with pytest.raises(PermissionDenied):
        services.unsuspend(moderator, fresh(staff))
    assert fresh(staff).is_suspended
    services.unsuspend(boss, fresh(staff))
    assert fresh(staff).is_active


def test_moderator_cannot_suspend_themselves(moderator):
    with pytest.raises(ValidationError) as excinfo:
        services.suspend(moderator, moderator)
    assert excinfo.value.code == "suspend_self"


# --- concurrency --------------------------------------------------------------------


def run_together(actions):
    """Run each action in its own thread and database connection, all at once; return the errors."""
    barrier = threading.Barrier(len(actions))
    errors = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
        except Exception as exc:  # returned to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_follows_make_one_row_and_exact_counts(make_user):
    fan, star = make_user("fan"), make_user("star")
    errors = run_together([lambda: services.follow(fan, star)] * 4)
    assert Follow.objects.filter(follower=fan, followee=star).count() == 1
    assert counts(star) == (1, 0)
    assert counts(fan) == (0, 1)
    assert len(errors) == 3
    assert all(isinstance(e, ValidationError) and e.code == "already_following" for e in errors)


@pytest.mark.django_db(transaction=True)
def test_concurrent_follows_of_one_account_keep_its_counter_exact(make_user):
    star = make_user("star")
    fans = [make_user(f"fan{i}") for i in range(8)]
    assert run_together([lambda fan=fan: services.follow(fan, star) for fan in fans]) == []
    assert counts(star) == (8, 0)
    errors = run_together([lambda fan=fan: services.unfollow(fan, star) for fan in fans])
    assert errors == []
    assert counts(star) == (0, 0)
    assert not Follow.objects.exists()
