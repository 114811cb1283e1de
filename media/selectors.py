"""Reads of media attachments."""

from accounts.models import User

from .models import MediaAttachment


def own_unattached(owner: User, media_id: int) -> MediaAttachment:
    """`owner`'s attachment `media_id` while it is not attached to anything:
    what the media API shows and edits, as Mastodon does.

    Raises MediaAttachment.DoesNotExist for another's, an attached or a missing one.
    """
    return MediaAttachment.objects.unattached().get(owner=owner, pk=media_id)


def of_tweets(tweet_ids) -> dict[int, list[MediaAttachment]]:
    """The attachments of each of `tweet_ids`, in the order they were given: one query."""
    found: dict[int, list[MediaAttachment]] = {}
    for item in MediaAttachment.objects.filter(tweet_id__in=list(tweet_ids)).order_by("tweet_id", "position"):
        found.setdefault(item.tweet_id, []).append(item)
    return found
