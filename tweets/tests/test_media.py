"""Media on tweets: posting with media_ids, Status.media_attachments, the
compose form's upload, and the tweet's rendering in each state."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media import services
from media.models import MediaAttachment, State
from media.tests import conftest as media_fixtures
from media.tests.conftest import animated_gif, image_bytes, upload_file
from tweets.models import Tweet

# The media tests' fixtures: a MEDIA_ROOT per test (autouse) and what is on disk.
_media_root = media_fixtures._media_root
stored_files = media_fixtures.stored_files
uploaded = media_fixtures.uploaded


@pytest.fixture
def ann_api(api, token_for, ann):
    return api.as_(token_for(ann, "read write"))


def test_a_status_with_media_and_no_text(ann_api, ann, uploaded):
    first, second = uploaded(ann, description="First"), uploaded(ann, processed=False)
    response = ann_api.post(
        "/api/v1/statuses", {"status": "", "media_ids[]": [str(first.pk), str(second.pk)]}
    )
    assert response.status_code == 200, response.content
    media = response.json()["media_attachments"]
    assert [item["id"] for item in media] == [str(first.pk), str(second.pk)]
    assert media[0]["description"] == "First"
    assert media[0]["url"].endswith("/display.jpg")
    assert media[1]["url"] is None  # still processing
    tweet = Tweet.objects.get()
    assert tweet.entities["media"] == [first.pk, second.pk]
    shown = ann_api.get(f"/api/v1/statuses/{tweet.pk}").json()
    assert len(shown["media_attachments"]) == 2
    assert ann_api.checked >= 2


@pytest.mark.parametrize("problem", ["someone-elses", "attached", "too-many", "mixed"])
def test_refused_media_leave_no_tweet(ann_api, ann, bob, uploaded, post, problem):
    if problem == "someone-elses":
        ids, message = [uploaded(bob).pk], "not found or already attached"
    elif problem == "attached":
        item = uploaded(ann)
        services.attach(ann, [str(item.pk)], tweet=post(ann, "first"))
        ids, message = [item.pk], "not found or already attached"
    elif problem == "too-many":
        ids, message = [uploaded(ann).pk for _ in range(5)], "at most 4"
    else:
        ids, message = [uploaded(ann, animated_gif()).pk, uploaded(ann).pk], "one video or up to 4 images"
    before = Tweet.objects.count()
    response = ann_api.post("/api/v1/statuses", {"status": "look", "media_ids[]": [str(i) for i in ids]})
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert Tweet.objects.count() == before
    assert not MediaAttachment.objects.filter(pk__in=ids, tweet__text="look").exists()


def test_an_empty_status_without_media_is_still_refused(ann_api):
    response = ann_api.post("/api/v1/statuses", {"status": ""})
    assert response.status_code == 422


def test_home_timeline_loads_media_in_one_query(ann_api, ann, bob, carol, uploaded, post):
    from accounts.services import follow
    from tweets.services import retweet

    follow(ann, bob)
    for index in range(2):
        post(bob, f"pic {index}", media=[str(uploaded(bob).pk)])
    # A retweet of a tweet with media by someone ann does not follow.
    retweet(bob, post(carol, "carol's pic", media=[str(uploaded(carol).pk)]))
    post(bob, "plain")

    def home_queries():
        with CaptureQueriesContext(connection) as queries:
            body = ann_api.get("/api/v1/timelines/home").json()
        return body, [q["sql"] for q in queries.captured_queries]

    body, queries = home_queries()
    assert sum(1 for status in body if status["media_attachments"]) == 3
    reblog = next(status["reblog"] for status in body if status["reblog"])
    assert reblog["media_attachments"][0]["type"] == "image"
    assert sum("media_mediaattachment" in sql for sql in queries) == 1


def test_pages_show_images_with_alt_text_a_placeholder_and_a_failure(client, ann, uploaded, post):
    ready = uploaded(ann, description="A red square")
    post(ann, "ready", media=[str(ready.pk)])
    pending = uploaded(ann, processed=False)
    post(ann, "pending", media=[str(pending.pk)])
    failed = uploaded(ann, processed=False)
    failed_tweet = post(ann, "failed", media=[str(failed.pk)])
    # Processing failed after the tweet was posted with it.
    MediaAttachment.objects.filter(pk=failed.pk).update(state=State.FAILED, error="bad")
    client.force_login(ann)
    html = client.get("/ann/").content.decode()
    assert 'alt="A red square"' in html
    assert ready.thumbnail.url in html
    assert "Processing image…" in html
    assert "This image could not be processed." in html
    assert Tweet.objects.filter(pk=failed_tweet.pk).exists()  # a failed job never loses the tweet


def test_a_gifv_plays_as_a_silent_loop(client, ann, uploaded, post):
    item = uploaded(ann, animated_gif(), description="A looping cat")
    post(ann, "loop", media=[str(item.pk)])
    client.force_login(ann)
    html = client.get("/ann/").content.decode()
    assert f'poster="{item.thumbnail.url}"' in html
    assert "autoplay loop muted" in html
    assert 'aria-label="A looping cat"' in html


def test_compose_form_posts_a_photo_with_alt_text(client, ann, django_capture_on_commit_callbacks):
    client.force_login(ann)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/compose/",
            {"text": "", "media_file": upload_file(image_bytes(), "cat.jpg"), "media_description": "A cat"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200, response.content
    tweet = Tweet.objects.get()
    item = tweet.media_attachments.get()
    assert (item.description, item.state) == ("A cat", State.READY)


def test_compose_form_refuses_a_bad_file_and_keeps_nothing(client, ann, stored_files):
    client.force_login(ann)
    response = client.post(
        "/compose/",
        {"text": "hi", "media_file": upload_file(b"not an image", "cat.jpg")},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "This file type is not supported." in response.content.decode()
    assert not Tweet.objects.exists()
    assert not MediaAttachment.objects.exists()
    assert stored_files() == []


def test_a_refused_tweet_takes_its_upload_away(client, ann, stored_files, django_capture_on_commit_callbacks):
    client.force_login(ann)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/compose/",
            {"text": "x" * 300, "media_file": upload_file(image_bytes(), "cat.jpg")},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 422
    assert not MediaAttachment.objects.exists()
    assert stored_files() == []
