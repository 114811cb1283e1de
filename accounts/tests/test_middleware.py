"""The session's user read through the account cache (accounts.middleware):
the same answers as Django's own check, without the query."""

from django.contrib.auth import HASH_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import cache, services

HOME = "/"
SETTINGS = "/settings/profile/"


def user_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, [q["sql"] for q in ctx.captured_queries if 'FROM "accounts_user"' in q["sql"]]


def signed_in_as(response) -> str | None:
    text = response.content.decode()
    marker = "Log out @"
    return text.split(marker, 1)[1].split("<", 1)[0] if marker in text else None


def test_a_signed_in_page_reads_its_user_from_the_cache(client, ann):
    client.force_login(ann)
    client.get(HOME)  # fills the cache

    response, queries = user_queries(client, HOME)

    assert response.status_code == 200
    assert signed_in_as(response) == "ann"
    assert queries == []


def test_the_first_page_fills_the_cache_from_postgresql(client, ann):
    client.force_login(ann)
    cache.forget(ann.pk)

    response, queries = user_queries(client, HOME)

    assert signed_in_as(response) == "ann"
    assert queries  # one load, which the next page won't repeat
    assert user_queries(client, HOME)[1] == []


def test_a_password_change_signs_out_the_other_sessions(client, ann):
    other = Client(HTTP_HOST=client.defaults.get("HTTP_HOST", "testserver"))
    client.force_login(ann)
    other.force_login(ann)
    assert signed_in_as(other.get(HOME)) == "ann"  # cached now

    ann.set_password("a new password for ann")
    ann.save()

    assert other.get(HOME).status_code == 302  # to the log-in page: signed out
    assert "_auth_user_id" not in other.session


def test_a_session_with_a_wrong_digest_is_signed_out(client, ann):
    client.force_login(ann)
    client.get(HOME)
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()

    assert client.get(HOME).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_suspended_account_is_signed_out_at_once(client, ann, moderator):
    client.force_login(ann)
    assert signed_in_as(client.get(HOME)) == "ann"

    services.suspend(moderator, ann)

    assert client.get(HOME).status_code == 302


def test_sessions_signed_under_a_rotated_key_go_through_the_fallback(client, ann, settings):
    client.force_login(ann)
    client.get(HOME)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a new secret key, rotated with the old one as a fallback"
    settings.SECRET_KEY_FALLBACKS = [old]

    response, queries = user_queries(client, HOME)

    assert signed_in_as(response) == "ann"
    assert queries  # the cached digest is of the old key: PostgreSQL checks the fallback
    settings.SECRET_KEY_FALLBACKS = []
    assert signed_in_as(client.get(HOME)) == "ann"  # the session now holds the new key's digest


def test_without_the_cache_pages_still_know_their_user(client, ann, broken_cache):
    client.force_login(ann)

    assert signed_in_as(client.get(HOME)) == "ann"


def test_a_staff_member_is_staff_on_pages_read_from_the_cache(client, moderator):
    client.force_login(moderator)
    client.get(HOME)

    response, queries = user_queries(client, HOME)

    assert queries == []
    assert b'href="/admin/"' in response.content
