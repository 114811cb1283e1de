"""Account pages through the test client: the follow-graph buttons, follower
lists, follow requests, profile settings, and sign-up / log-in via allauth.

htmx requests (HX-Request: true) get the button fragment, with 422 and the
message on an error; plain form posts redirect back with a message.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts import services
from accounts.models import Block, Follow, FollowRequest, Mute, User

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dora(make_user):
    """A protected account."""
    return make_user("dora", display_name="Dora", is_protected=True)


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


def fresh(user):
    return User.objects.get(pk=user.pk)


def follows(a, b):
    return Follow.objects.filter(follower=a, followee=b).exists()


# --- Follow graph buttons ---------------------------------------------------------


def test_follow_and_unfollow_with_htmx(client, ann, bob):
    client.force_login(ann)

    response = client.post("/bob/follow/", headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="follow-{bob.pk}"' in html
    assert 'aria-pressed="true">Unfollow @bob' in html
    assert follows(ann, bob)
    assert fresh(bob).followers_count == 1

    response = client.post("/bob/unfollow/", headers=HTMX)

    assert response.status_code == 200
    assert "Follow <span" in response.content.decode()
    assert not follows(ann, bob)
    assert fresh(bob).followers_count == 0


def test_follow_with_plain_form_redirects_back(client, ann, bob):
    client.force_login(ann)

    response = client.post("/bob/follow/", HTTP_REFERER="http://testserver/explore/")

    assert response.status_code == 302
    assert response.url == "http://testserver/explore/"
    assert follows(ann, bob)


def test_follow_with_plain_form_falls_back_to_profile(client, ann, bob):
    client.force_login(ann)

    response = client.post("/bob/follow/", {"next": "//evil.example/"})

    assert response.status_code == 302
    assert response.url == "/bob/"


def test_follow_yourself(client, ann):
    client.force_login(ann)

    htmx = client.post("/ann/follow/", headers=HTMX)
    plain = client.post("/ann/follow/")

    assert htmx.status_code == 422
    assert "You can&#x27;t follow yourself." in htmx.content.decode()
    assert plain.status_code == 302
    assert "You can't follow yourself." in messages_of(plain)
    assert not Follow.objects.exists()


def test_follow_twice(client, ann, bob):
    services.follow(ann, bob)
    client.force_login(ann)

    htmx = client.post("/bob/follow/", headers=HTMX)
    plain = client.post("/bob/follow/")

    assert htmx.status_code == 422
    assert "You already follow @bob." in htmx.content.decode()
    assert "You already follow @bob." in messages_of(plain)
    assert Follow.objects.count() == 1
    assert fresh(bob).followers_count == 1


@pytest.mark.parametrize("blocker", ["target", "actor"])
def test_follow_across_a_block(client, ann, bob, blocker):
    if blocker == "target":
        services.block(bob, ann)
    else:
        services.block(ann, bob)
    client.force_login(ann)

    htmx = client.post("/bob/follow/", headers=HTMX)
    plain = client.post("/bob/follow/")

    assert htmx.status_code == 422
    assert "You can&#x27;t follow this account." in htmx.content.decode()
    assert "You can't follow this account." in messages_of(plain)
    assert not Follow.objects.exists()


def test_follow_protected_account_requests(client, ann, dora):
    client.force_login(ann)

    response = client.post("/dora/follow/", headers=HTMX)

    assert response.status_code == 200
    assert "Cancel request to @dora" in response.content.decode()
    assert FollowRequest.objects.filter(requester=ann, target=dora).exists()
    assert not follows(ann, dora)

    again = client.post("/dora/follow/", headers=HTMX)
    assert again.status_code == 422
    assert "You already asked to follow @dora." in again.content.decode()

    withdrawn = client.post("/dora/unfollow/", headers=HTMX)
    assert withdrawn.status_code == 200
    assert "Request to follow" in withdrawn.content.decode()
    assert not FollowRequest.objects.exists()


@pytest.mark.parametrize(
    "action", ["follow", "unfollow", "block", "unblock", "mute", "unmute", "remove_follower"]
)
def test_graph_action_on_unknown_or_suspended_user_is_404(client, ann, bob, moderator, action):
    services.suspend(moderator, bob)
    client.force_login(ann)

    assert client.post(f"/nobody/{action}/", headers=HTMX).status_code == 404
    assert client.post(f"/bob/{action}/").status_code == 404


@pytest.mark.parametrize(
    "action", ["follow", "unfollow", "block", "unblock", "mute", "unmute", "remove_follower"]
)
def test_graph_action_anonymous_and_get(client, ann, bob, action):
    response = client.post(f"/bob/{action}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")

    client.force_login(ann)
    assert client.get(f"/bob/{action}/").status_code == 405
    assert not Follow.objects.exists()
    assert not Block.objects.exists()
    assert not Mute.objects.exists()


def test_follow_in_other_case_uses_the_account(client, ann, bob):
    client.force_login(ann)

    response = client.post("/BOB/follow/", headers=HTMX)

    assert response.status_code == 200
    assert follows(ann, bob)


def test_block_and_unblock(client, ann, bob):
    services.follow(ann, bob)
    services.follow(bob, ann)
    client.force_login(ann)

    blocked = client.post("/bob/block/", headers=HTMX)

    assert blocked.status_code == 200
    assert "Unblock @bob" in blocked.content.decode()
    assert Block.objects.filter(blocker=ann, blocked=bob).exists()
    assert not Follow.objects.exists()

    unblocked = client.post("/bob/unblock/", headers=HTMX)

    assert unblocked.status_code == 200
    assert "Block @bob" in unblocked.content.decode()
    assert not Block.objects.exists()


def test_block_yourself(client, ann):
    client.force_login(ann)

    response = client.post("/ann/block/", headers=HTMX)

    assert response.status_code == 422
    assert "You can&#x27;t block yourself." in response.content.decode()
    assert not Block.objects.exists()


def test_blocked_user_sees_no_buttons(client, ann, bob):
    services.block(bob, ann)
    client.force_login(ann)

    html = client.get("/bob/").content.decode()

    assert "@bob blocked you" in html
    assert "/bob/follow/" not in html


def test_mute_and_unmute_with_plain_form(client, ann, bob):
    client.force_login(ann)

    muted = client.post("/bob/mute/", {"next": "/settings/profile/"})

    assert muted.status_code == 302
    assert muted.url == "/settings/profile/"
    assert Mute.objects.filter(muter=ann, muted=bob).exists()
    assert "@bob" in client.get("/settings/profile/").content.decode()

    unmuted = client.post("/bob/unmute/", headers=HTMX)

    assert unmuted.status_code == 200
    assert "Mute @bob" in unmuted.content.decode()
    assert not Mute.objects.exists()


def test_mute_yourself(client, ann):
    client.force_login(ann)

    response = client.post("/ann/mute/")

    assert "You can't mute yourself." in messages_of(response)
    assert not Mute.objects.exists()


def test_remove_follower(client, ann, bob):
    services.follow(bob, ann)
    client.force_login(ann)

    page = client.get("/bob/").content.decode()
    assert "Remove this follower" in page
    assert "Follows you" in page

    response = client.post("/bob/remove_follower/", headers=HTMX)

    assert response.status_code == 200
    assert "Remove this follower" not in response.content.decode()
    assert not follows(bob, ann)
    assert fresh(ann).followers_count == 0


# --- Followers and following lists -----------------------------------------------------


def test_follower_lists(client, ann, bob, carol):
    services.follow(bob, ann)
    services.follow(carol, ann)
    services.follow(ann, carol)
    client.force_login(bob)

    followers = client.get("/ann/followers/")
    following = client.get("/ann/following/")

    assert followers.status_code == 200
    html = followers.content.decode()
    assert "@bob" in html
    assert "@carol" in html
    assert 'Follow <span class="visually-hidden">@carol' in html  # bob's own button for carol
    assert "@carol" in following.content.decode()
    assert "@bob</span></a>" not in following.content.decode()


def test_follower_list_leaves_out_suspended_accounts(client, ann, bob, moderator):
    services.follow(bob, ann)
    services.suspend(moderator, bob)

    html = client.get("/ann/followers/").content.decode()

    assert "@bob" not in html
    assert "Nobody yet." in html


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [("owner", True), ("follower", True), ("requester", False), ("stranger", False), ("anonymous", False)],
)
def test_protected_account_lists(client, dora, ann, bob, carol, viewer, sees):
    services.follow(bob, dora)
    services.approve_follow_request(dora, bob)
    services.follow(dora, carol)
    services.follow(ann, dora)  # pending
    users = {"owner": dora, "follower": bob, "requester": ann, "stranger": carol}
    if viewer in users:
        client.force_login(users[viewer])

    for path, listed in (("/dora/followers/", "@bob"), ("/dora/following/", "@carol")):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert ("Only approved followers can see this list." in html) is not sees
        assert (f"{listed}</span></a>" in html) is sees


def test_lists_hidden_from_blocked_user(client, ann, bob, carol):
    services.follow(carol, ann)
    services.block(ann, bob)
    client.force_login(bob)

    html = client.get("/ann/followers/").content.decode()

    assert "Only approved followers can see this list." in html
    assert "@carol" not in html


def test_lists_of_unknown_user_are_404(client, db):
    assert client.get("/nobody/followers/").status_code == 404
    assert client.get("/nobody/following/").status_code == 404


def test_lists_paginate(client, ann, make_user):
    for _ in range(3):
        services.follow(make_user(), ann)

    assert client.get("/ann/followers/?page=2").status_code == 200
    assert client.get("/ann/followers/?page=abc").status_code == 200
    assert client.get("/ann/followers/?page=-5").status_code == 200


# --- Follow requests ------------------------------------------------------------------------


def test_follow_requests_page_lists_pending(client, dora, ann, bob):
    services.follow(ann, dora)
    client.force_login(dora)

    response = client.get("/follow_requests/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "@ann" in html
    assert "/follow_requests/ann/approve/" in html
    assert "@bob" not in html


def test_follow_requests_page_needs_login(client, db):
    response = client.get("/follow_requests/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_approve_follow_request(client, dora, ann):
    services.follow(ann, dora)
    client.force_login(dora)

    response = client.post("/follow_requests/ann/approve/")

    assert response.status_code == 302
    assert response.url == "/follow_requests/"
    assert "@ann now follows you." in messages_of(response)
    assert follows(ann, dora)
    assert not FollowRequest.objects.exists()


def test_reject_follow_request(client, dora, ann):
    services.follow(ann, dora)
    client.force_login(dora)

    response = client.post("/follow_requests/ann/reject/")

    assert response.status_code == 302
    assert "Request from @ann declined." in messages_of(response)
    assert not follows(ann, dora)
    assert not FollowRequest.objects.exists()


@pytest.mark.parametrize("answer", ["approve", "reject"])
def test_answer_to_nonexistent_request(client, dora, ann, answer):
    client.force_login(dora)

    response = client.post(f"/follow_requests/ann/{answer}/")

    assert response.status_code == 302
    assert "There is no such follow request." in messages_of(response)
    assert not follows(ann, dora)


def test_cannot_answer_someone_elses_request(client, dora, ann, bob):
    services.follow(ann, dora)
    client.force_login(bob)

    response = client.post("/follow_requests/ann/approve/")

    assert "There is no such follow request." in messages_of(response)
    assert FollowRequest.objects.filter(requester=ann, target=dora).exists()
    assert not follows(ann, dora)


@pytest.mark.parametrize("answer", ["approve", "reject"])
def test_answer_request_of_unknown_user_is_404(client, dora, answer):
    client.force_login(dora)

    assert client.post(f"/follow_requests/nobody/{answer}/").status_code == 404


def test_answer_request_needs_post_and_login(client, dora, ann):
    services.follow(ann, dora)

    assert client.post("/follow_requests/ann/approve/").status_code == 302
    client.force_login(dora)
    assert client.get("/follow_requests/ann/approve/").status_code == 405
    assert FollowRequest.objects.exists()


# --- Profile settings ----------------------------------------------------------------------------


def png_bytes(size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PROFILE = {"display_name": "Ann A.", "bio": "Hi there", "location": "Oslo", "website": "example.com"}


def test_settings_page_needs_login(client, db):
    response = client.get("/settings/profile/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_settings_page_shows_current_values(client, ann):
    services.update_profile(ann, bio="my bio")
    client.force_login(ann)

    response = client.get("/settings/profile/")

    assert response.status_code == 200
    assert "my bio</textarea>" in response.content.decode()


def test_update_profile_fields(client, ann):
    client.force_login(ann)

    response = client.post("/settings/profile/", {**PROFILE, "is_protected": "on"})

    assert response.status_code == 302
    assert response.url == "/settings/profile/"
    assert "Your profile was saved." in messages_of(response)
    ann = fresh(ann)
    assert (ann.display_name, ann.bio, ann.location) == ("Ann A.", "Hi there", "Oslo")
    assert ann.website == "https://example.com"
    assert ann.is_protected
    profile = client.get("/ann/").content.decode()
    assert "Ann A." in profile
    assert 'href="https://example.com"' in profile


def test_making_account_public_approves_requests(client, dora, ann):
    services.follow(ann, dora)
    client.force_login(dora)

    response = client.post("/settings/profile/", {"display_name": "Dora"})

    assert response.status_code == 302
    assert not fresh(dora).is_protected
    assert follows(ann, dora)


def test_upload_avatar(client, ann):
    client.force_login(ann)
    avatar = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")

    response = client.post("/settings/profile/", {**PROFILE, "avatar": avatar})

    assert response.status_code == 302
    ann = fresh(ann)
    assert ann.avatar.name.startswith("avatars/")
    assert ann.avatar.name.endswith(".png")
    with ann.avatar.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (8, 8)
    assert f'src="{ann.avatar.url}"' in client.get("/ann/").content.decode()


def test_reject_a_non_image_named_png(client, ann):
    client.force_login(ann)
    fake = SimpleUploadedFile("me.png", b"#!/bin/sh\necho not an image\n", content_type="image/png")

    response = client.post("/settings/profile/", {**PROFILE, "avatar": fake})

    assert response.status_code == 422
    assert "The file is not a valid image." in response.content.decode()
    ann = fresh(ann)
    assert not ann.avatar
    assert ann.bio == ""  # nothing of the form was saved


def test_reject_an_oversized_avatar(client, ann, settings):
    settings.AVATAR_MAX_BYTES = 50
    client.force_login(ann)
    avatar = SimpleUploadedFile("me.png", png_bytes((64, 64)), content_type="image/png")
    assert avatar.size > 50

    response = client.post("/settings/profile/", {**PROFILE, "avatar": avatar})

    assert response.status_code == 422
    assert "Images must be at most" in response.content.decode()
    assert not fresh(ann).avatar


def test_reject_an_empty_avatar(client, ann):
    client.force_login(ann)
    empty = SimpleUploadedFile("me.png", b"", content_type="image/png")

    response = client.post("/settings/profile/", {**PROFILE, "avatar": empty})

    assert response.status_code == 422
    assert not fresh(ann).avatar


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "not a url", "Enter a valid URL."),
        ("website", "javascript:alert(1)", "Enter a valid URL."),
        ("bio", "x" * 161, "Ensure this value has at most 160 characters"),
        ("display_name", "x" * 51, "Ensure this value has at most 50 characters"),
        ("location", "x" * 31, "Ensure this value has at most 30 characters"),
    ],
)
def test_reject_invalid_profile_fields(client, ann, field, value, message):
    client.force_login(ann)

    response = client.post("/settings/profile/", {**PROFILE, field: value})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert fresh(ann).bio == ""


def test_settings_lists_blocked_accounts_with_unblock(client, ann, bob):
    services.block(ann, bob)
    client.force_login(ann)

    html = client.get("/settings/profile/").content.decode()
    assert 'action="/bob/unblock/"' in html

    response = client.post("/bob/unblock/", {"next": "/settings/profile/"})
    assert response.url == "/settings/profile/"
    assert not Block.objects.exists()


# --- Escaping -------------------------------------------------------------------------


def test_account_pages_escape_names_and_bios(client, make_user, ann, dora):
    evil = make_user("evil", display_name="<script>alert(1)</script>", bio='<img src=x onerror="alert(2)">')
    services.follow(evil, ann)
    services.follow(evil, dora)
    client.force_login(dora)

    pages = [
        client.get("/ann/followers/"),
        client.get("/evil/"),
        client.get("/evil/following/"),
        client.get("/follow_requests/"),
    ]

    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- Sign-up and log-in (allauth) ---------------------------------------------------------------


def signup(client, username, email=None):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": email or "new@example.com",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )


@pytest.mark.parametrize("username", ["bad name!", "x" * 16, "settings", "Explore", "ANN", "ann", "bad-name"])
def test_signup_rejects_bad_usernames(client, ann, username):
    before = User.objects.count()

    response = signup(client, username)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get("username"), form.errors
    assert User.objects.count() == before
    assert "_auth_user_id" not in client.session


def test_signup_creates_the_user(client, db):
    response = signup(client, "NewPerson")

    assert response.status_code == 302
    user = User.objects.get(username="NewPerson")
    assert user.email == "new@example.com"
    assert user.is_active
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").status_code == 200
    assert client.get("/newperson/").url == "/NewPerson/"


def test_signup_closed(client, db, settings):
    settings.REGISTRATION_OPEN = False

    signup(client, "latecomer")

    assert not User.objects.filter(username="latecomer").exists()


@pytest.mark.parametrize("login", ["ann", "ANN", "Ann", "ann@example.com"])
def test_login_by_username_in_any_case(client, ann, login):
    response = client.post("/accounts/login/", {"login": login, "password": "pw-ann-123"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ann.pk)


def test_login_with_wrong_password_fails(client, ann):
    response = client.post("/accounts/login/", {"login": "ann", "password": "wrong"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_suspended_user_cannot_log_in(client, bob, moderator):
    services.suspend(moderator, bob)

    response = client.post("/accounts/login/", {"login": "bob", "password": "pw-bob-123"})

    assert response.status_code == 302
    assert response.url == "/accounts/inactive/"
    assert "_auth_user_id" not in client.session
    assert "This account is suspended" in client.get(response.url).content.decode()
    assert client.get("/").url == "/explore/"


def test_session_of_suspended_user_is_logged_out(client, bob, moderator):
    client.force_login(bob)
    assert client.get("/settings/profile/").status_code == 200

    services.suspend(moderator, bob)

    response = client.get("/settings/profile/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    blocked = client.post("/ann/follow/")
    assert blocked.status_code == 302
    assert not Follow.objects.exists()
