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

VERSION = stores.version_of(Tweet, MediaAttachment, layout=1)  # 1: with the reach

# The relations a page renders, to tweets and to accounts.
_TWEET_LINKS = ("retweet_of", "quote_of")
_USER_LINKS = ("author", "in_reply_to_author")


# What a page needs beyond a tweet: the tweets it points at (retweeted,
# quoted, and those quote, as `load` walks them) and the accounts of all of
# them (authors, accounts replied to). A tweet's links never change, so
# its cache entry carries their ids (its "reach"): one round trip then
# fetches them with the accounts, where walking the links takes one per
# level and one more for the accounts.
_REACH = "_cache_reach"
_DEPTH = 2  # the retweeted or quoted tweet, and the tweet that one quotes


def load(ids: Iterable[int]) -> list[Tweet]:
    """Tweets by id, newest first, each with what tweets.selectors.RELATED
    loads (authors, the retweeted tweet, quoted tweets two levels deep, the
    accounts replied to) and its media. No filtering: deleted tweets and
    suspended authors come back as they are, for the caller's rules."""
    found, missing = stores.cached("tweet", ids, version=VERSION)
    loaded = {tweet.pk: tweet for tweet in Tweet.objects.filter(id__any=missing)} if missing else {}
    found.update(loaded)
    rows = sorted(found.values(), key=lambda tweet: tweet.pk, reverse=True)
    users = _fetch_reach(found)
    # The retweeted and quoted tweets, then the tweets those quote, that
    # the reach didn't bring: those of rows just loaded from PostgreSQL,
    # and reached tweets the cache no longer holds.
    wave = rows
    for _ in range(_DEPTH):
        wanted = {getattr(tweet, f"{link}_id") for tweet in wave for link in _TWEET_LINKS}
        more, missing = stores.cached("tweet", wanted - found.keys(), version=VERSION)
        if missing:
            more.update((tweet.pk, tweet) for tweet in Tweet.objects.filter(id__any=missing))
            loaded.update((pk, more[pk]) for pk in missing if pk in more)
        found.update(more)
        wave = [found[pk] for pk in wanted if pk in found]
    if loaded:
        from .selectors import attach_media  # here: the selectors import this module

        attach_media(list(loaded.values()))  # one query for every tweet loaded
        for tweet in loaded.values():
            setattr(tweet, _REACH, _reach(tweet, found))
        stores.store("tweet", loaded, version=VERSION, timeout=settings.TWEET_CACHE_SECONDS)
    wanted_users = {getattr(tweet, f"{link}_id") for tweet in found.values() for link in _USER_LINKS}
    users.update(account_cache.users(wanted_users - users.keys()))
    for tweet in found.values():
        for link in _TWEET_LINKS:
            _link(tweet, link, found)
        for link in _USER_LINKS:
            _link(tweet, link, users)
    return rows


def _fetch_reach(found: dict[int, Tweet]) -> dict:
    """Add to `found` the cached tweets the reach of its tweets names, and
    return the cached accounts it names: one MGET."""
    tweet_ids, user_ids = set(), set()
    for tweet in found.values():
        reached_tweets, reached_users = getattr(tweet, _REACH, ((), ()))
        tweet_ids.update(reached_tweets)
        user_ids.update(reached_users)
    batch = stores.cached_together(
        {
            "tweet": (tweet_ids - found.keys(), VERSION),
            account_cache.PREFIX: (user_ids, account_cache.VERSION),
        }
    )
    found.update(batch["tweet"][0])
    return batch[account_cache.PREFIX][0]


def _reach(tweet: Tweet, found: dict[int, Tweet]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(tweet ids, account ids) that `load` reads for `tweet` beyond it,
    as far as `found` holds them."""
    tweets, wave = [], [tweet]
    for _ in range(_DEPTH):
        wave = [
            found[pk]
            for linked in wave
            for link in _TWEET_LINKS
            if (pk := getattr(linked, f"{link}_id")) is not None and pk in found
        ]
        tweets += wave
    users = {getattr(t, f"{link}_id") for t in (tweet, *tweets) for link in _USER_LINKS} - {None}
    return tuple(sorted({t.pk for t in tweets})), tuple(sorted(users))


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
