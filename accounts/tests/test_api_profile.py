"""The user's own account through the Mastodon API: verify_credentials,
update_credentials and preferences (see test_api_accounts for validate=False)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image

from accounts import services
from accounts.models import Follow, FollowRequest, User

from .conftest import error_of

VERIFY = "/api/v1/accounts/verify_credentials"
UPDATE = "/api/v1/accounts/update_credentials"


def fresh(user):
    return User.objects.get(pk=user.pk)


def multipart(client, data: dict, **extra):
    """PATCH as multipart/form-data (the test client encodes only POSTs so)."""
    return client.patch(UPDATE, encode_multipart(BOUNDARY, data), content_type=MULTIPART_CONTENT, **extra)


def png(name="me.png", size=(16, 16)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- verify_credentials ------------------------------------------------------------


def test_verify_credentials_shows_the_source_and_pending_requests(as_, make_user, bob, carol):
    ann = make_user("ann", is_protected=True, bio="Hi\nthere", website="https://ann.example/")
    services.follow(bob, ann)
    services.follow(carol, ann)
    response = as_(ann).get(VERIFY)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(ann.pk)
    assert body["locked"] is True
    assert body["source"]["note"] == "Hi\nthere"
    assert body["source"]["privacy"] == "private"
    assert body["source"]["follow_requests_count"] == 2
    assert body["source"]["fields"] == [
        {"name": "Website", "value": "https://ann.example/", "verified_at": None}
    ]


@pytest.mark.parametrize("scopes", ["read", "read:accounts", "profile", "read:accounts write:statuses"])
def test_verify_credentials_accepts_read_accounts_or_profile(as_, ann, scopes):
    assert as_(ann, scopes).get(VERIFY).status_code == 200


def test_verify_credentials_refusals(api, as_, ann, token_for, moderator):
    assert error_of(api.get(VERIFY), 401) == "The access token is invalid"
    assert error_of(api.as_(token_for(None)).get(VERIFY), 401) == "This method requires an authenticated user"
    assert (
        error_of(as_(ann, "write follow").get(VERIFY), 403) == "This action is outside the authorized scopes"
    )
    suspended = as_(ann)
    services.suspend(moderator, ann)
    assert error_of(suspended.get(VERIFY), 403) == "Your login is currently disabled"


# --- update_credentials ------------------------------------------------------------


def test_update_with_a_form(as_, ann):
    response = as_(ann).patch(
        UPDATE,
        "display_name=Ann+B&note=Line+one%0ALine+two&locked=true",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "Ann B"
    assert body["locked"] is True
    assert body["note"] == "<p>Line one<br>Line two</p>"
    assert body["source"]["privacy"] == "private"
    ann = fresh(ann)
    assert (ann.display_name, ann.bio, ann.is_protected) == ("Ann B", "Line one\nLine two", True)


def test_update_with_json_changes_only_what_is_sent(as_, make_user):
    ann = make_user("ann", display_name="Ann", bio="bio", location="Paris")
    response = as_(ann).patch(UPDATE, json_body={"display_name": "  Annie  "})
    assert response.status_code == 200, response.content
    ann = fresh(ann)
    assert (ann.display_name, ann.bio, ann.location) == ("Annie", "bio", "Paris")


def test_update_fields_attributes_as_json_and_as_form(as_, make_user):
    ann = make_user("ann", location="Paris")
    response = as_(ann).patch(
        UPDATE, json_body={"fields_attributes": {"0": {"name": "Website", "value": "ann.example"}}}
    )
    assert response.status_code == 200, response.content
    # A missing field is cleared; a website without a scheme gets https.
    assert (fresh(ann).website, fresh(ann).location) == ("https://ann.example", "")
    assert response.json()["source"]["fields"] == [
        {"name": "Website", "value": "https://ann.example", "verified_at": None}
    ]
    form = (
        "fields_attributes[0][name]=location&fields_attributes[0][value]=Lyon"
        "&fields_attributes[1][name]=&fields_attributes[1][value]="
    )
    response = as_(ann).patch(UPDATE, form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    assert (fresh(ann).website, fresh(ann).location) == ("", "Lyon")
    listed = as_(ann).patch(UPDATE, json_body={"fields_attributes": [{"name": "Location", "value": "Nice"}]})
    assert listed.status_code == 200
    assert fresh(ann).location == "Nice"


def test_update_images_with_multipart(as_, ann):
    response = multipart(as_(ann), {"avatar": png(), "header": png("h.png", (60, 20)), "display_name": "Pic"})
    assert response.status_code == 200, response.content
    ann = fresh(ann)
    assert ann.avatar.name.startswith("avatars/")
    assert ann.header.name.startswith("headers/")
    assert response.json()["avatar"].endswith(ann.avatar.url)


@pytest.mark.parametrize("image", ["avatar", "header"])
def test_removing_a_profile_image(as_, ann, image, tmp_path, django_capture_on_commit_callbacks):
    multipart(as_(ann), {image: png()})
    stored = tmp_path / getattr(fresh(ann), image).name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_(ann).delete(f"/api/v1/profile/{image}")
    assert response.status_code == 200
    assert response.json()[image].endswith(f"/static/img/missing-{image}.png")
    assert not getattr(fresh(ann), image)
    assert not stored.exists()
    # Removing what is not there is no error.
    assert as_(ann).delete(f"/api/v1/profile/{image}").status_code == 200
    assert as_(ann, "read").delete(f"/api/v1/profile/{image}", validate=False).status_code == 403


def test_making_an_account_public_approves_its_requests(as_, make_user, bob):
    ann = make_user("ann", is_protected=True)
    services.follow(bob, ann)
    response = as_(ann).patch(UPDATE, json_body={"locked": False})
    assert response.status_code == 200
    assert response.json()["followers_count"] == 1
    assert Follow.objects.filter(follower=bob, followee=ann).exists()
    assert not FollowRequest.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"display_name": "x" * 51, "note": "kept?"}, "display_name"),
        ({"note": "x" * 161, "display_name": "kept?"}, "note"),
        ({"locked": "maybe", "display_name": "kept?"}, "locked"),
        ({"display_name": ["a", "list"]}, "display_name"),
        ({"fields_attributes": {"0": {"name": "Pronouns", "value": "she"}}}, "fields_attributes"),
        ({"fields_attributes": "Website"}, "fields_attributes"),
        ({"fields_attributes": [{"name": "Website", "value": "not a url"}]}, "Website"),
        ({"fields_attributes": [{"name": "Location", "value": "x" * 31}]}, "Location"),
        ({"avatar": "https://elsewhere.example/me.png"}, "avatar"),
    ],
)
def test_bad_json_values_are_422_and_change_nothing(as_, ann, body, message):
    response = as_(ann).patch(UPDATE, json_body=body)
    assert message in error_of(response, 422)
    unchanged = fresh(ann)
    assert (unchanged.display_name, unchanged.bio, unchanged.website) == ("Ann", "", "")


def test_a_bad_image_is_422_and_nothing_is_written(as_, ann):
    fake = SimpleUploadedFile("me.png", b"not an image", content_type="image/png")
    response = multipart(as_(ann), {"avatar": fake, "display_name": "Kept?"})
    assert "not a valid image" in error_of(response, 422)
    assert fresh(ann).display_name == "Ann"
    assert not fresh(ann).avatar


@pytest.mark.parametrize(("raw", "status"), [("{not json", 400), ("[1, 2]", 400), ('"text"', 400)])
def test_a_malformed_json_body_is_a_json_error(as_, ann, raw, status):
    client = as_(ann)
    response = client.client.patch(
        UPDATE, raw, content_type="application/json", headers={"Authorization": f"Bearer {client.token}"}
    )
    error_of(response, status)


def test_update_needs_write_accounts(api, as_, ann):
    assert error_of(api.patch(UPDATE, json_body={"display_name": "X"}), 401)
    refused = as_(ann, "read write:statuses").patch(UPDATE, json_body={"display_name": "X"}, validate=False)
    assert error_of(refused, 403) == "This action is outside the authorized scopes"
    assert as_(ann, "write:accounts").patch(UPDATE, json_body={"display_name": "X"}).status_code == 200
    # A method the route does not have is 405, before any token check.
    error_of(as_(ann).post(UPDATE, json_body={"display_name": "Y"}, validate=False), 405)
    assert fresh(ann).display_name == "X"


# --- preferences ---------------------------------------------------------------------


@pytest.mark.parametrize(("protected", "visibility"), [(False, "public"), (True, "private")])
def test_preferences(as_, make_user, protected, visibility):
    user = make_user("pref", is_protected=protected)
    response = as_(user, "read:accounts").get("/api/v1/preferences")
    assert response.status_code == 200
    assert response.json() == {
        "posting:default:visibility": visibility,
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


def test_preferences_need_a_user_with_read_accounts(api, as_, ann):
    error_of(api.get("/api/v1/preferences"), 401)
    error_of(as_(ann, "read:statuses").get("/api/v1/preferences", validate=False), 403)
