"""Loaded tweets kept in the cache (Redis), by id, as Mastodon keeps its
statuses: a page of 20 tweets is a few MGETs instead of a six-way join.

Each entry is one tweet row with its media (`attach_media`), without its
related rows: authors come from accounts.cache, and retweeted and quoted
tweets from this cache again, so one account's change or one tweet's new
count forgets one entry. Every write forgets: saves and deletes through
the signals below, counters where tweets.services bumps them, media when
they change. See accounts.stores for how forgetting meets transactions and
what happens when the cache is down.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from accounts import cache as account_cache
from accounts import stores
from media.models import MediaAttachment

from .models import Tweet

VERSION = stores.version_of(Tweet, MediaAttachment)

# The relations a page renders, to tweets and to accounts.
_TWEET_LINKS = ("retweet_of", "quote_of")
_USER_LINKS = ("author", "in_reply_to_author")


def load(ids: Iterable[int]) -> list[Tweet]:
    """Tweets by id, newest first, each with what tweets.selectors.RELATED
    loads (authors, the retweeted tweet, quoted tweets two levels deep, the
    accounts replied to) and its media. No filtering: deleted tweets and
    suspended authors come back as they are, for the caller's rules."""
    found, missing = stores.cached("tweet", ids, version=VERSION)
    loaded = {tweet.pk: tweet for tweet in Tweet.objects.filter(id__any=missing)} if missing else {}
    found.update(loaded)
    rows = sorted(found.values(), key=lambda tweet: tweet.pk, reverse=True)
    # The retweeted and quoted tweets, then the tweets those quote: the
    # depth a retweet of a quote needs.
    wave = rows
    for _ in range(2):
        wanted = {getattr(tweet, f"{link}_id") for tweet in wave for link in _TWEET_LINKS} - found.keys()
        more, missing = stores.cached("tweet", wanted, version=VERSION)
        if missing:
            more.update((tweet.pk, tweet) for tweet in Tweet.objects.filter(id__any=missing))
            loaded.update((pk, more[pk]) for pk in missing if pk in more)
        found.update(more)
        wave = list(more.values())
    if loaded:
        from .selectors import attach_media  # here: the selectors import this module

        attach_media(list(loaded.values()))  # one query for every tweet loaded
        stores.store("tweet", loaded, version=VERSION, timeout=settings.TWEET_CACHE_SECONDS)
    users = account_cache.users(
        getattr(tweet, f"{link}_id") for tweet in found.values() for link in _USER_LINKS
    )
    for tweet in found.values():
        for link in _TWEET_LINKS:
            _link(tweet, link, found)
        for link in _USER_LINKS:
            _link(tweet, link, users)
    return rows


def _link(tweet: Tweet, name: str, objects: dict) -> None:
    # Filled as select_related fills it: reading the attribute runs no query.
    pk = getattr(tweet, f"{name}_id")
    if pk is not None and pk in objects:
        Tweet._meta.get_field(name).set_cached_value(tweet, objects[pk])


def forget(*tweet_ids: int) -> None:
    """Call after changing a tweet row other than by `save()` (counters),
    or anything a tweet shows of its own (its media)."""
    stores.forget_cached("tweet", tweet_ids, version=VERSION)


def _forget_saved(sender, instance, **kwargs):
    stores.unstamp(instance)
    forget(instance.pk)


def _forget_media_tweet(sender, instance, **kwargs):
    if instance.tweet_id:
        forget(instance.tweet_id)


post_save.connect(_forget_saved, sender=Tweet, dispatch_uid="tweets.cache.saved")
post_delete.connect(_forget_saved, sender=Tweet, dispatch_uid="tweets.cache.deleted")
post_save.connect(_forget_media_tweet, sender=MediaAttachment, dispatch_uid="tweets.cache.media_saved")
post_delete.connect(_forget_media_tweet, sender=MediaAttachment, dispatch_uid="tweets.cache.media_deleted")
