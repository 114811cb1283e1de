"""A tweet's media attachments, for the pages and the API."""

from .models import Tweet


def tweet_media(tweet: Tweet) -> list:
    """The attachments of `tweet`, in order: those tweets.selectors.attach_media
    set, else (a tweet loaded one by one) a query, and none without media."""
    if not (tweet.entities or {}).get("media"):
        return []
    media = getattr(tweet, "media", None)
    if media is None:
        media = list(tweet.media_attachments.all())
    return media
