"""Media in direct messages: the service, the conversation page's upload
and rendering, the API (direct statuses with media_ids, Conversation
last_status), every refusal storing nothing, and that message media never
come out through the tweets' or the media API's paths."""

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from media.admin import MediaAttachmentAdmin
from media.models import MediaAttachment, State
from media.tests import conftest as media_fixtures
from media.tests.conftest import animated_gif, image_bytes, upload_file
from messaging import selectors, services
from messaging.models import Conversation, Message
from tweets.models import Tweet

# The media tests' fixtures: a MEDIA_ROOT per test (autouse) and what is on disk.
_media_root = media_fixtures._media_root
stored_files = media_fixtures.stored_files
uploaded = media_fixtures.uploaded

HTMX = {"HX-Request": "true"}


@pytest.fixture
def as_(api, token_for):
    def make(user, scopes="read write follow"):
        return api.as_(token_for(user, scopes))

    return make


# The service


def test_a_message_may_be_only_media(pair, ann, bob, uploaded):
    first, second = uploaded(ann), uploaded(ann, processed=False)
    message = services.send_message(ann, pair.pk, "", media=[str(first.pk), str(second.pk)])
    assert [item.pk for item in message.media] == [first.pk, second.pk]
    assert list(MediaAttachment.objects.filter(message=message).values_list("pk", "position")) == [
        (first.pk, 0),
        (second.pk, 1),
    ]
    participant = selectors.participation(bob, pair.pk)
    [shown] = selectors.messages_page(participant)
    assert shown.text == ""
    assert [item.pk for item in shown.media] == [first.pk, second.pk]


def test_an_empty_message_without_media_is_still_refused(pair, ann):
    with pytest.raises(ValidationError, match="Write a message"):
        services.send_message(ann, pair.pk, "  ", media=[])


@pytest.mark.parametrize(
    "problem", ["someone-elses", "attached-to-a-tweet", "attached-to-a-message", "too-many"]
)
def test_refused_media_store_no_message(pair, ann, bob, uploaded, post, problem):
    if problem == "someone-elses":
        ids, error = [uploaded(bob).pk], "not found or already attached"
    elif problem == "attached-to-a-tweet":
        item = uploaded(ann)
        post(ann, "mine", media=[str(item.pk)])
        ids, error = [item.pk], "not found or already attached"
    elif problem == "attached-to-a-message":
        item = uploaded(ann)
        services.send_message(ann, pair.pk, "first", media=[str(item.pk)])
        ids, error = [item.pk], "not found or already attached"
    else:
        ids, error = [uploaded(ann).pk for _ in range(5)], "at most 4"
    before = Message.objects.count(), dict(MediaAttachment.objects.values_list("pk", "message_id"))
    with pytest.raises(ValidationError, match=error):
        services.send_message(ann, pair.pk, "look", media=[str(pk) for pk in ids])
    assert (Message.objects.count(), dict(MediaAttachment.objects.values_list("pk", "message_id"))) == before


# The pages


def test_the_conversation_shows_media_a_placeholder_and_a_failure(client, pair, ann, bob, uploaded):
    ready = uploaded(ann, description="A red square")
    pending = uploaded(ann, processed=False)
    services.send_message(ann, pair.pk, "two pictures", media=[str(ready.pk), str(pending.pk)])
    failed = uploaded(ann, processed=False)
    services.send_message(ann, pair.pk, "", media=[str(failed.pk)])
    MediaAttachment.objects.filter(pk=failed.pk).update(state=State.FAILED, error="bad")
    client.force_login(bob)
    html = client.get(reverse("messaging_conversation", args=[pair.pk])).content.decode()
    assert 'alt="A red square"' in html
    assert ready.thumbnail.url in html
    assert "Processing image…" in html
    assert "This image could not be processed." in html
    inbox = client.get(reverse("messaging_inbox")).content.decode()
    assert "Sent a photo" in inbox


def test_the_page_sends_a_photo_with_alt_text(client, pair, ann, bob, django_capture_on_commit_callbacks):
    client.force_login(ann)
    url = reverse("messaging_send", args=[pair.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"text": "", "media_file": upload_file(image_bytes(), "cat.jpg"), "media_description": "A cat"},
            headers=HTMX,
        )
    assert response.status_code == 200, response.content
    message = Message.objects.get()
    item = message.media_attachments.get()
    assert (item.description, item.state, item.owner) == ("A cat", State.READY, ann)
    # Processed after commit, so the answer shows the placeholder...
    assert "Processing image…" in response.content.decode()
    page = client.get(reverse("messaging_conversation", args=[pair.pk])).content.decode()
    assert 'alt="A cat"' in page  # ...and the page the picture.
    assert 'enctype="multipart/form-data"' in page
    assert 'name="media_file"' in page


def test_a_new_conversation_can_start_with_a_photo(client, ann, bob, follow):
    follow(bob, ann)
    client.force_login(ann)
    response = client.post(
        reverse("messaging_new"), {"to": "bob", "text": "", "media_file": upload_file(image_bytes())}
    )
    assert response.status_code == 302
    assert Message.objects.get().media_attachments.count() == 1


