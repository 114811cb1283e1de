"""The tweets admin: pages, filters, search, query counts, and removal through the service."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import constants as message_levels
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from tests.admin_actions import action_names, change_url, changelist_url, messages_of, run_action
from tweets import services
from tweets.models import Bookmark, Hashtag, Like, Tweet, TweetVersion, Visibility

TWEET_MODELS = [Tweet, TweetVersion, Hashtag, Like, Bookmark]


def results(response):
    return list(response.context["cl"].result_list)


def add_activity(author, fan, post, text="hello #django world"):
    """An edited tweet, a reply, a retweet, a like and a bookmark."""
    tweet = post(author, text)
    services.edit_tweet(author, tweet, text + " (edited)")
    reply = post(fan, f"@{author.username} nice", in_reply_to=tweet)
    retweet = services.retweet(fan, tweet)
    services.like(fan, tweet)
    services.bookmark(fan, tweet)
    return tweet, reply, retweet


@pytest.fixture
def activity(ann, bob, post):
    tweet, reply, retweet = add_activity(ann, bob, post)
    return {"tweet": tweet, "reply": reply, "retweet": retweet}


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.mark.parametrize("model", TWEET_MODELS, ids=lambda m: m.__name__)
def test_superuser_sees_list_and_detail_of_every_model(admin_client, activity, model):
    row = model.objects.order_by("pk").last()

    listing = admin_client.get(changelist_url(model))
    detail = admin_client.get(change_url(row))

    assert listing.status_code == 200
    assert row in results(listing)
    assert detail.status_code == 200
    assert detail.context["original"] == row
    assert escape(str(row)) in detail.content.decode()


def test_tweet_page_shows_its_earlier_versions(admin_client, activity):
    response = admin_client.get(change_url(activity["tweet"]))

    content = response.content.decode()
    assert "hello #django world (edited)" in content  # the text now
    inline = response.context["inline_admin_formsets"][0]
    assert [form.original.text for form in inline] == ["hello #django world"]
    assert not inline.has_add_permission
    assert not inline.has_change_permission


def test_tweet_list_shows_kind_counters_and_dates(admin_client, activity):
    response = admin_client.get(changelist_url(Tweet))

    cl = response.context["cl"]
    assert cl.list_display[1:] == [
        "id",
        "author",
        "short_text",
        "reply",
        "retweet",
        "visibility",
        "created_at",
        "edited_at",
        "deleted_at",
        "replies_count",
        "likes_count",
        "retweets_count",
        "quotes_count",
    ]
    rows = {row.pk: row for row in results(response)}
    assert rows[activity["tweet"].pk].likes_count == 1
    assert rows[activity["tweet"].pk].retweets_count == 1
    assert rows[activity["tweet"].pk].replies_count == 1
    content = response.content.decode()
    assert '<td class="field-reply"><img src="/static/admin/img/icon-yes.svg" alt="True"></td>' in content
    assert '<td class="field-retweet"><img src="/static/admin/img/icon-yes.svg" alt="True"></td>' in content


@pytest.mark.parametrize("model", TWEET_MODELS, ids=lambda m: m.__name__)
def test_changelists_make_no_query_per_row(admin_client, make_user, activity, post, model):
    url = changelist_url(model)
    admin_client.get(url)  # warm the content-type and session caches
    with CaptureQueriesContext(connection) as few:
        before = admin_client.get(url)
    for n in range(3):
        add_activity(make_user(), make_user(), post, text=f"more #tag{n}")
    with CaptureQueriesContext(connection) as many:
        after = admin_client.get(url)

    assert len(results(after)) > len(results(before))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_moderator_removes_tweets_through_the_service(moderator_client, moderator, activity, ann):
    listing = moderator_client.get(changelist_url(Tweet))
    assert "remove_tweets" in action_names(listing)
    tweet = activity["tweet"]
    detail = moderator_client.get(change_url(tweet))
    assert [form.original.text for form in detail.context["inline_admin_formsets"][0]] == [
        "hello #django world"
    ]

    response = run_action(moderator_client, Tweet, "remove_tweets", [tweet])

    assert response.redirect_chain == [(changelist_url(Tweet), 302)]
    assert messages_of(response) == [(message_levels.SUCCESS, "Removed 1 tweet(s).")]
    tweet.refresh_from_db()
    assert tweet.deleted_at is not None
    assert tweet.removed_by == moderator
    assert tweet.text == ""
    # What only delete_tweet does: retweets, likes, versions gone and counters exact.
    assert not Tweet.objects.filter(pk=activity["retweet"].pk).exists()
    assert not Like.objects.filter(tweet=tweet).exists()
    assert not TweetVersion.objects.filter(tweet=tweet).exists()
    ann.refresh_from_db()
    assert ann.tweets_count == 0
    activity["reply"].refresh_from_db()
    assert activity["reply"].deleted_at is None


def test_removing_an_already_removed_tweet_does_nothing(moderator_client, moderator, activity):
    tweet = activity["tweet"]
    services.delete_tweet(moderator, tweet)
    tweet.refresh_from_db()
    removed_at = tweet.deleted_at

    response = run_action(moderator_client, Tweet, "remove_tweets", [tweet])

    assert messages_of(response) == []
    tweet.refresh_from_db()
    assert tweet.deleted_at == removed_at


def test_staff_without_the_permission_neither_sees_nor_runs_removal(client, make_user, activity):
    staff = make_user("helper", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_tweet"))
    client.force_login(User.objects.get(pk=staff.pk))

    listing = client.get(changelist_url(Tweet))
    run_action(client, Tweet, "remove_tweets", [activity["tweet"]])

    assert listing.status_code == 200
    assert "remove_tweets" not in action_names(listing)
    activity["tweet"].refresh_from_db()
    assert activity["tweet"].deleted_at is None


def test_admin_delete_of_tweets_is_switched_off_even_for_superusers(admin_client, activity):
    tweet = activity["tweet"]

    listing = admin_client.get(changelist_url(Tweet))
    bulk = run_action(admin_client, Tweet, "delete_selected", [tweet])
    single = admin_client.post(reverse("admin:tweets_tweet_delete", args=[tweet.pk]), {"post": "yes"})

    assert action_names(listing) == {"remove_tweets"}
    assert messages_of(bulk) == [(message_levels.WARNING, "No action selected.")]
    assert single.status_code == 403
    assert Tweet.objects.filter(pk=tweet.pk, deleted_at__isnull=True).exists()


def test_tweets_cannot_be_added_or_edited_in_the_admin(admin_client, activity):
    tweet = activity["tweet"]

    assert admin_client.get(reverse("admin:tweets_tweet_add")).status_code == 403
    response = admin_client.post(change_url(tweet), {"text": "rewritten"})

    assert response.status_code == 403
    tweet.refresh_from_db()
    assert tweet.text == "hello #django world (edited)"


@pytest.mark.parametrize("model", TWEET_MODELS, ids=lambda m: m.__name__)
def test_non_staff_and_anonymous_are_sent_to_the_admin_login(client, ann, model):
    url = changelist_url(model)
    anonymous = client.get(url)
    client.force_login(ann)
    member = client.get(url)

    for response in (anonymous, member):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_search_finds_tweets_by_text_author_and_id(admin_client, activity, carol, post):
    other = post(carol, "unicorns everywhere")
    url = changelist_url(Tweet)

    by_text = results(admin_client.get(url, {"q": "unicorns"}))
    by_author = results(admin_client.get(url, {"q": "carol"}))
    by_id = results(admin_client.get(url, {"q": str(activity["reply"].pk)}))
    hashtags = results(admin_client.get(changelist_url(Hashtag), {"q": "djan"}))
    likes = results(admin_client.get(changelist_url(Like), {"q": "bob"}))

    assert by_text == [other]
    assert by_author == [other]
    assert by_id == [activity["reply"]]
    assert hashtags == [Hashtag.objects.get(name="django")]
    assert [like.tweet for like in likes] == [activity["tweet"]]


def test_filters_on_deleted_and_visibility(admin_client, ann, bob, post):
    gone = post(ann, "soon gone")
    services.delete_tweet(ann, gone)
    private = post(bob, "friends only", visibility=Visibility.PRIVATE)
    public = post(bob, "for all")
    url = changelist_url(Tweet)

    deleted = results(admin_client.get(url, {"deleted": "yes"}))
    alive = results(admin_client.get(url, {"deleted": "no"}))
    followers_only = results(admin_client.get(url, {"visibility__exact": "private"}))

    assert [t.pk for t in deleted] == [gone.pk]
    assert [t.pk for t in alive] == [public.pk, private.pk]
    assert [t.pk for t in followers_only] == [private.pk]
