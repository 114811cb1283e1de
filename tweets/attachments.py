"""A tweet's media attachments, for the pages and the API."""

from media import selectors as media_selectors

from .models import Tweet


def tweet_media(tweet: Tweet) -> list:
    """The attachments `tweet` shows, in order (its entities["media"]):
    those tweets.selectors.attach_media set, else (a tweet loaded one by
    one) a query, and none without media: a tombstone has no entities."""
    ids = (tweet.entities or {}).get("media")
    if not ids or tweet.deleted_at is not None:
        return []
    media = getattr(tweet, "media", None)
    if media is None:
        media = media_selectors.of_tweets({tweet.pk: ids})[tweet.pk]
        tweet.media = media
    return media
