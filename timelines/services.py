"""Writes to the Redis home timelines: fanout, retraction, backfill, purges.

Called by timelines.tasks (Celery, queue "fanout"), never from a request.
Every function is idempotent: adding an id twice or removing a missing one
changes nothing, so a task that runs again after its worker died leaves
every timeline complete and without duplicates. Timelines that are not
built (never read, or expired after TIMELINE_INACTIVE_DAYS) are skipped;
their next read rebuilds them from PostgreSQL.
"""

import time

from django.conf import settings
from django.db.models import Q

from accounts.models import Follow, Mute, User
from tweets.models import Tweet

from . import selectors, store


def _batches(queryset, size: int):
    batch = []
    for item in queryset.iterator(chunk_size=size):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pause_between_batches() -> None:
    if settings.TIMELINE_FANOUT_BATCH_DELAY_MS:
        time.sleep(settings.TIMELINE_FANOUT_BATCH_DELAY_MS / 1000)


def is_fanned_out_on_read(author: User) -> bool:
    """Authors this popular are merged into timelines when read, not pushed."""
    return author.followers_count >= settings.TIMELINE_FANOUT_THRESHOLD


def recipients(tweet: Tweet):
    """Ids of the followers whose home timeline should get `tweet`.

    A reply goes only to those who follow both its author and the account
    it answers (Twitter's rule); nobody gets a tweet from an account they
    muted, nor a retweet of one.
    """
    followers = Follow.objects.filter(followee_id=tweet.author_id)
    answered = tweet.in_reply_to_author_id
    if answered and answered != tweet.author_id:
        followers = followers.filter(
            Q(follower_id=answered)
            | Q(follower_id__in=Follow.objects.filter(followee_id=answered).values("follower_id"))
        )
    muted_authors = [tweet.author_id]
    if tweet.retweet_of_id:
        muted_authors.append(tweet.retweet_of.author_id)
    followers = followers.exclude(
        follower_id__in=Mute.objects.filter(muted_id__in=muted_authors).values("muter_id")
    )
    return followers.values_list("follower_id", flat=True).order_by()


def fan_out(tweet_id: int) -> int:
    """Push a new tweet (or retweet) into its readers' timelines.

    Returns how many timelines were asked to take it (existing ones do).
    """
    tweet = (
        Tweet.objects.select_related("author", "retweet_of")
        .filter(pk=tweet_id, deleted_at__isnull=True)
        .first()
    )
    if tweet is None or not tweet.author.is_active:
        return 0
    entry = store.Entry(tweet.pk, tweet.retweet_of_id)
    store.add([tweet.author_id], entry)
    if is_fanned_out_on_read(tweet.author):
        return 1
    sent = 1
    for batch in _batches(recipients(tweet), settings.TIMELINE_FANOUT_BATCH_SIZE):
        store.add(batch, entry)
        sent += len(batch)
        _pause_between_batches()
    return sent


def retract(tweet_id: int, author_id: int) -> None:
    """Remove a deleted tweet from every timeline it was pushed to."""
    store.remove([author_id], [tweet_id])
    followers = Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)
    for batch in _batches(followers.order_by(), settings.TIMELINE_FANOUT_BATCH_SIZE):
        store.remove(batch, [tweet_id])


def backfill(reader_id: int, author_id: int) -> None:
    """After a follow (or unmute): put the author's recent tweets in the reader's timeline."""
    reader = User.objects.filter(pk=reader_id).first()
    author = User.objects.filter(pk=author_id).first()
    if reader is None or author is None or is_fanned_out_on_read(author):
        return
    recent = (
        selectors.home_timeline(reader)
        .filter(author=author)
        .values_list("id", "retweet_of_id")[: settings.TIMELINE_BACKFILL_COUNT]
    )
    store.add_many(reader_id, [store.Entry(pk, original) for pk, original in recent])


def purge_author(reader_id: int, author_id: int, *, with_retweets_of_author: bool) -> None:
    """Remove an author's tweets from one reader's timeline (unfollow, block, mute).

    With `with_retweets_of_author`, other people's retweets of the author's
    tweets go too (block and mute hide them; an unfollow does not).
    """
    ids = store.entries(reader_id)
    if not ids:
        return
    by_author = Q(author_id=author_id)
    if with_retweets_of_author:
        by_author |= Q(retweet_of__author_id=author_id)
    doomed = Tweet.objects.filter(by_author, pk__in=ids).values_list("id", flat=True)
    store.remove([reader_id], list(doomed))


def purge_suspended(author_id: int) -> None:
    """Remove a suspended author's recent tweets from their followers' timelines."""
    recent = list(
        Tweet.objects.filter(author_id=author_id)
        .order_by("-id")
        .values_list("id", flat=True)[: settings.TIMELINE_CAP]
    )
    followers = Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)
    store.remove([author_id], recent)
    for batch in _batches(followers.order_by(), settings.TIMELINE_FANOUT_BATCH_SIZE):
        store.remove(batch, recent)


def restore_unsuspended(author_id: int) -> None:
    """Give an unsuspended author's tweets back to their followers' timelines."""
    followers = Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)
    for batch in _batches(followers.order_by(), settings.TIMELINE_FANOUT_BATCH_SIZE):
        for reader_id in batch:
            backfill(reader_id, author_id)
