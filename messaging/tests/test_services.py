"""The writes of direct messages and their rules."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.services import block
from messaging import selectors, services, signals
from messaging.models import MAX_PARTICIPANTS, Conversation, Message, Participant


def texts(user, conversation) -> list[str]:
    participant = selectors.participation(user, conversation.pk)
    return [m.text for m in reversed(selectors.messages_page(participant))]


def state_of(user, conversation) -> str:
    return Participant.objects.get(user=user, conversation=conversation).state


def test_two_people_have_one_conversation(pair, ann, bob):
    assert services.start_conversation(bob, [ann]).pk == pair.pk
    assert services.start_conversation(ann, [bob, ann]).pk == pair.pk
    assert Conversation.objects.count() == 1


def test_send_and_read(pair, ann, bob, django_capture_on_commit_callbacks, record_events):
    events = record_events(signals)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_message(ann, pair.pk, "  hello Bob  ")
    assert message.text == "hello Bob"
    assert texts(bob, pair) == ["hello Bob"]
    assert events == [
        ("message_sent", {"message_id": message.pk, "conversation_id": pair.pk, "sender_id": ann.pk})
    ]


@pytest.mark.parametrize(("text", "code"), [("", "empty"), ("   ", "empty"), ("x" * 10_001, "too_long")])
def test_bad_text_is_refused_and_nothing_is_stored(pair, ann, text, code):
    with pytest.raises(ValidationError) as error:
        services.send_message(ann, pair.pk, text)
    assert error.value.code == code
    assert not Message.objects.exists()


def test_a_stranger_sends_a_request(ann, bob):
    conversation = services.start_conversation(ann, [bob])
    assert state_of(bob, conversation) == Participant.State.PENDING
    assert state_of(ann, conversation) == Participant.State.ACCEPTED
    services.send_message(ann, conversation.pk, "hi")
    assert list(selectors.inbox(bob)) == []
    assert [p.conversation_id for p in selectors.inbox(bob, requests=True)] == [conversation.pk]
    services.accept_request(bob, conversation.pk)
    assert [p.conversation_id for p in selectors.inbox(bob)] == [conversation.pk]


def test_answering_a_request_accepts_it(ann, bob):
    conversation = services.start_conversation(ann, [bob])
    services.send_message(bob, conversation.pk, "hello?")
    assert state_of(bob, conversation) == Participant.State.ACCEPTED


def test_following_the_sender_means_no_request(ann, bob, follow):
    follow(bob, ann)
    conversation = services.start_conversation(ann, [bob])
    assert state_of(bob, conversation) == Participant.State.ACCEPTED


@pytest.mark.parametrize("who", ["following", "nobody"])
def test_the_recipients_preference_refuses_strangers(ann, bob, who):
    services.set_who_may_message(bob, who)
    with pytest.raises(PermissionDenied, match="doesn't accept messages"):
        services.start_conversation(ann, [bob])
    assert not Conversation.objects.exists()


def test_following_lets_people_bob_follows_through(ann, bob, follow):
    services.set_who_may_message(bob, "following")
    follow(bob, ann)
    assert services.start_conversation(ann, [bob])
    services.set_who_may_message(bob, "everyone")
    assert selectors.who_may_message(bob) == "everyone"


def test_nobody_means_nobody(ann, bob, follow):
    follow(bob, ann)
    services.set_who_may_message(bob, "nobody")
    with pytest.raises(PermissionDenied):
        services.start_conversation(ann, [bob])


def test_an_unknown_preference_is_refused(bob):
    with pytest.raises(ValidationError):
        services.set_who_may_message(bob, "aliens")


@pytest.mark.parametrize("direction", ["ann blocks bob", "bob blocks ann"])
def test_blocks_stop_messages_both_ways(pair, ann, bob, direction):
    services.send_message(ann, pair.pk, "before")
    blocker, blocked = (ann, bob) if direction == "ann blocks bob" else (bob, ann)
    block(blocker, blocked)
    for sender in (ann, bob):
        with pytest.raises(PermissionDenied):
            services.send_message(sender, pair.pk, "after")
        with pytest.raises(PermissionDenied):
            services.start_conversation(sender, [bob if sender == ann else ann])
    assert Message.objects.count() == 1


def test_no_new_conversation_across_a_block(ann, bob):
    block(bob, ann)
    with pytest.raises(PermissionDenied, match="can't message"):
        services.start_conversation(ann, [bob])
    assert not Conversation.objects.exists()


def test_groups(ann, bob, carol, make_user, follow):
    group = services.start_conversation(ann, [bob, carol], title="Plans")
    assert group.is_group
    assert group.title == "Plans"
    services.send_message(ann, group.pk, "hi all")
    assert texts(carol, group) == ["hi all"]
    # A group is never reused: each start makes a new one.
    assert services.start_conversation(ann, [bob, carol]).pk != group.pk


def test_a_group_has_at_most_50_people(ann, make_user):
    people = [make_user() for _ in range(MAX_PARTICIPANTS)]
    with pytest.raises(ValidationError, match="at most 50"):
        services.start_conversation(ann, people)
    group = services.start_conversation(ann, people[:-1])
    assert Participant.objects.filter(conversation=group).count() == MAX_PARTICIPANTS
    services.accept_request(people[0], group.pk)
    with pytest.raises(ValidationError, match="at most 50"):
        services.add_people(ann, group.pk, [make_user()])


def test_a_group_with_a_blocker_is_not_made(ann, bob, carol):
    block(carol, ann)
    with pytest.raises(PermissionDenied):
        services.start_conversation(ann, [bob, carol])
    assert not Conversation.objects.exists()
    assert not Participant.objects.exists()


def test_leaving_a_group_hides_it_and_stops_sending(ann, bob, carol):
    group = services.start_conversation(ann, [bob, carol])
    services.send_message(ann, group.pk, "one")
    services.leave_group(bob, group.pk)
    assert selectors.participation(bob, group.pk) is None
    with pytest.raises(Conversation.DoesNotExist):
        services.send_message(bob, group.pk, "still here?")
    services.send_message(ann, group.pk, "two")
    assert texts(carol, group) == ["one", "two"]


def test_one_to_one_cannot_be_left_or_added_to(pair, ann, carol):
    with pytest.raises(ValidationError):
        services.leave_group(ann, pair.pk)
    with pytest.raises(ValidationError):
        services.add_people(ann, pair.pk, [carol])


def test_added_people_read_from_then_on(ann, bob, carol, make_user):
    group = services.start_conversation(ann, [bob, carol])
    services.send_message(ann, group.pk, "before dan")
    dan = make_user("dan")
    services.add_people(ann, group.pk, [dan])
    services.send_message(bob, group.pk, "hi dan")
    assert texts(dan, group) == ["hi dan"]
    with pytest.raises(ValidationError, match="already"):
        services.add_people(ann, group.pk, [dan])


def test_someone_who_left_can_be_added_again(ann, bob, carol):
    group = services.start_conversation(ann, [bob, carol])
    services.send_message(ann, group.pk, "while bob is in")
    services.leave_group(bob, group.pk)
    services.send_message(ann, group.pk, "while bob is out")
    services.add_people(ann, group.pk, [bob])
    services.send_message(ann, group.pk, "welcome back")
    assert texts(bob, group) == ["welcome back"]


def test_only_participants_add_people(ann, bob, carol, make_user):
    group = services.start_conversation(ann, [bob, carol])
    with pytest.raises(Conversation.DoesNotExist):
        services.add_people(make_user("eve"), group.pk, [make_user("dan")])


def test_adding_someone_who_blocks_you_is_refused(ann, bob, carol, make_user):
    group = services.start_conversation(ann, [bob, carol])
    dan = make_user("dan")
    block(dan, ann)
    with pytest.raises(PermissionDenied):
        services.add_people(ann, group.pk, [dan])
    assert not Participant.objects.filter(user=dan).exists()


def test_delete_a_message_for_me(pair, ann, bob):
    message = services.send_message(ann, pair.pk, "oops")
    services.delete_for_me(bob, pair.pk, message.pk)
    services.delete_for_me(bob, pair.pk, message.pk)  # twice is fine
    assert texts(bob, pair) == []
    assert texts(ann, pair) == ["oops"]


def test_a_message_of_another_conversation_cannot_be_deleted(pair, ann, carol, follow):
    follow(carol, ann)
    other = services.start_conversation(ann, [carol])
    message = services.send_message(carol, other.pk, "private")
    with pytest.raises(Message.DoesNotExist):
        services.delete_for_me(ann, pair.pk, message.pk)


def test_delete_the_conversation_for_me(pair, ann, bob):
    services.send_message(ann, pair.pk, "old")
    services.delete_conversation_for_me(bob, pair.pk)
    assert list(selectors.inbox(bob)) == []
    services.send_message(ann, pair.pk, "new")
    assert [p.conversation_id for p in selectors.inbox(bob)] == [pair.pk]
    assert texts(bob, pair) == ["new"]
    assert texts(ann, pair) == ["old", "new"]


def test_mark_read_and_unread_counts(pair, ann, bob, django_capture_on_commit_callbacks, record_events):
    services.send_message(ann, pair.pk, "one")
    last = services.send_message(ann, pair.pk, "two")
    assert selectors.inbox(bob).get().unread == 2
    assert selectors.inbox(ann).get().unread == 0
    assert selectors.unread_conversations(bob) == 1
    events = record_events(signals)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_read(bob, pair.pk) == last.pk
        assert services.mark_read(bob, pair.pk, up_to_id=1) == last.pk  # never back
    assert selectors.inbox(bob).get().unread == 0
    assert selectors.seen_by(selectors.participation(ann, pair.pk)) == {bob.pk: last.pk}
    assert events == [
        ("message_read", {"conversation_id": pair.pk, "user_id": bob.pk, "message_id": last.pk})
    ]


def test_a_pending_recipient_reads_unseen(ann, bob):
    conversation = services.start_conversation(ann, [bob])
    services.send_message(ann, conversation.pk, "hi")
    services.mark_read(bob, conversation.pk)
    assert selectors.seen_by(selectors.participation(ann, conversation.pk)) == {}


def test_delete_a_request(ann, bob):
    conversation = services.start_conversation(ann, [bob])
    services.send_message(ann, conversation.pk, "hi")
    services.delete_request(bob, conversation.pk)
    assert list(selectors.inbox(bob, requests=True)) == []
    with pytest.raises(ValidationError):
        services.delete_request(ann, conversation.pk)  # not a request for Ann


def test_delete_a_group_request_leaves_it(ann, bob, carol):
    group = services.start_conversation(ann, [bob, carol])
    services.delete_request(bob, group.pk)
    assert selectors.participation(bob, group.pk) is None


def test_block_from_a_request(ann, bob):
    conversation = services.start_conversation(ann, [bob])
    services.send_message(ann, conversation.pk, "buy my stuff")
    services.block_from_request(bob, conversation.pk)
    assert list(selectors.inbox(bob, requests=True)) == []
    with pytest.raises(PermissionDenied):
        services.send_message(ann, conversation.pk, "again")


def test_typing_is_a_signal_for_participants_only(pair, ann, carol, record_events):
    events = record_events(signals)
    services.typing(ann, pair.pk)
    assert events == [("typing", {"conversation_id": pair.pk, "user_id": ann.pk})]
    with pytest.raises(Conversation.DoesNotExist):
        services.typing(carol, pair.pk)


def test_a_suspended_account_cannot_send(pair, ann, bob):
    bob.is_active = False
    bob.save()
    with pytest.raises(PermissionDenied):
        services.send_message(bob, pair.pk, "hi")
    with pytest.raises(ValidationError, match="suspended"):
        services.send_message(ann, pair.pk, "hi")
    assert not Message.objects.exists()