@pytest.mark.parametrize("problem", ["bad-file", "too-long", "blocked"])
def test_a_refused_message_keeps_no_upload(
    client, pair, ann, bob, stored_files, problem, django_capture_on_commit_callbacks
):
    from accounts.services import block

    text = "hi"
    content = image_bytes()
    if problem == "bad-file":
        content = b"not an image"
    elif problem == "too-long":
        text = "x" * 10_001
    else:
        block(bob, ann)
    client.force_login(ann)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("messaging_send", args=[pair.pk]),
            {"text": text, "media_file": upload_file(content, "cat.jpg")},
            headers=HTMX,
        )
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert not Message.objects.exists()
    assert not MediaAttachment.objects.exists()
    assert stored_files() == []


def test_a_refused_first_message_keeps_no_conversation_nor_upload(
    client, ann, bob, stored_files, django_capture_on_commit_callbacks
):
    client.force_login(ann)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("messaging_new"),
            {"to": "bob", "text": "x" * 10_001, "media_file": upload_file(image_bytes())},
        )
    assert response.status_code == 422
    assert not Conversation.objects.exists()
    assert not MediaAttachment.objects.exists()
    assert stored_files() == []


# The API


def test_a_direct_status_with_media(as_, ann, bob, follow, uploaded):
    follow(bob, ann)
    image, gif = uploaded(ann, description="First"), uploaded(ann, animated_gif(), processed=False)
    response = as_(ann).post(
        "/api/v1/statuses", {"status": "@bob look", "visibility": "direct", "media_ids[]": [str(image.pk)]}
    )
    assert response.status_code == 200, response.content
    status = response.json()
    assert [item["id"] for item in status["media_attachments"]] == [str(image.pk)]
    assert status["media_attachments"][0]["description"] == "First"
    assert status["media_attachments"][0]["url"].endswith("/display.jpg")
    # Media alone, answering in the conversation: the text may be empty.
    reply = as_(ann).post(
        "/api/v1/statuses",
        {"status": "", "visibility": "direct", "in_reply_to_id": status["id"], "media_ids[]": [str(gif.pk)]},
    )
    assert reply.status_code == 200, reply.content
    [conversation] = as_(bob).get("/api/v1/conversations").json()
    last = conversation["last_status"]
    assert last["id"] == reply.json()["id"]
    assert [(item["id"], item["type"], item["url"]) for item in last["media_attachments"]] == [
        (str(gif.pk), "gifv", None)
    ]
    shown = as_(bob).get(f"/api/v1/statuses/{status['id']}").json()
    assert shown["media_attachments"][0]["id"] == str(image.pk)


@pytest.mark.parametrize("problem", ["someone-elses", "attached", "too-many", "unknown"])
def test_refused_media_store_no_direct_status(as_, ann, bob, follow, uploaded, post, problem):
    follow(bob, ann)
    if problem == "someone-elses":
        ids, error = [uploaded(bob).pk], "not found or already attached"
    elif problem == "attached":
        item = uploaded(ann)
        post(ann, "mine", media=[str(item.pk)])
        ids, error = [item.pk], "not found or already attached"
    elif problem == "too-many":
        ids, error = [uploaded(ann).pk for _ in range(5)], "at most 4"
    else:
        ids, error = ["nope"], "Media nope not found"
    response = as_(ann).post(
        "/api/v1/statuses",
        {"status": "@bob look", "visibility": "direct", "media_ids[]": [str(pk) for pk in ids]},
        validate=False,
    )
    assert response.status_code == 422, response.content
    assert error in response.json()["error"]
    assert not Message.objects.exists()
    assert not Conversation.objects.exists()
    assert not MediaAttachment.objects.filter(message__isnull=False).exists()


def test_message_media_never_come_out_through_tweets_or_the_media_api(as_, pair, ann, bob, uploaded, post):
    item = uploaded(ann)
    message = services.send_message(ann, pair.pk, "private", media=[str(item.pk)])
    client = as_(ann)
    # The media API shows and edits unattached uploads only.
    assert client.get(f"/api/v1/media/{item.pk}", validate=False).status_code == 404
    assert (
        client.put(f"/api/v1/media/{item.pk}", json_body={"description": "x"}, validate=False).status_code
        == 404
    )
    assert client.delete(f"/api/v1/media/{item.pk}", validate=False).status_code == 404
    # No tweet can take it.
    response = client.post(
        "/api/v1/statuses", {"status": "steal", "media_ids[]": [str(item.pk)]}, validate=False
    )
    assert response.status_code == 422
    assert not Tweet.objects.exists()
    # A tweet's media never include it (tweets' reads go by tweet).
    post(ann, "a tweet")
    for path in ["/api/v1/timelines/public", f"/api/v1/accounts/{ann.pk}/statuses"]:
        (status,) = client.get(path).json()
        assert status["content"] == "<p>a tweet</p>"
        assert status["media_attachments"] == []
    # Nor does the staff's media list.
    request = RequestFactory().get("/admin/media/mediaattachment/")
    assert item.pk not in MediaAttachmentAdmin(MediaAttachment, site).get_queryset(request).values_list(
        "pk", flat=True
    )
    assert MediaAttachment.objects.get(pk=item.pk).message_id == message.pk
