"""Who sees which conversation and message: every path."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts import cache as accounts_cache
from accounts.services import block
from messaging import selectors, services


def visible_texts(user, conversation) -> list[str] | None:
    participant = selectors.participation(user, conversation.pk)
    if participant is None:
        return None
    return [m.text for m in reversed(selectors.messages_page(participant))]


def test_participants_see_and_nobody_else(pair, ann, bob, carol, make_user):
    services.send_message(ann, pair.pk, "between us")
    staff = make_user("staff", is_staff=True, is_superuser=True)
    assert visible_texts(ann, pair) == ["between us"]
    assert visible_texts(bob, pair) == ["between us"]
    for outsider in (carol, staff, AnonymousUser()):
        assert selectors.participation(outsider, pair.pk) is None
    assert list(selectors.inbox(carol)) == []
    assert list(selectors.inbox(staff)) == []


def test_a_suspended_senders_messages_disappear(ann, bob, carol):
    group = services.start_conversation(ann, [bob, carol])
    services.send_message(ann, group.pk, "from ann")
    services.send_message(bob, group.pk, "from bob")
    bob.is_active = False
    bob.suspended_at = timezone.now()
    bob.save()
    assert visible_texts(carol, group) == ["from ann"]
    assert selectors.inbox(carol, requests=True).get().unread == 1
    # ... and a suspended account reads nothing.
    assert selectors.participation(bob, group.pk) is None


def test_in_a_group_blocks_hide_messages_both_ways(ann, bob, carol):
    group = services.start_conversation(ann, [bob, carol])
    services.send_message(ann, group.pk, "from ann")
    services.send_message(bob, group.pk, "from bob")
    block(carol, bob)
    assert visible_texts(carol, group) == ["from ann"]
    assert visible_texts(bob, group) == ["from ann", "from bob"]
    services.send_message(carol, group.pk, "from carol")
    assert visible_texts(bob, group) == ["from ann", "from bob"]
    assert visible_texts(ann, group) == ["from ann", "from bob", "from carol"]


def test_a_left_participant_sees_nothing(ann, bob, carol):
    group = services.start_conversation(ann, [bob, carol])
    services.send_message(ann, group.pk, "hi")
    services.leave_group(carol, group.pk)
    assert selectors.participation(carol, group.pk) is None
    assert list(selectors.inbox(carol)) == []


def test_inbox_order_summaries_and_requests(ann, bob, carol, follow):
    follow(bob, ann)
    with_bob = services.start_conversation(ann, [bob])
    with_carol = services.start_conversation(ann, [carol])
    services.send_message(ann, with_carol.pk, "to carol")
    services.send_message(ann, with_bob.pk, "to bob")
    rows = list(selectors.inbox(ann))
    assert [p.conversation_id for p in rows] == [with_bob.pk, with_carol.pk]
    summaries = selectors.summarize(rows)
    assert [s.last.text for s in summaries] == ["to bob", "to carol"]
    assert [s.others for s in summaries] == [[bob], [carol]]
    assert selectors.pending_requests(carol) == 1
    assert selectors.pending_requests(bob) == 0


def test_inbox_reads_in_constant_queries(ann, bob, carol, make_user, follow, django_assert_num_queries):
    for _ in range(3):
        other = make_user()
        follow(other, ann)
        services.send_message(ann, services.start_conversation(ann, [other]).pk, "hi")
    # audience + participants with unread counts
    accounts_cache.forget_audiences(ann.pk)
    with django_assert_num_queries(2):
        rows = list(selectors.inbox(ann))
    # members + the newest message of each + their media (the audience is cached now)
    with django_assert_num_queries(2 + len(rows)):
        selectors.summarize(rows)


def test_the_nav_badge_counts_in_two_queries_and_one_when_all_is_read(
    pair, ann, bob, carol, django_assert_num_queries
):
    group = services.start_conversation(bob, [ann, carol])
    services.accept_request(ann, group.pk)
    services.send_message(bob, pair.pk, "one")
    services.send_message(bob, group.pk, "two")
    services.send_message(carol, group.pk, "three")
    with django_assert_num_queries(2):
        assert selectors.unread_conversations(ann) == 2
    services.send_message(ann, group.pk, "four")  # one's own message reads the rest
    assert selectors.unread_conversations(ann) == 1
    services.mark_read(ann, pair.pk)
    with django_assert_num_queries(1):
        assert selectors.unread_conversations(ann) == 0
    services.send_message(carol, group.pk, "five")
    services.send_message(bob, pair.pk, "six")
    block(ann, bob)
    assert selectors.unread_conversations(ann) == 1  # Carol's message in the group
    assert selectors.unread_conversations(AnonymousUser()) == 0
