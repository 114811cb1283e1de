"""Writes to the Redis home timelines: fanout, retraction, backfill, purges.

Called by timelines.tasks (Celery, queue "fanout"), never from a request;
`save_markers` (a reader's read positions) is the one write a request makes.
Every function is idempotent: adding an id twice or removing a missing one
changes nothing, so a task that runs again after its worker died leaves
every timeline complete and without duplicates. Timelines that are not
built (never read, or expired after TIMELINE_INACTIVE_DAYS) are skipped;
their next read rebuilds them from PostgreSQL.
"""

import time
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from accounts.models import Follow, Mute, User
from tweets.models import Tweet

from . import popular, selectors, store
from .models import Marker


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


def in_own_timeline(tweet: Tweet) -> bool:
    """Whether the author's own home timeline shows the tweet: a reply to
    someone else only if the author follows them (selectors.home_timeline)."""
    answered = tweet.in_reply_to_author_id
    if not answered or answered == tweet.author_id:
        return True
    return Follow.objects.filter(follower_id=tweet.author_id, followee_id=answered).exists()


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
    # Kept whether or not the author is popular now, so an outbox built
    # while they were is complete when they are again.
    store.add_to_outbox(tweet.author_id, [(tweet.pk, tweet.in_reply_to_author_id)])
    own = [tweet.author_id] if in_own_timeline(tweet) else []
    store.add(own, entry)
    sent = len(own)
    if is_fanned_out_on_read(tweet.author):
        if tweet.author_id not in popular.popular_accounts():
            # Just past the threshold: readers must start merging this author.
            popular.forget_popular_accounts()
        return sent
    for batch in _batches(recipients(tweet), settings.TIMELINE_FANOUT_BATCH_SIZE):
        store.add(batch, entry)
        sent += len(batch)
        _pause_between_batches()
    return sent


def retract(tweet_id: int, author_id: int) -> None:
    """Remove a deleted tweet from every timeline it was pushed to, and from its author's outbox."""
    store.remove([author_id], [tweet_id])
    store.remove_from_outbox(author_id, [tweet_id])
    followers = Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)
    for batch in _batches(followers.order_by(), settings.TIMELINE_FANOUT_BATCH_SIZE):
        store.remove(batch, [tweet_id])


