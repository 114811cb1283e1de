"""Envelope encryption of message bodies (AES-256-GCM).

Each conversation has its own random 256-bit data key. The database keeps
it only wrapped (encrypted with AES-GCM) by a master key that lives in the
environment (`MESSAGING_MASTER_KEYS`), together with the id of that master
key; message bodies are encrypted with the data key. So:

- a copy of the database alone (a backup, a replica, a staff member's SQL
  console) holds no readable message;
- rotating the master key re-wraps the data keys only (`rotate`, the
  `rotate_message_keys` command): no message is rewritten;
- associated data binds each ciphertext to its place (conversation,
  message, sender) and each wrapped key to its conversation, so moving a
  row elsewhere makes it fail to decrypt instead of showing it elsewhere.

Settings: MESSAGING_MASTER_KEYS is a list of "id:base64 key" (32 bytes),
the first one current; keep older ones listed until `rotate_message_keys`
has re-wrapped everything they wrapped.
"""

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce; random per encryption


class DecryptionError(Exception):
    """A ciphertext that does not open with its key and place."""


@dataclass(frozen=True)
class MasterKey:
    id: str
    key: bytes


def master_keys() -> list[MasterKey]:
    """The configured master keys, current first. Raises ImproperlyConfigured
    when there is none or one is malformed: messaging cannot work without."""
    keys = []
    for entry in settings.MESSAGING_MASTER_KEYS:
        key_id, sep, encoded = entry.strip().partition(":")
        try:
            key = base64.b64decode(encoded, validate=True) if sep else b""
        except binascii.Error:
            key = b""
        if not key_id or len(key) != KEY_BYTES:
            raise ImproperlyConfigured("MESSAGING_MASTER_KEYS entries are 'id:base64 of 32 random bytes'.")
        keys.append(MasterKey(key_id, key))
    if not keys:
        raise ImproperlyConfigured("Set MESSAGING_MASTER_KEYS to encrypt direct messages.")
    return keys


def is_configured() -> bool:
    """Whether messaging can work: MESSAGING_MASTER_KEYS holds usable keys.
    Pages and the API answer 503 when it does not, instead of failing."""
    try:
        master_keys()
    except ImproperlyConfigured:
        return False
    return True


UNAVAILABLE = (
    "Direct messages are not configured on this server: the administrator must set MESSAGING_MASTER_KEYS."
)


def current_master_key() -> MasterKey:
    return master_keys()[0]


def _master_key(key_id: str) -> MasterKey:
    for key in master_keys():
        if key.id == key_id:
            return key
    raise ImproperlyConfigured(f"Master key {key_id!r} is not in MESSAGING_MASTER_KEYS any more.")


def generate_master_key(key_id: str) -> str:
    """A new MESSAGING_MASTER_KEYS entry."""
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


def _seal(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def _open(key: bytes, sealed: bytes, associated: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
    except (InvalidTag, ValueError) as error:
        raise DecryptionError("The ciphertext does not open here.") from error


def _key_place(conversation_id: int) -> bytes:
    return f"messaging:data-key:{conversation_id}".encode()


def _message_place(conversation_id: int, message_id: int, sender_id: int) -> bytes:
    return f"messaging:message:{conversation_id}:{message_id}:{sender_id}".encode()


def new_data_key(conversation_id: int) -> tuple[bytes, str]:
    """A fresh data key for a conversation: (wrapped key, master key id)."""
    master = current_master_key()
    wrapped = _seal(master.key, os.urandom(KEY_BYTES), _key_place(conversation_id))
    return wrapped, master.id


def _data_key(conversation) -> bytes:
    master = _master_key(conversation.key_id)
    return _open(master.key, bytes(conversation.data_key), _key_place(conversation.pk))


def rewrap(conversation) -> tuple[bytes, str] | None:
    """The conversation's data key wrapped by the current master key, or
    None when it already is."""
    current = current_master_key()
    if conversation.key_id == current.id:
        return None
    data_key = _data_key(conversation)
    return _seal(current.key, data_key, _key_place(conversation.pk)), current.id


@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes
    nonce: bytes


def encrypt(conversation, message_id: int, sender_id: int, text: str) -> Sealed:
    data_key = _data_key(conversation)
    sealed = _seal(data_key, text.encode(), _message_place(conversation.pk, message_id, sender_id))
    return Sealed(ciphertext=sealed[NONCE_BYTES:], nonce=sealed[:NONCE_BYTES])


class Opener:
    """Decrypts the messages of one conversation, unwrapping its key once."""

    def __init__(self, conversation):
        self.conversation_id = conversation.pk
        self.data_key = _data_key(conversation)

    def text(self, message) -> str:
        place = _message_place(self.conversation_id, message.pk, message.sender_id)
        sealed = bytes(message.nonce) + bytes(message.ciphertext)
        return _open(self.data_key, sealed, place).decode()
