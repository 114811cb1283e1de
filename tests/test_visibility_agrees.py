"""The visibility rules exist in SQL (for paging in the database) and in
Python (for rows loaded by id, e.g. from Redis timelines). Here both forms
judge every tweet of a world with every awkward case, for every viewer."""

import contextlib
import random

import pytest
from django.core.exceptions import ValidationError

from accounts import services as accounts
from accounts.selectors import audience_of
from timelines.selectors import home_timeline, shows_on_home
from tweets import services as tweets
from tweets.models import Tweet, Visibility
from tweets.selectors import can_see, load_tweets, visible_tweets

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, moderator):
    rng = random.Random(5)
    people = [make_user(f"p{i}", is_protected=i in (2, 5)) for i in range(8)]
    for follower in people:
        for followee in rng.sample(people, 4):
            if followee is not follower:
                accounts.follow(follower, followee)
                if followee.is_protected and rng.random() < 0.6:
                    accounts.approve_follow_request(followee, follower)
    accounts.block(people[0], people[6])
    accounts.mute(people[1], people[3])
    posted = []
    for n in range(60):
        author = rng.choice(people)
        visibility = rng.choice([None, Visibility.UNLISTED, Visibility.PRIVATE])
        visible_to_author = [t for t in posted if can_see(audience_of(author), t)]
        parent = rng.choice(visible_to_author) if visible_to_author and rng.random() < 0.3 else None
        posted.append(tweets.post_tweet(author, f"tweet {n}", in_reply_to=parent, visibility=visibility))
        if visible_to_author and rng.random() < 0.3:
            # Followers-only tweets can't be retweeted: those picks are skipped.
            with contextlib.suppress(ValidationError):
                posted.append(tweets.retweet(author, rng.choice(visible_to_author)))
        posted = list(load_tweets([t.pk for t in posted]))
    tweets.delete_tweet(posted[3].author, posted[3])
    accounts.suspend(moderator, people[7])
    return people


def test_python_and_sql_visibility_agree_for_every_viewer(world):
    every = load_tweets(Tweet.objects.values_list("pk", flat=True))
    for viewer in [None, *world]:
        audience = audience_of(viewer)
        in_sql = set(visible_tweets(viewer).values_list("pk", flat=True))
        in_python = {row.pk for row in every if can_see(audience, row)}
        assert in_python == in_sql, viewer


def test_python_and_sql_home_rules_agree_for_every_reader(world):
    every = load_tweets(Tweet.objects.values_list("pk", flat=True))
    for reader in world:
        audience = audience_of(reader)
        in_sql = set(home_timeline(reader, audience).values_list("pk", flat=True))
        in_python = {row.pk for row in every if shows_on_home(audience, row)}
        assert in_python == in_sql, reader
        assert in_sql, "the world should give every reader something to read"
