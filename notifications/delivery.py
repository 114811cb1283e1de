"""What the real-time layer sends when something happens, and to whom.

Called from notifications.tasks (Celery) after the domain event's commit.
Each function decides the audience of an event once, at send time, with
the same rules as the pages: a new tweet goes to the connected readers
whose home timeline takes it (timelines.services.recipients), to `public`
and its hashtags only when it is a public original of an open account,
and each connection still drops events from accounts it blocks or mutes
(the `hide` list; notifications.consumers).

Statuses are rendered once per event, without a reader's state (liked,
retweeted...: all false on a new tweet), as Mastodon's streaming server
sends them; a notification is rendered for its recipient.
"""

import json

from django.conf import settings

from accounts.models import Follow
from accounts.selectors import ANONYMOUS
from api.representation import SiteRequest
from timelines.services import in_own_timeline, recipients
from tweets.api.serializers import status_json
from tweets.models import Tweet
from tweets.selectors import attach_viewer_state, in_public_timeline, load_tweets

from . import push, selectors, streams
from .api.serializers import API_KINDS, notification_json
from .models import Notification
from .streams import Event


def _site() -> SiteRequest:
    return SiteRequest(settings.SITE_URL)


def _load(tweet_id: int) -> Tweet | None:
    rows = load_tweets([tweet_id])
    if not rows or rows[0].deleted_at or not rows[0].author.is_active:
        return None
    return attach_viewer_state(rows, ANONYMOUS)[0]


def _hide(tweet: Tweet) -> list[int]:
    """Whose blockers and muters must not get this tweet."""
    hidden = {tweet.author_id}
    if tweet.retweet_of_id:
        hidden.add(tweet.retweet_of.author_id)
    if tweet.in_reply_to_author_id:
        hidden.add(tweet.in_reply_to_author_id)
    return sorted(hidden)


def _readers(tweet: Tweet) -> list[int]:
    """The connected users whose home timeline takes `tweet`."""
    present = streams.present_users()
    if not present:
        return []
    if tweet.author.followers_count <= len(present) * 10:
        # Few followers: read them all and intersect here (an index range),
        # rather than send PostgreSQL thousands of ids to look up one by one.
        readers = set(recipients(tweet)) & set(present)
    else:
        readers = set(recipients(tweet).filter(follower_id__in=present))
    if tweet.author_id in present and in_own_timeline(tweet):
        readers.add(tweet.author_id)
    return sorted(readers)


def _status_events(tweet: Tweet, event: str) -> list[Event]:
    payload = json.dumps(status_json(tweet, _site()))
    hide = _hide(tweet)
    events = [
        Event(streams.user_group(reader), event, payload, [["user"]], hide, user_id=reader)
        for reader in _readers(tweet)
    ]
    if in_public_timeline(tweet):
        events.append(Event("public", event, payload, [["public"], ["public:local"]], hide))
        for tag in tweet.hashtags.values_list("name", flat=True):
            streams_of_tag = [["hashtag", tag], ["hashtag:local", tag]]
            events.append(Event(streams.hashtag_group(tag), event, payload, streams_of_tag, hide))
    return events


def _counts(tweet_id: int) -> list[Event]:
    """The pages' tweet view updates its counters from this (not in Mastodon's API)."""
    counts = (
        Tweet.objects.filter(pk=tweet_id)
        .values("replies_count", "likes_count", "retweets_count", "quotes_count")
        .first()
    )
    if counts is None:
        return []
    payload = json.dumps({"id": str(tweet_id), **counts})
    return [Event(streams.tweet_group(tweet_id), "status.counts", payload, [["tweet", str(tweet_id)]])]


def tweet_posted(tweet_id: int) -> None:
    tweet = _load(tweet_id)
    if tweet is None:
        return
    events = _status_events(tweet, "update")
    parent = tweet.in_reply_to_id
    if parent:
        reply = json.dumps({"id": str(tweet.pk), "in_reply_to_id": str(parent)})
        events.append(
            Event(streams.tweet_group(parent), "status.reply", reply, [["tweet", str(parent)]], _hide(tweet))
        )
        events += _counts(parent)
    if tweet.quote_of_id:
        events += _counts(tweet.quote_of_id)
    streams.publish(events)


def tweet_edited(tweet_id: int) -> None:
    tweet = _load(tweet_id)
    if tweet is not None:
        streams.publish(_status_events(tweet, "status.update"))


def tweet_deleted(tweet_id: int, author_id: int) -> None:
    """Everyone connected may have it on screen: the author's followers, and
    whoever watches a shared stream (the "deletes" group)."""
    payload = str(tweet_id)
    present = streams.present_users()
    readers = set(
        Follow.objects.filter(followee_id=author_id, follower_id__in=present).values_list(
            "follower_id", flat=True
        )
    )
    if author_id in present:
        readers.add(author_id)
    events = [
        Event(streams.user_group(reader), "delete", payload, [["user"]], user_id=reader) for reader in readers
    ]
    events.append(Event(streams.DELETES_GROUP, "delete", payload, []))
    events.append(Event(streams.tweet_group(tweet_id), "delete", payload, [["tweet", payload]]))
    streams.publish(events)


def counts_changed(tweet_id: int) -> None:
    streams.publish(_counts(tweet_id))


def logged_out(user_id: int, token_checksum: str = "") -> None:
    """Close the user's connections made with that token (all of them without one)."""
    streams.publish([Event(streams.user_group(user_id), "logged_out", token_checksum, [])])


def audience_changed(*user_ids: int) -> None:
    """A block or mute: their connections reload whom they hide."""
    streams.publish([Event(streams.user_group(user_id), "audience.changed", "", []) for user_id in user_ids])


def deliver(notification: Notification) -> None:
    """A new notification, live to the recipient's connections and pushed to
    their Web Push subscriptions."""
    recipient = notification.recipient
    loaded = selectors.get_notification(recipient, notification.pk)
    if loaded is None:
        return  # hidden meanwhile (a block, a deleted tweet)
    # Kinds Mastodon has no type for reach the pages only.
    for_apps = loaded.kind in API_KINDS
    if for_apps:
        payload = json.dumps(notification_json(loaded, _site()))
    else:
        payload = json.dumps({"id": str(loaded.pk), "type": loaded.kind})
    event = Event(
        streams.user_group(recipient.pk),
        "notification",
        payload,
        [["user"], ["user:notification"]],
        user_id=recipient.pk,
        pages_only=not for_apps,
    )
    streams.publish([event])
    push.enqueue(loaded)
