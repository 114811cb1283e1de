"""The benchmark's data: its own database and Redis database (named after
DATABASE_URL and REDIS_URL, created when missing, emptied at the start) and
the world in them, bulk-created: one account and access token per socket,
an author, the followers' follows and a warm-up account."""

import hashlib
import os
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from bench.streaming.observe import redis_client


@dataclass
class World:
    author: object
    tokens: list[tuple[int, str]]  # (user id, access token) per socket
    followers: list[int]
    warmup: tuple[int, str]


def make_world(users: int, followers: int) -> World:
    """`users` accounts with a token each (the first `followers` follow the
    author), an author and a warm-up account, with bulk inserts."""
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from accounts.applications import register_application
    from accounts.models import Follow, User

    password = make_password("bench-password")  # one hash for every account
    now = timezone.now()
    with transaction.atomic():
        app, _ = register_application(
            name="Streaming bench", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes="read"
        )
        author = User.objects.create(
            username="sb_author",
            email="sb_author@bench.invalid",
            password=password,
            followers_count=followers,
        )
        names = [f"sb{n}" for n in range(1, users + 1)] + ["sb_warmup"]
        accounts = User.objects.bulk_create(
            [
                User(
                    username=name,
                    email=f"{name}@bench.invalid",
                    password=password,
                    date_joined=now,
                    following_count=1 if n < followers else 0,
                )
                for n, name in enumerate(names)
            ],
            batch_size=2000,
        )
        Follow.objects.bulk_create(
            [Follow(follower_id=a.pk, followee_id=author.pk) for a in accounts[:followers]], batch_size=2000
        )
        raw = {a.pk: secrets.token_urlsafe(32) for a in accounts}
        expires = now + timedelta(days=1)
        AccessToken.objects.bulk_create(
            [
                AccessToken(
                    user_id=user_id,
                    application=app,
                    token=token,
                    # bulk_create may skip save(): the checksum the lookup uses.
                    token_checksum=hashlib.sha256(token.encode()).hexdigest(),
                    scope="read",
                    expires=expires,
                )
                for user_id, token in raw.items()
            ],
            batch_size=2000,
        )
    pairs = [(a.pk, raw[a.pk]) for a in accounts]
    return World(
        author=author,
        tokens=pairs[:-1],
        followers=[a.pk for a in accounts[:followers]],
        warmup=pairs[-1],
    )


def default_database_url() -> str:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/twitter")
    return url.rsplit("/", 1)[0] + f"/{dj_database_url.parse(url)['NAME']}_bench_stream"


def default_redis_url() -> str:
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunsplit(parts._replace(path="/6"))


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {
        "dbname": "postgres",
        "user": config["USER"],
        "host": config["HOST"],
        "port": config["PORT"],
        "password": config["PASSWORD"],
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def reset() -> None:
    """Empty the benchmark's own database and Redis database."""
    from django.db import connection
    from oauth2_provider.models import get_application_model

    from accounts.models import User

    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (User, get_application_model()))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    redis_client().flushdb()
