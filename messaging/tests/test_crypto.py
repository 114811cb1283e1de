"""Envelope encryption: bodies only as ciphertext, bound to their place,
and master key rotation without rewriting messages."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from messaging import crypto, selectors, services
from messaging.models import Conversation, Message

SECRET = "meet me at the old mill at 9"


def _raw_rows() -> list[bytes]:
    """Every messaging table, every row, as PostgreSQL stores it."""
    tables = [
        "messaging_conversation",
        "messaging_participant",
        "messaging_message",
        "messaging_deletedmessage",
        "messaging_messagingpreference",
    ]
    rows = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT t::text FROM {table} t")  # noqa: S608 - fixed names
            rows += [row[0].encode() for row in cursor.fetchall()]
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
            for row in cursor.fetchall():
                rows += [
                    bytes(value) if isinstance(value, memoryview) else str(value).encode() for value in row
                ]
    return rows


def test_the_tables_hold_no_plaintext(pair, ann, bob):
    services.send_message(ann, pair.pk, SECRET)
    services.send_message(bob, pair.pk, "Ünïcode too: 🗝️ " + SECRET)
    rows = _raw_rows()
    assert rows
    for needle in (SECRET.encode(), b"old mill", "🗝️".encode(), b"old%20mill"):
        assert not any(needle in row for row in rows)
    # The same text twice encrypts differently (a random nonce each time).
    one = services.send_message(ann, pair.pk, "same")
    two = services.send_message(ann, pair.pk, "same")
    stored = Message.objects.in_bulk([one.pk, two.pk])
    assert bytes(stored[one.pk].ciphertext) != bytes(stored[two.pk].ciphertext)


def test_the_data_key_is_stored_wrapped_only(pair, ann):
    conversation = Conversation.objects.get(pk=pair.pk)
    assert conversation.key_id == "test1"
    # nonce + 32-byte key + 16-byte tag: no bare key in the row.
    assert len(bytes(conversation.data_key)) == crypto.NONCE_BYTES + crypto.KEY_BYTES + 16


def test_a_ciphertext_moved_to_another_message_does_not_open(pair, ann, bob, carol, follow):
    first = services.send_message(ann, pair.pk, "first")
    second = services.send_message(ann, pair.pk, "second")
    row = Message.objects.get(pk=first.pk)
    Message.objects.filter(pk=second.pk).update(ciphertext=row.ciphertext, nonce=row.nonce)
    participant = selectors.participation(bob, pair.pk)
    with pytest.raises(crypto.DecryptionError):
        selectors.messages_page(participant)
    # Nor into another conversation, under the same id and sender.
    follow(carol, ann)
    other = services.start_conversation(ann, [carol])
    moved = Message.objects.get(pk=first.pk)
    moved.pk = first.pk + 1
    moved.conversation_id = other.pk
    moved.save(force_insert=True)
    with pytest.raises(crypto.DecryptionError):
        selectors.messages_page(selectors.participation(carol, other.pk))


def test_a_wrapped_key_moved_to_another_conversation_does_not_open(pair, ann, carol, follow):
    follow(carol, ann)
    other = services.start_conversation(ann, [carol])
    Conversation.objects.filter(pk=other.pk).update(data_key=pair.data_key)
    with pytest.raises(crypto.DecryptionError):
        services.send_message(ann, other.pk, "hi")


def test_rotation_rewraps_keys_and_leaves_messages_alone(pair, ann, bob, settings):
    services.send_message(ann, pair.pk, SECRET)
    before = {m.pk: (bytes(m.ciphertext), bytes(m.nonce)) for m in Message.objects.all()}
    old_wrapped = bytes(Conversation.objects.get(pk=pair.pk).data_key)
    settings.MESSAGING_MASTER_KEYS = [crypto.generate_master_key("test2"), *settings.MESSAGING_MASTER_KEYS]

    call_command("rotate_message_keys")

    conversation = Conversation.objects.get(pk=pair.pk)
    assert conversation.key_id == "test2"
    assert bytes(conversation.data_key) != old_wrapped
    assert {m.pk: (bytes(m.ciphertext), bytes(m.nonce)) for m in Message.objects.all()} == before
    # The old key can go now: everything opens with the new one alone.
    settings.MESSAGING_MASTER_KEYS = settings.MESSAGING_MASTER_KEYS[:1]
    page = selectors.messages_page(selectors.participation(bob, pair.pk))
    assert [m.text for m in page] == [SECRET]
    assert services.rotate_keys() == 0  # nothing left to do: safe to run again


def test_a_conversation_wrapped_by_a_dropped_key_is_a_clear_error(pair, ann, settings):
    settings.MESSAGING_MASTER_KEYS = [crypto.generate_master_key("other")]
    with pytest.raises(ImproperlyConfigured, match="test1"):
        services.send_message(ann, pair.pk, "hi")


@pytest.mark.parametrize("keys", [[], ["nocolon"], ["k:bm90IDMyIGJ5dGVz"], ["k:!!!"]])
def test_bad_master_keys_are_refused(settings, keys):
    settings.MESSAGING_MASTER_KEYS = keys
    with pytest.raises(ImproperlyConfigured):
        crypto.master_keys()


def test_the_command_prints_a_new_key_and_reports_missing_keys(settings, capsys, db):
    call_command("rotate_message_keys", "--new-key", "k2")
    entry = capsys.readouterr().out.strip()
    settings.MESSAGING_MASTER_KEYS = [entry]
    assert crypto.current_master_key().id == "k2"
    settings.MESSAGING_MASTER_KEYS = []
    with pytest.raises(CommandError, match="MESSAGING_MASTER_KEYS"):
        call_command("rotate_message_keys")


def test_the_system_check_reports_missing_and_bad_keys(settings):
    from messaging.checks import master_keys

    assert master_keys(None) == []
    settings.MESSAGING_MASTER_KEYS = []
    assert [m.id for m in master_keys(None)] == ["messaging.W001"]
    settings.MESSAGING_MASTER_KEYS = ["k1:short"]
    assert [m.id for m in master_keys(None)] == ["messaging.E001"]