def backfill(reader_id: int, author_id: int) -> None:
    """After a follow (or unmute): put the author's recent tweets in the reader's timeline.

    With them go what the reader's timeline shows only now: replies of the
    accounts they follow to the author, and retweets of the author's tweets.
    """
    if not store.is_built(reader_id):
        return  # an inactive reader costs nothing: their next read rebuilds it all
    reader = User.objects.filter(pk=reader_id).first()
    author = User.objects.filter(pk=author_id).first()
    if reader is None or author is None:
        return
    about_author = Q(in_reply_to_author=author) | Q(retweet_of__author=author)
    if not is_fanned_out_on_read(author):
        about_author |= Q(author=author)
    recent = (
        selectors.home_timeline(reader)
        .filter(about_author)
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
    doomed = list(Tweet.objects.filter(by_author, pk__in=ids).values_list("id", "retweet_of_id"))
    store.remove([reader_id], [pk for pk, _ in doomed])
    # A doomed entry may have stood for a tweet that other rows still show
    # (another followed account's retweet, skipped by fanout as a duplicate).
    tweets = {original or pk for pk, original in doomed}
    reader = User.objects.filter(pk=reader_id).first()
    if tweets and reader is not None:
        others = selectors.home_timeline(reader).filter(Q(pk__in=tweets) | Q(retweet_of_id__in=tweets))
        store.add_many(
            reader_id,
            [store.Entry(pk, original) for pk, original in others.values_list("id", "retweet_of_id")],
        )


def resurface(original_ids, reader_ids) -> None:
    """Readers who lost the entry standing for these tweets get each back
    through the oldest retweet of it by an account they follow, which
    fanout skipped as a duplicate. Rows the reader may not see are filtered
    at read, as ever.
    """
    retweets = defaultdict(list)
    rows = Tweet.objects.filter(retweet_of_id__in=original_ids, author__is_active=True)
    for author_id, pk, original in rows.values_list("author_id", "id", "retweet_of_id"):
        retweets[author_id].append(store.Entry(pk, original))
    if not retweets:
        return
    entries = defaultdict(list)
    pairs = Follow.objects.filter(follower_id__in=reader_ids, followee_id__in=list(retweets)).exclude(
        Exists(Mute.objects.filter(muter_id=OuterRef("follower_id"), muted_id=OuterRef("followee_id")))
    )
    for reader_id, author_id in pairs.values_list("follower_id", "followee_id"):
        entries[reader_id] += retweets[author_id]
    for reader_id, reader_entries in entries.items():
        store.add_many(reader_id, reader_entries)


def unretweeted(original_id: int, retweeter_id: int) -> None:
    """After an unretweet: the retweeter's followers see the tweet through
    the next account they follow that retweeted it, if any.

    First removes the undone retweet (the retweet map's entry for the
    tweet, no longer a row), should its retraction not have run yet.
    """
    followers = Follow.objects.filter(followee_id=retweeter_id).values_list("follower_id", flat=True)
    for batch in _batches(followers.order_by(), settings.TIMELINE_FANOUT_BATCH_SIZE):
        held = store.retweet_entries(batch, original_id)
        live = set(Tweet.objects.filter(pk__in=held.values()).values_list("id", flat=True))
        for reader_id, entry in held.items():
            if entry not in live:
                store.remove([reader_id], [entry])
        resurface([original_id], batch)


def purge_suspended(author_id: int) -> None:
    """Remove a suspended author's recent tweets from their followers' timelines."""
    recent = list(
        Tweet.objects.filter(author_id=author_id)
        .order_by("-id")
        .values_list("id", "retweet_of_id")[: settings.TIMELINE_CAP]
    )
    recent_ids = [pk for pk, _ in recent]
    retweeted = [original for _, original in recent if original]
    followers = Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)
    store.remove([author_id], recent_ids)
    for batch in _batches(followers.order_by(), settings.TIMELINE_FANOUT_BATCH_SIZE):
        store.remove(batch, recent_ids)
        if retweeted:
            resurface(retweeted, batch)


def restore_unsuspended(author_id: int) -> None:
    """Give an unsuspended author's tweets back to their followers' timelines."""
    popular.forget_popular_accounts()  # a popular author is merged again
    followers = Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)
    for batch in _batches(followers.order_by(), settings.TIMELINE_FANOUT_BATCH_SIZE):
        for reader_id in batch:
            backfill(reader_id, author_id)


def save_marker(user: User, timeline: str, last_read_id: int) -> Marker:
    """Record where `user` stopped reading `timeline` ("home" or "notifications").

    Idempotent: saving the position a marker already holds changes nothing;
    any other position (older ones too: a reader may go back) bumps
    `version` by one. Raises ValidationError for an unknown timeline or an
    id that cannot exist.
    """
    if timeline not in Marker.Timeline.values:
        raise ValidationError({"timeline": f"Unknown timeline {timeline!r}: use home or notifications."})
    if not 0 < last_read_id < 2**63:
        raise ValidationError({"last_read_id": "Not an id."})
    with transaction.atomic():
        marker, created = Marker.objects.select_for_update().get_or_create(
            user=user, timeline=timeline, defaults={"last_read_id": last_read_id}
        )
        if not created and marker.last_read_id != last_read_id:
            marker.last_read_id = last_read_id
            marker.version += 1  # the row is locked: no lost increment
            marker.save(update_fields=["last_read_id", "version", "updated_at"])
    return marker


def save_markers(user: User, positions: dict[str, int]) -> list[Marker]:
    """`save_marker` for several timelines at once: all saved, or none."""
    with transaction.atomic():
        return [save_marker(user, timeline, last_read_id) for timeline, last_read_id in positions.items()]
