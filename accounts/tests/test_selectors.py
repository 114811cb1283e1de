"""The reads of accounts.selectors: relationships, lists of people, who may see whom."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import selectors, services
from accounts.selectors import Relationship


@pytest.fixture
def graph(make_user):
    """ann's view of a small world, one relationship per person."""
    people = {
        name: make_user(name) for name in ("ann", "fol", "fan", "req", "blk", "bkr", "mut", "all", "none")
    }
    people["req"].is_protected = True
    people["req"].save()
    ann = people["ann"]
    services.follow(ann, people["fol"])  # following
    services.follow(people["fan"], ann)  # followed_by
    services.follow(ann, people["req"])  # requested
    services.block(ann, people["blk"])  # blocking
    services.block(people["bkr"], ann)  # blocked_by
    services.mute(ann, people["mut"])  # muting
    services.follow(ann, people["all"])  # several at once
    services.follow(people["all"], ann)
    services.mute(ann, people["all"])
    return people


def test_relationships_every_flag(graph):
    ann = graph["ann"]
    result = selectors.relationships(ann, list(graph.values()))
    assert result == {
        graph["ann"].pk: Relationship(is_self=True),
        graph["fol"].pk: Relationship(following=True),
        graph["fan"].pk: Relationship(followed_by=True),
        graph["req"].pk: Relationship(requested=True),
        graph["blk"].pk: Relationship(blocking=True),
        graph["bkr"].pk: Relationship(blocked_by=True),
        graph["mut"].pk: Relationship(muting=True),
        graph["all"].pk: Relationship(following=True, followed_by=True, muting=True),
        graph["none"].pk: Relationship(),
    }


def test_relationships_is_seen_from_the_viewer(graph):
    fan = graph["fan"]
    result = selectors.relationships(fan, [graph["ann"], graph["fol"]])
    assert result[graph["ann"].pk] == Relationship(following=True)
    assert result[graph["fol"].pk] == Relationship()
    bkr_view = selectors.relationships(graph["bkr"], [graph["ann"]])
    assert bkr_view[graph["ann"].pk] == Relationship(blocking=True)


def test_relationships_is_one_query_for_many_targets(graph, make_user, django_assert_num_queries):
    targets = list(graph.values()) + [make_user() for _ in range(30)]
    with django_assert_num_queries(1):
        result = selectors.relationships(graph["ann"], targets)
    assert len(result) == len(targets)
    with django_assert_num_queries(1):
        assert selectors.relationships(graph["ann"], targets[:2])


def test_relationship_of_one(graph, django_assert_num_queries):
    ann = graph["ann"]
    with django_assert_num_queries(1):
        assert selectors.relationship(ann, graph["all"]) == Relationship(
            following=True, followed_by=True, muting=True
        )
    with django_assert_num_queries(0):
        assert selectors.relationship(ann, ann) == Relationship(is_self=True)
        assert selectors.relationship(None, ann) == Relationship()
        assert selectors.relationship(AnonymousUser(), ann) == Relationship()


def test_is_blocked_between_either_way(ann, bob, carol):
    services.block(ann, bob)
    assert selectors.is_blocked_between(ann, bob)
    assert selectors.is_blocked_between(bob, ann)
    assert not selectors.is_blocked_between(ann, carol)
    services.unblock(ann, bob)
    assert not selectors.is_blocked_between(bob, ann)


def test_audience_holds_follows_blocks_either_way_and_mutes_in_one_query(
    ann, bob, carol, make_user, django_assert_num_queries
):
    dave = make_user("dave")
    services.follow(ann, dave)
    services.block(ann, bob)
    services.block(carol, ann)
    services.block(bob, dave)  # not ann's business
    services.mute(ann, carol)
    with django_assert_num_queries(1):
        audience = selectors.audience_of(ann)
    assert audience == selectors.Audience(
        viewer_id=ann.pk,
        following=frozenset({dave.pk}),
        blocked=frozenset({bob.pk, carol.pk}),
        muted=frozenset({carol.pk}),
    )
    assert selectors.audience_of(dave).blocked == {bob.pk}


def test_anonymous_audience_costs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.audience_of(None) == selectors.ANONYMOUS
        assert selectors.audience_of(AnonymousUser()) == selectors.ANONYMOUS


def test_can_see_tweets_of(make_user, ann, bob, carol, moderator):
    pat = make_user("pat", is_protected=True)
    services.follow(bob, pat)
    services.approve_follow_request(pat, bob)
    services.follow(carol, pat)  # pending only
    assert selectors.can_see_tweets_of(None, ann)
    assert selectors.can_see_tweets_of(AnonymousUser(), ann)
    assert not selectors.can_see_tweets_of(None, pat)
    assert selectors.can_see_tweets_of(pat, pat)
    assert selectors.can_see_tweets_of(bob, pat)
    assert not selectors.can_see_tweets_of(carol, pat)
    assert not selectors.can_see_tweets_of(moderator, pat)  # staff get no peek
    services.block(ann, carol)
    assert not selectors.can_see_tweets_of(carol, ann)
    assert not selectors.can_see_tweets_of(ann, carol)
    services.suspend(moderator, bob)
    bob.refresh_from_db()
    assert not selectors.can_see_tweets_of(ann, bob)
    assert not selectors.can_see_tweets_of(bob, bob)


def test_get_active_user_ignores_case_and_suspended(ann, bob, moderator):
    assert selectors.get_active_user("ANN") == ann
    assert selectors.get_active_user("nobody") is None
    services.suspend(moderator, bob)
    assert selectors.get_active_user("bob") is None
    assert bob not in selectors.active_users()


def test_followers_and_following_newest_first_without_suspended(make_user, ann, moderator):
    fans = [make_user(f"fan{i}") for i in range(4)]
    for fan in fans:
        services.follow(fan, ann)
        services.follow(ann, fan)
    services.suspend(moderator, fans[1])
    expected = [fans[3], fans[2], fans[0]]
    assert list(selectors.followers(ann)) == expected
    assert list(selectors.following(ann)) == expected
    assert list(selectors.followers(fans[0])) == [ann]
    assert list(selectors.following(fans[0])) == [ann]


def test_pending_follow_requests_oldest_first(make_user, moderator):
    pat = make_user("pat", is_protected=True)
    askers = [make_user(f"ask{i}") for i in range(3)]
    for asker in askers:
        services.follow(asker, pat)
    services.suspend(moderator, askers[1])
    requests = list(selectors.pending_follow_requests(pat))
    assert [r.requester for r in requests] == [askers[0], askers[2]]
    assert list(selectors.pending_follow_requests(askers[0])) == []


def test_blocked_and_muted_users_newest_first(ann, bob, carol):
    services.block(ann, bob)
    services.block(ann, carol)
    services.mute(ann, carol)
    services.mute(ann, bob)
    services.block(bob, ann)
    assert list(selectors.blocked_users(ann)) == [carol, bob]
    assert list(selectors.muted_users(ann)) == [bob, carol]
    assert list(selectors.blocked_users(bob)) == [ann]
    assert list(selectors.muted_users(carol)) == []
