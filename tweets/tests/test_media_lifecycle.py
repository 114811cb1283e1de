"""A tweet's media after posting: edits that keep, drop, reorder, add and
describe media (service, PUT /api/v1/statuses/:id, the edit page), the
edit history with the media of each version, and deletion, which takes
the files away (or keeps the media for a redraft, as Mastodon)."""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError

from media import services as media
from media.models import MediaAttachment
from media.tests import conftest as media_fixtures
from media.tests.conftest import animated_gif
from tweets import services
from tweets.models import Tweet, TweetVersion

_media_root = media_fixtures._media_root
stored_files = media_fixtures.stored_files
uploaded = media_fixtures.uploaded


@pytest.fixture
def ann_api(api, token_for, ann):
    return api.as_(token_for(ann, "read write"))


def ids(items) -> list[str]:
    return [str(item.pk) for item in items]


def url(tweet) -> str:
    return f"/api/v1/statuses/{tweet.pk}"


def files_of(*items) -> list[str]:
    return sorted(
        name for item in items for name in (item.original.name, item.file.name, item.thumbnail.name)
    )


class TestEditService:
    def test_a_text_edit_keeps_the_media(self, ann, uploaded, post):
        item = uploaded(ann, description="Red")
        tweet = post(ann, "first", media=ids([item]))
        services.edit_tweet(ann, tweet, "second")
        tweet.refresh_from_db()
        assert tweet.entities["media"] == [item.pk]
        assert TweetVersion.objects.get().media == [{"id": item.pk, "description": "Red"}]

    def test_a_media_only_edit_is_an_edit_and_the_text_may_be_empty(self, ann, uploaded, post):
        first, second = uploaded(ann), uploaded(ann)
        tweet = post(ann, "", media=ids([first]))
        services.edit_tweet(ann, tweet, "", media=ids([second, first]))
        tweet.refresh_from_db()
        assert tweet.entities["media"] == [second.pk, first.pk]
        assert tweet.edited_at is not None
        assert [v.media for v in TweetVersion.objects.all()] == [[{"id": first.pk, "description": ""}]]

    def test_removing_the_last_media_needs_a_text(self, ann, uploaded, post):
        item = uploaded(ann)
        tweet = post(ann, "", media=ids([item]))
        with pytest.raises(ValidationError, match="Your tweet is empty"):
            services.edit_tweet(ann, tweet, "", media=[])
        services.edit_tweet(ann, tweet, "now words", media=[])
        tweet.refresh_from_db()
        assert "media" not in tweet.entities

    def test_the_same_media_and_text_is_unchanged(self, ann, uploaded, post):
        item = uploaded(ann)
        tweet = post(ann, "same", media=ids([item]))
        with pytest.raises(ValidationError, match="unchanged"):
            services.edit_tweet(ann, tweet, "same", media=ids([item]))
        assert not TweetVersion.objects.exists()

    def test_an_alt_text_change_is_an_edit(self, ann, uploaded, post):
        item = uploaded(ann, description="Old")
        tweet = post(ann, "same", media=ids([item]))
        change = media.MediaChange(id=str(item.pk), description="A red square")
        services.edit_tweet(ann, tweet, "same", media_changes=[change])
        item.refresh_from_db()
        assert item.description == "A red square"
        assert TweetVersion.objects.get().media == [{"id": item.pk, "description": "Old"}]

    def test_a_refused_media_edit_changes_nothing(self, ann, bob, uploaded, post):
        item = uploaded(ann)
        tweet = post(ann, "first", media=ids([item]))
        with pytest.raises(ValidationError, match="not found or already attached"):
            services.edit_tweet(ann, tweet, "second", media=ids([item, uploaded(bob)]))
        tweet.refresh_from_db()
        assert (tweet.text, tweet.entities["media"], tweet.edited_at) == ("first", [item.pk], None)
        assert not TweetVersion.objects.exists()


