"""Reads of media attachments."""

from accounts.models import User

from .models import MediaAttachment


def own_unattached(owner: User, media_id: int) -> MediaAttachment:
    """`owner`'s attachment `media_id` while it is not attached to anything:
    what the media API shows and edits, as Mastodon does.

    Raises MediaAttachment.DoesNotExist for another's, an attached or a missing one.
    """
    return MediaAttachment.objects.unattached().get(owner=owner, pk=media_id)


def of_tweets(shown: dict[int, list[int]]) -> dict[int, list[MediaAttachment]]:
    """The attachments each tweet shows, given as {tweet id: its
    entities["media"] ids}, in that order: one query by primary key.
    Attachments an edit dropped (still attached, for the history) are not
    listed, so not shown."""
    wanted = {media_id for ids in shown.values() for media_id in ids}
    found = {item.pk: item for item in MediaAttachment.objects.filter(pk__in=wanted)}
    return {
        tweet_id: [
            found[media_id] for media_id in ids if getattr(found.get(media_id), "tweet_id", None) == tweet_id
        ]
        for tweet_id, ids in shown.items()
    }


def every_of_tweet(tweet_id: int) -> dict[int, MediaAttachment]:
    """Every attachment of a tweet by id, those an edit dropped included:
    what its edit history shows."""
    return {item.pk: item for item in MediaAttachment.objects.filter(tweet_id=tweet_id)}


def of_messages(message_ids) -> dict[int, list[MediaAttachment]]:
    """The attachments of each of `message_ids` (direct messages), in order:
    one query. The caller has checked who may read those messages."""
    found: dict[int, list[MediaAttachment]] = {}
    rows = MediaAttachment.objects.filter(message_id__in=list(message_ids)).order_by("message_id", "position")
    for item in rows:
        found.setdefault(item.message_id, []).append(item)
    return found