class TestEditApi:
    def test_keep_drop_reorder_add_and_describe(self, ann_api, ann, uploaded, post):
        first, second, third, new = (uploaded(ann, description=f"d{n}") for n in range(4))
        tweet = post(ann, "look", media=ids([first, second, third]))
        response = ann_api.put(
            url(tweet),
            json_body={
                "media_ids": ids([third, new, first]),
                "media_attributes": [{"id": str(new.pk), "description": "New one", "focus": "0.5,-0.5"}],
            },
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert [m["id"] for m in body["media_attachments"]] == ids([third, new, first])
        assert body["media_attachments"][1]["description"] == "New one"
        assert body["media_attachments"][1]["meta"]["focus"] == {"x": 0.5, "y": -0.5}
        assert body["edited_at"]
        assert body["content"] == "<p>look</p>"
        assert [m["id"] for m in ann_api.get(url(tweet)).json()["media_attachments"]] == ids(
            [third, new, first]
        )
        # The dropped one stays attached for the history: not reusable, not shown.
        assert MediaAttachment.objects.get(pk=second.pk).tweet_id == tweet.pk

        history = ann_api.get(f"{url(tweet)}/history").json()
        assert [[m["id"] for m in edit["media_attachments"]] for edit in history] == [
            ids([first, second, third]),
            ids([third, new, first]),
        ]
        assert ann_api.checked >= 3

    def test_alt_text_by_form_fields_as_mastodon_clients_send_them(self, ann_api, ann, uploaded, post):
        first, second = uploaded(ann, description="old 1"), uploaded(ann, description="old 2")
        tweet = post(ann, "look", media=ids([first, second]))
        form = [
            ("media_ids[]", str(first.pk)),
            ("media_ids[]", str(second.pk)),
            ("media_attributes[][id]", str(first.pk)),
            ("media_attributes[][description]", "new 1"),
            ("media_attributes[][id]", str(second.pk)),
            ("media_attributes[][description]", "new 2"),
        ]
        response = ann_api.put(url(tweet), urlencode(form), content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200, response.content
        assert [m["description"] for m in response.json()["media_attachments"]] == ["new 1", "new 2"]
        # The earlier version keeps the alt texts it had.
        history = ann_api.get(f"{url(tweet)}/history").json()
        assert [m["description"] for m in history[0]["media_attachments"]] == ["old 1", "old 2"]

    def test_an_empty_list_removes_all_media_and_absent_keeps_them(self, ann_api, ann, uploaded, post):
        item = uploaded(ann)
        tweet = post(ann, "look", media=ids([item]))
        assert ann_api.put(url(tweet), json_body={"status": "still"}).json()["media_attachments"] != []
        response = ann_api.put(url(tweet), json_body={"status": "still", "media_ids": []})
        assert response.status_code == 200, response.content
        assert response.json()["media_attachments"] == []

    @pytest.mark.parametrize(
        ("problem", "message"),
        [
            ("someone-elses", "not found or already attached"),
            ("too-many", "at most 4"),
            ("mixed", "one video or up to 4 images"),
            ("unlisted-attribute", "is not among this post's media"),
            ("bad-focus", "must be two numbers"),
            ("attribute-without-id", "needs the id"),
        ],
    )
    def test_refusals_are_422_and_change_nothing(self, ann_api, ann, bob, uploaded, post, problem, message):
        item = uploaded(ann, description="Kept")
        tweet = post(ann, "look", media=ids([item]))
        body = {"status": "changed", "media_ids": ids([item])}
        if problem == "someone-elses":
            body["media_ids"].append(str(uploaded(bob).pk))
        elif problem == "too-many":
            body["media_ids"] += [str(uploaded(ann).pk) for _ in range(4)]
        elif problem == "mixed":
            body["media_ids"].append(str(uploaded(ann, animated_gif()).pk))
        elif problem == "unlisted-attribute":
            body["media_ids"] = ids([uploaded(ann)])
            body["media_attributes"] = [{"id": str(item.pk), "description": "x"}]
        elif problem == "bad-focus":
            body["media_attributes"] = [{"id": str(item.pk), "focus": "left"}]
        else:
            body["media_attributes"] = [{"description": "x"}]
        response = ann_api.put(url(tweet), json_body=body)
        assert response.status_code == 422, response.content
        assert message in str(response.json()["error"])
        tweet.refresh_from_db()
        item.refresh_from_db()
        assert (tweet.text, tweet.entities["media"], item.description) == ("look", [item.pk], "Kept")
        assert not TweetVersion.objects.exists()

    def test_another_users_tweet_is_not_found(self, api, token_for, ann, bob, uploaded, post):
        tweet = post(ann, "look", media=ids([uploaded(ann)]))
        response = api.as_(token_for(bob, "read write")).put(url(tweet), json_body={"media_ids": []})
        assert response.status_code == 404


class TestEditPage:
    def test_the_owner_changes_alt_text_and_removes_an_attachment(self, client, ann, uploaded, post):
        first, second = uploaded(ann, description="Old"), uploaded(ann, description="Gone")
        tweet = post(ann, "look", media=ids([first, second]))
        client.force_login(ann)
        page = client.get(f"/tweets/{tweet.pk}/edit/").content.decode()
        assert "Alt text" in page
        assert "Old</textarea>" in page
        response = client.post(
            f"/tweets/{tweet.pk}/edit/",
            {
                "text": "look",
                f"alt_{first.pk}": "A red square",
                f"alt_{second.pk}": "Gone",
                f"remove_{second.pk}": "on",
            },
        )
        assert response.status_code == 302, response.content
        tweet.refresh_from_db()
        first.refresh_from_db()
        assert tweet.entities["media"] == [first.pk]
        assert first.description == "A red square"
        history = client.get(f"/tweets/{tweet.pk}/history/").content.decode()
        assert 'alt="Gone"' in history
        assert 'alt="A red square"' in history

    def test_removing_everything_from_an_empty_tweet_is_refused(self, client, ann, uploaded, post):
        item = uploaded(ann)
        tweet = post(ann, "", media=ids([item]))
        client.force_login(ann)
        response = client.post(f"/tweets/{tweet.pk}/edit/", {"text": "", f"remove_{item.pk}": "on"})
        assert response.status_code == 422
        assert "Your tweet is empty." in response.content.decode()
        tweet.refresh_from_db()
        assert tweet.entities["media"] == [item.pk]


class TestDelete:
    def test_deleting_a_tweet_deletes_its_media_and_files_after_commit(
        self, ann, uploaded, post, stored_files, django_capture_on_commit_callbacks
    ):
        shown, dropped, other = uploaded(ann), uploaded(ann), uploaded(ann)
        tweet = post(ann, "look", media=ids([shown, dropped]))
        services.edit_tweet(ann, tweet, "look", media=ids([shown]))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.delete_tweet(ann, tweet)
        assert list(MediaAttachment.objects.values_list("pk", flat=True)) == [other.pk]
        assert len(stored_files()) == 9
        for callback in callbacks:
            callback()
        assert stored_files() == files_of(other)
        tweet.refresh_from_db()
        assert tweet.deleted_at is not None
        assert tweet.entities == {}

    def test_a_moderator_removal_deletes_the_media(
        self, ann, moderator, uploaded, post, stored_files, django_capture_on_commit_callbacks
    ):
        tweet = post(ann, "bad", media=ids([uploaded(ann)]))
        with django_capture_on_commit_callbacks(execute=True):
            services.delete_tweet(moderator, tweet, keep_media=True)
        assert not MediaAttachment.objects.exists()
        assert stored_files() == []

    def test_the_api_keeps_media_for_a_redraft_unless_delete_media(
        self, ann_api, ann, uploaded, post, stored_files, django_capture_on_commit_callbacks
    ):
        item = uploaded(ann)
        tweet = post(ann, "draft", media=ids([item]))
        with django_capture_on_commit_callbacks(execute=True):
            response = ann_api.delete(url(tweet), content_type="application/json")
        assert response.status_code == 200
        assert [m["id"] for m in response.json()["media_attachments"]] == ids([item])
        # Unattached again: the redraft posts it.
        redraft = ann_api.post("/api/v1/statuses", {"status": "draft", "media_ids[]": ids([item])})
        assert redraft.status_code == 200, redraft.content
        assert [m["id"] for m in redraft.json()["media_attachments"]] == ids([item])

        again = Tweet.objects.get(pk=redraft.json()["id"])
        with django_capture_on_commit_callbacks(execute=True):
            response = ann_api.delete(f"{url(again)}?delete_media=true", content_type="application/json")
        assert response.status_code == 200
        assert not MediaAttachment.objects.exists()
        assert stored_files() == []

    def test_a_tombstone_shows_no_media(self, ann, bob, uploaded, post):
        from tweets.attachments import tweet_media
        from tweets.selectors import attach_media

        tweet = post(ann, "look", media=ids([uploaded(ann)]))
        reply = post(bob, "nice", in_reply_to=tweet)
        services.delete_tweet(ann, tweet)
        tombstone = Tweet.objects.get(pk=tweet.pk)
        assert tweet_media(tombstone) == []
        (shown,) = attach_media([tombstone])
        assert shown.media == []
        assert reply.in_reply_to_id == tombstone.pk


def test_the_migration_fills_in_versions_and_media_an_earlier_edit_hid(transactional_db, ann, uploaded, post):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    item = uploaded(ann, description="Red")
    tweet = post(ann, "first", media=ids([item]))
    TweetVersion.objects.create(tweet=tweet, text="zeroth", created_at=tweet.created_at)
    # What an edit did before 0006: entities rebuilt without "media".
    Tweet.objects.filter(pk=tweet.pk).update(entities={"hashtags": []})
    executor = MigrationExecutor(connection)
    executor.migrate([("tweets", "0005_hashtag_prefix_index")])
    executor = MigrationExecutor(connection)
    executor.migrate([("tweets", "0006_version_media")])
    tweet.refresh_from_db()
    assert tweet.entities == {"hashtags": [], "media": [item.pk]}
    assert TweetVersion.objects.get().media == [{"id": item.pk, "description": "Red"}]
