"""A synthetic world for the timeline benchmark, loaded with COPY.

    python -m bench.generate [--users N] [--follows N] [--tweets N] [--seed N] [--small] [--reset]

Users `u1`..`uN` (password "bench-password"), a power-law follow graph and a
month of tweets, replies and retweets with hashtags. Everything is sampled
with numpy first, then streamed into PostgreSQL with psycopg's COPY in one
transaction, bypassing the ORM and the services, so the counters the
services would keep (followers, following, tweets, replies, retweets) are
computed here and written with the rows.

The world is a function of the seed and of the moment the run starts (all
times are relative to "now"). Tweet ids use Snowflake worker 1; the
database's next_snowflake_id() uses worker 0, so ids the app makes later
never collide with these.
"""

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

DEFAULTS = {"users": 100_000, "follows": 5_000_000, "tweets": 1_000_000}
SMALL = {"users": 2_000, "follows": 60_000, "tweets": 20_000}
PASSWORD = "bench-password"  # noqa: S105 - the documented password of every generated account
SNOWFLAKE_WORKER = 1  # the live database function is worker 0

DAY_MS = 86_400_000
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PG_EPOCH_MS = 946_684_800_000  # 2000-01-01, the zero of PostgreSQL's binary timestamps

# Shape of the world.
ZIPF_S = 1.0  # followee popularity ∝ 1 / rank**s
OUT_DEGREE_SIGMA = 1.1  # lognormal spread of how many accounts a user follows
PROTECTED_SHARE = 0.02
UNPROTECTED_TOP = 200  # the most-followed accounts are never protected
REPLY_SHARE, RETWEET_SHARE = 0.15, 0.05
TWEET_DAYS = 30
TAG_COUNT_P = (0.62, 0.25, 0.09, 0.04)  # tweets with 0, 1, 2, 3 hashtags

COPY_ROWS = 500_000  # rows per COPY statement (bounds each statement's FK-check queue)
TWEET_CHUNK = 100_000


# --- Vocabulary ----------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# No tabs, newlines, backslashes, '#', '@' or dots inside words: the text COPY
# format needs no escaping, and tweets.text.parse finds exactly the hashtags
# written here (no stray mentions or URLs). A few non-ASCII words and emoji
# make code-point indices differ from byte and UTF-16 offsets.
WORDS = _words(
    "the a of to and in is it you that for on was with as have be at this but not are they from "
    "just so what all about one out up more time like when now new today really good great some "
    "people think know day work got still back make going love need first last never always "
    "maybe again everyone nobody something everything coffee tea code bug deploy release server "
    "database cache query index timeline thread reply follow weekend morning night city train bus "
    "bike rain sun snow music album song concert movie book chapter story game match team goal "
    "run walk hike garden dinner lunch breakfast pizza pasta bread cake cat dog bird photo camera "
    "light window street market river park beach mountain office meeting email deadline project "
    "idea plan question answer problem fix test review merge branch laptop phone screen keyboard "
    "quiet loud slow fast tiny huge early late happy tired busy lucky weird wonderful honest simple "
    "finally actually probably honestly seriously literally somehow anyway tomorrow yesterday "
    "café naïve jalapeño über déjà fiancée smörgåsbord crème brûlée 🎉 🔥 👀 🚀 ☕"
)
# Hashtags, most used first: 50 topics, each plain and with three suffixes.
TAG_TOPICS = _words(
    "python coffee music travel photography running books movies gaming football basketball "
    "cooking baking gardening hiking cycling design webdev django postgres opensource ai science "
    "space climate art fashion fitness yoga cats dogs nature sunset beach food vegan startups jobs "
    "tech politics history math chess anime vinyl jazz poetry writing podcast theatre"
)
TAG_NAMES = tuple(
    name for suffix in ("", "life", "talk", "news") for name in (topic + suffix for topic in TAG_TOPICS)
)[:200]
FIRST_NAMES = _words(
    "Ada Alan Amara Ana Ben Carla Chen Dara Eli Emma Farah Grace Hugo Ines Ivan Jana Jonas Kai "
    "Lena Leo Lina Luca Maya Mila Nadia Noah Omar Paula Priya Rosa Sam Sara Theo Uma Yara Zoe"
)
LAST_NAMES = _words(
    "Adams Baker Costa Diaz Evans Fischer Garcia Hansen Ito Jensen Khan Lopez Martin Novak "
    "Okafor Park Quinn Rossi Silva Tanaka Ueda Vargas Weber Xu Yilmaz Zhang"
)

for _word in (*WORDS, *TAG_NAMES, *FIRST_NAMES, *LAST_NAMES):
    assert not any(c in _word for c in "\t\n\r\\#@.&"), _word


@dataclass
class Config:
    users: int = DEFAULTS["users"]
    follows: int = DEFAULTS["follows"]
    tweets: int = DEFAULTS["tweets"]
    seed: int = 1
    zipf: float = ZIPF_S
    reset: bool = False


@dataclass
class World:
    """Everything to load, as numpy arrays indexed by user number (0-based) and tweet number."""

    now_ms: int
    joined_ms: np.ndarray
    protected: np.ndarray
    followers_count: np.ndarray
    following_count: np.ndarray
    tweets_count: np.ndarray = field(init=False)
    follower: np.ndarray  # follow rows sorted by (follower, followee)
    followee: np.ndarray
    follow_ms: np.ndarray
    # Tweets, in time (= id) order.
    tweet_id: np.ndarray = field(init=False)
    tweet_ms: np.ndarray = field(init=False)
    author: np.ndarray = field(init=False)
    kind: np.ndarray = field(init=False)  # ORIGINAL, REPLY or RETWEET
    target: np.ndarray = field(init=False)  # replied or retweeted tweet number, -1 if none
    conversation_id: np.ndarray = field(init=False)
    replies_count: np.ndarray = field(init=False)
    retweets_count: np.ndarray = field(init=False)
    tag_offsets: np.ndarray = field(init=False)  # tweet i has tags tag_flat[tag_offsets[i]:tag_offsets[i+1]]
    tag_flat: np.ndarray = field(init=False)


ORIGINAL, REPLY, RETWEET = 0, 1, 2


class Progress:
    def __init__(self, out):
        self.out = out
        self.start = time.perf_counter()

    def phase(self, name: str):
        return _Phase(self, name)

    def report(self, name: str, since: float, rows: int = 0) -> None:
        now = time.perf_counter()
        seconds = now - since
        rate = rows / seconds if seconds > 0 else 0.0
        print(
            f"[{now - self.start:7.1f}s] {name:<28} {rows:>10,} rows in {seconds:6.1f}s ({rate:,.0f} rows/s)",
            file=self.out,
            flush=True,
        )


class _Phase:
    def __init__(self, progress: Progress, name: str):
        self.progress, self.name, self.rows = progress, name, 0

    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.progress.report(self.name, self.t0, self.rows)


# --- Sampling ----------------------------------------------------------------------


def out_degrees(n: int, target: int, rng: np.random.Generator) -> np.ndarray:
    """How many accounts each user follows: lognormal, capped, summing to `target`."""
    mean = target / n
    cap = min(n - 1, max(1, n // 4), max(5_000, int(20 * mean)))
    if target > n * cap * 0.9:
        raise ValueError(f"{target:,} follows is too many for {n:,} users (at most {cap:,} each).")
    raw = rng.lognormal(0.0, OUT_DEGREE_SIGMA, n)
    scale = target / raw.sum()
    for _ in range(100):
        deg = np.minimum(np.rint(raw * scale), cap)
        total = deg.sum()
        if total == target:
            break
        scale *= target / max(total, 1.0)
    deg = deg.astype(np.int64)
    while (diff := target - int(deg.sum())) != 0:  # rounding leftovers: +-1 on random users
        room = np.flatnonzero(deg < cap) if diff > 0 else np.flatnonzero(deg > 0)
        pick = rng.choice(room, size=min(abs(diff), room.size), replace=False)
        deg[pick] += 1 if diff > 0 else -1
    return deg


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort beats numpy's hash-based np.unique on millions of ints)."""
    values = np.sort(values)
    if values.size:
        values = values[np.concatenate([[True], values[1:] != values[:-1]])]
    return values


def follow_graph(n: int, target: int, s: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (follower, followee) pairs, no self-follows, sorted; followees by Zipf popularity.

    Each follower draws its followees with probability ∝ 1/rank**s (popularity
    ranks are a random permutation of users). Duplicates are dropped and the
    missing ones redrawn, asking more of the followers whose picks already
    cover much of the popularity mass, until every follower has its degree.
    """
    popular_first = rng.permutation(n)  # user at each popularity rank
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[popular_first] = np.arange(n)
    weight = np.arange(1, n + 1, dtype=np.float64) ** -s
    p_rank = weight / weight.sum()
    cdf = np.cumsum(p_rank)
    cdf[-1] = 1.0
    p_user = p_rank[rank_of]

    need = out_degrees(n, target, rng)
    covered = p_user.copy()  # mass of what each follower has (itself counts: never drawn)
    keys = np.empty(0, dtype=np.int64)  # follower * n + followee, sorted
    for _ in range(200):
        if not need.any():
            break
        ask = np.where(need > 0, np.ceil(need * 1.1 / np.maximum(1.0 - covered, 1e-3)) + 1, 0)
        fol = np.repeat(np.arange(n, dtype=np.int64), ask.astype(np.int64))
        fee = popular_first[np.minimum(np.searchsorted(cdf, rng.random(fol.size), side="right"), n - 1)]
        cand = _unique((fol * n + fee)[fol != fee])
        del fol, fee
        if keys.size:
            pos = np.minimum(np.searchsorted(keys, cand), keys.size - 1)
            cand = cand[keys[pos] != cand]
        # Keep at most `need` new followees per follower, chosen at random.
        shuffle = ((cand // n) << 32) | rng.integers(0, 1 << 32, size=cand.size, dtype=np.int64)
        cand = cand[np.argsort(shuffle)]
        fol = cand // n
        rank_in_group = np.arange(cand.size) - np.searchsorted(fol, fol, side="left")
        taken = np.sort(cand[rank_in_group < need[fol]])
        taken_by = taken // n
        need -= np.bincount(taken_by, minlength=n)
        covered += np.bincount(taken_by, weights=p_user[taken % n], minlength=n)
        keys = np.sort(np.concatenate([keys, taken]), kind="stable")  # a merge of two sorted runs
    return (keys // n).astype(np.int64), (keys % n).astype(np.int64)


def plan_users_and_follows(cfg: Config, rng: np.random.Generator, now_ms: int) -> World:
    n = cfg.users
    follower, followee = follow_graph(n, cfg.follows, cfg.zipf, rng)
    followers_count = np.bincount(followee, minlength=n)
    following_count = np.bincount(follower, minlength=n)

    joined_ms = now_ms - rng.integers(DAY_MS, 365 * DAY_MS, size=n)
    # A follow happens after both accounts exist.
    since = np.maximum(joined_ms[follower], joined_ms[followee])
    follow_ms = since + (rng.random(follower.size) * (now_ms - since)).astype(np.int64)

    protected = np.zeros(n, dtype=bool)
    most_followed = np.argsort(-followers_count, kind="stable")
    others = most_followed[UNPROTECTED_TOP:]
    count = min(others.size, round(n * PROTECTED_SHARE))
    protected[rng.choice(others, size=count, replace=False)] = True
    return World(
        now_ms=now_ms,
        joined_ms=joined_ms,
        protected=protected,
        followers_count=followers_count,
        following_count=following_count,
        follower=follower,
        followee=followee,
        follow_ms=follow_ms,
    )


def _latest_at_or_before(mask: np.ndarray) -> np.ndarray:
    """For each position j, the largest i <= j with mask[i], or -1."""
    return np.maximum.accumulate(np.where(mask, np.arange(mask.size), -1))


def _pick_targets(rows, eligible, popular_pool, rng) -> np.ndarray:
    """An earlier eligible tweet for each of `rows`: half recent, half a popular author's recent one."""
    latest = _latest_at_or_before(eligible)
    back = rows - rng.geometric(1 / 2_000, size=rows.size)
    recent = np.where(back >= 0, latest[np.maximum(back, 0)], -1)
    before = np.searchsorted(popular_pool, rows, side="left")  # pool entries earlier than each row
    skip = np.minimum(rng.geometric(1 / 50, size=rows.size) - 1, np.maximum(before - 1, 0))
    popular = (
        np.where(before > 0, popular_pool[np.maximum(before - 1 - skip, 0)], -1) if popular_pool.size else -1
    )
    use_popular = (rng.random(rows.size) < 0.5) & (popular >= 0)
    return np.where(use_popular, popular, recent)


def plan_tweets(world: World, cfg: Config, rng: np.random.Generator) -> None:
    from tweets import snowflake

    n, count = cfg.users, cfg.tweets
    now_ms = world.now_ms
    # Activity grows with popularity, with personal variation; nobody is at zero.
    activity = np.sqrt(1.0 + world.followers_count) * rng.lognormal(0.0, 0.8, n)
    cdf = np.cumsum(activity)
    cdf /= cdf[-1]
    author = np.minimum(np.searchsorted(cdf, rng.random(count), side="right"), n - 1)
    # Times in the last TWEET_DAYS days, never before the author joined.
    end = now_ms - 60_000
    start = np.maximum(end - TWEET_DAYS * DAY_MS, world.joined_ms[author])
    when = start + (rng.random(count) * (end - start)).astype(np.int64)
    order = np.argsort(when, kind="stable")
    author, when = author[order], when[order]
    steps = np.arange(count, dtype=np.int64)
    when = np.maximum.accumulate(when - steps) + steps  # one tweet per millisecond at most

    # Ids by tweets.snowflake itself; a tweet's created_at is what its id says.
    ids = np.fromiter(
        (
            snowflake.make_id(
                UNIX_EPOCH + timedelta(milliseconds=ms), worker=SNOWFLAKE_WORKER, sequence=k % 4096
            )
            for k, ms in enumerate(when.tolist())
        ),
        dtype=np.int64,
        count=count,
    )
    when = (ids >> snowflake.TIMESTAMP_SHIFT) + snowflake.EPOCH_MS
    if count > 1 and not (np.diff(ids) > 0).all():
        raise AssertionError("tweet ids are not strictly increasing")

    draw = rng.random(count)
    kind = np.full(count, ORIGINAL, dtype=np.int8)
    kind[draw < REPLY_SHARE] = REPLY
    kind[(draw >= REPLY_SHARE) & (draw < REPLY_SHARE + RETWEET_SHARE)] = RETWEET
    public = ~world.protected[author]
    popular_authors = np.zeros(n, dtype=bool)
    popular_authors[np.argsort(-world.followers_count, kind="stable")[: max(10, n // 200)]] = True

    # Replies answer an earlier tweet or reply of a public account; retweets
    # repost an earlier original of a public account (followers-only tweets
    # can't be retweeted by others).
    target = np.full(count, -1, dtype=np.int64)
    can_reply_to = (kind != RETWEET) & public
    can_retweet = (kind == ORIGINAL) & public
    for this_kind, eligible in ((REPLY, can_reply_to), (RETWEET, can_retweet)):
        rows = np.flatnonzero(kind == this_kind)
        pool = np.flatnonzero(eligible & popular_authors[author])
        target[rows] = _pick_targets(rows, eligible, pool, rng)
    kind[(kind != ORIGINAL) & (target < 0)] = ORIGINAL  # nothing earlier to answer: an original
    # At most one retweet per (author, original): later duplicates become originals.
    retweets = np.flatnonzero(kind == RETWEET)
    _, first = np.unique(author[retweets] * count + target[retweets], return_index=True)
    duplicate = np.ones(retweets.size, dtype=bool)
    duplicate[first] = False
    kind[retweets[duplicate]] = ORIGINAL
    target[kind == ORIGINAL] = -1

    replies = np.flatnonzero(kind == REPLY)
    retweets = np.flatnonzero(kind == RETWEET)
    root = np.arange(count, dtype=np.int64)
    root[replies] = target[replies]
    while True:  # pointer jumping to each thread's first tweet
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    conversation_id = ids[root]
    conversation_id[retweets] = conversation_id[target[retweets]]

    # Hashtags for originals and replies: a skewed choice among TAG_NAMES, distinct per tweet.
    per_tweet = rng.choice(len(TAG_COUNT_P), size=count, p=TAG_COUNT_P)
    per_tweet[kind == RETWEET] = 0
    tag_weight = np.arange(1, len(TAG_NAMES) + 1, dtype=np.float64) ** -1.0
    owner = np.repeat(np.arange(count, dtype=np.int64), per_tweet)
    tags = rng.choice(len(TAG_NAMES), size=owner.size, p=tag_weight / tag_weight.sum())
    _, first = np.unique(owner * len(TAG_NAMES) + tags, return_index=True)
    first.sort()
    owner, tags = owner[first], tags[first]

    world.tweet_id = ids
    world.tweet_ms = when
    world.author = author
    world.kind = kind
    world.target = target
    world.conversation_id = conversation_id
    world.replies_count = np.bincount(target[replies], minlength=count)
    world.retweets_count = np.bincount(target[retweets], minlength=count)
    world.tweets_count = np.bincount(author, minlength=n)
    world.tag_offsets = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=count))])
    world.tag_flat = tags


def text_fragments(rng: np.random.Generator, count: int = 20_000) -> list[str]:
    """Short phrases from WORDS (common words more often), the material of tweet texts."""
    weight = np.arange(1, len(WORDS) + 1, dtype=np.float64) ** -0.7
    lengths = rng.integers(3, 13, size=count)
    words = rng.choice(len(WORDS), size=int(lengths.sum()), p=weight / weight.sum())
    ends = rng.choice(["", ".", "!", "?", "..."], size=count, p=[0.5, 0.3, 0.1, 0.05, 0.05])
    out, position = [], 0
    for length, end in zip(lengths.tolist(), ends.tolist(), strict=True):
        phrase = " ".join(WORDS[w] for w in words[position : position + length].tolist())
        out.append(phrase[0].upper() + phrase[1:] + end)
        position += length
    return out


# --- Loading -------------------------------------------------------------------------


def _timestamps(ms: np.ndarray) -> list[str]:
    """ISO 8601 UTC text for COPY, to the millisecond."""
    return [f"{s}Z" for s in np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms").tolist()]


BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
BINARY_TRAILER = (-1).to_bytes(2, "big", signed=True)


def _binary_rows(*columns: np.ndarray) -> bytes:
    """Rows of int8 (bigint or timestamptz) columns in COPY's binary format."""
    layout = [("fields", ">i2")]
    for i in range(len(columns)):
        layout += [(f"len{i}", ">i4"), (f"val{i}", ">i8")]
    rows = np.empty(columns[0].size, dtype=np.dtype(layout))
    rows["fields"] = len(columns)
    for i, column in enumerate(columns):
        rows[f"len{i}"] = 8
        rows[f"val{i}"] = column
    return rows.tobytes()


def _pg_timestamps(ms: np.ndarray) -> np.ndarray:
    return (ms - PG_EPOCH_MS) * 1000  # microseconds since 2000-01-01


def _copy_statement(table: str, columns: list[str], binary: bool = False):
    from psycopg import sql

    return sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.SQL(" (FORMAT BINARY)" if binary else ""),
    )


def _copy_binary(cursor, table: str, columns: list[str], arrays: list[np.ndarray]) -> None:
    """COPY int8 columns in statements of COPY_ROWS rows."""
    total = arrays[0].size
    for lo in range(0, total, COPY_ROWS):
        hi = min(total, lo + COPY_ROWS)
        with cursor.copy(_copy_statement(table, columns, binary=True)) as copy:
            copy.write(BINARY_HEADER + _binary_rows(*(a[lo:hi] for a in arrays)) + BINARY_TRAILER)


BOOL = {True: "t", False: "f"}
USER_COLUMNS = [
    "password",
    "last_login",
    "is_superuser",
    "first_name",
    "last_name",
    "is_staff",
    "is_active",
    "date_joined",
    "username",
    "email",
    "display_name",
    "bio",
    "location",
    "website",
    "avatar",
    "header",
    "is_protected",
    "suspended_at",
    "suspension_reason",
    "followers_count",
    "following_count",
    "tweets_count",
]


def load_users(cursor, world: World, rng: np.random.Generator) -> np.ndarray:
    """COPY the users; return their database ids by user number."""
    from django.contrib.auth.hashers import make_password

    password = make_password(PASSWORD)  # one hash for every account
    n = world.joined_ms.size
    firsts = rng.integers(0, len(FIRST_NAMES), size=n).tolist()
    lasts = rng.integers(0, len(LAST_NAMES), size=n).tolist()
    joined = _timestamps(world.joined_ms)
    columns = zip(
        joined,
        world.protected.tolist(),
        world.followers_count.tolist(),
        world.following_count.tolist(),
        world.tweets_count.tolist(),
        firsts,
        lasts,
        strict=True,
    )
    lines = []
    for number, (when, protected, followers, following, tweets, first, last) in enumerate(columns, 1):
        lines.append(
            f"{password}\t\\N\tf\t\t\tf\tt\t{when}\tu{number}\tu{number}@bench.invalid\t"
            f"{FIRST_NAMES[first]} {LAST_NAMES[last]}\t\t\t\t\t\t{BOOL[protected]}\t\\N\t\t"
            f"{followers}\t{following}\t{tweets}\n"
        )
    for lo in range(0, n, COPY_ROWS):
        with cursor.copy(_copy_statement("accounts_user", USER_COLUMNS)) as copy:
            copy.write("".join(lines[lo : lo + COPY_ROWS]))
    cursor.execute("SELECT id, username FROM accounts_user WHERE email LIKE %s", ["%@bench.invalid"])
    user_id = np.zeros(n, dtype=np.int64)
    for pk, username in cursor.fetchall():
        user_id[int(username[1:]) - 1] = pk
    if not user_id.all():
        raise AssertionError("some bench users were not read back")
    return user_id


def load_hashtags(cursor, world: World) -> np.ndarray:
    """Insert the hashtags (first used at their first tweet); return their ids by tag number."""
    names = list(TAG_NAMES)
    first_use = np.full(len(names), world.now_ms - TWEET_DAYS * DAY_MS, dtype=np.int64)
    owner = np.repeat(np.arange(world.tweet_ms.size), np.diff(world.tag_offsets))
    used, first = np.unique(world.tag_flat, return_index=True)  # tweets are in time order
    first_use[used] = world.tweet_ms[owner[first]]
    cursor.executemany(
        "INSERT INTO tweets_hashtag (name, created_at) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING",
        list(zip(names, _timestamps(first_use), strict=True)),
    )
    cursor.execute("SELECT id, name FROM tweets_hashtag WHERE name = ANY(%s)", [names])
    ids = {name: pk for pk, name in cursor.fetchall()}
    return np.array([ids[name] for name in names], dtype=np.int64)


TWEET_COLUMNS = [
    "id",
    "author_id",
    "text",
    "created_at",
    "in_reply_to_id",
    "in_reply_to_author_id",
    "conversation_id",
    "retweet_of_id",
    "visibility",
    "sensitive",
    "spoiler_text",
    "language",
    "entities",
    "replies_count",
    "likes_count",
    "retweets_count",
    "quotes_count",
]


def load_tweets(cursor, world: World, user_id: np.ndarray, rng: np.random.Generator) -> None:
    fragments = text_fragments(rng)
    count = world.tweet_id.size
    first_fragment = rng.integers(0, len(fragments), size=count)
    second_fragment = np.where(rng.random(count) < 0.4, rng.integers(0, len(fragments), size=count), -1)
    tag_first = rng.random(count) < 0.2  # the first hashtag leads the text
    visibility = np.where(world.protected[world.author], "private", "public")
    parent = np.maximum(world.target, 0)
    for lo in range(0, count, TWEET_CHUNK):
        hi = min(count, lo + TWEET_CHUNK)
        part = slice(lo, hi)
        ids = world.tweet_id[part].tolist()
        authors = user_id[world.author[part]].tolist()
        kinds = world.kind[part].tolist()
        created = _timestamps(world.tweet_ms[part])
        target_ids = world.tweet_id[parent[part]].tolist()
        target_authors = user_id[world.author[parent[part]]].tolist()
        conversations = world.conversation_id[part].tolist()
        seen = visibility[part].tolist()
        replies = world.replies_count[part].tolist()
        retweets = world.retweets_count[part].tolist()
        firsts, seconds = first_fragment[part].tolist(), second_fragment[part].tolist()
        leads = tag_first[part].tolist()
        offsets = world.tag_offsets[lo : hi + 1].tolist()
        tag_numbers = world.tag_flat[offsets[0] : offsets[-1]].tolist()
        base = offsets[0]
        lines = []
        for k in range(hi - lo):
            if kinds[k] == RETWEET:
                text, entities, reply_to, reply_author, retweet_of = "", "{}", "\\N", "\\N", target_ids[k]
            else:
                body = fragments[firsts[k]]
                if seconds[k] >= 0:
                    body = f"{body} {fragments[seconds[k]]}"
                names = [TAG_NAMES[t] for t in tag_numbers[offsets[k] - base : offsets[k + 1] - base]]
                text, tags = _with_hashtags(body, names, leads[k])
                entities = f'{{"hashtags": [{", ".join(tags)}], "mentions": [], "urls": []}}'
                retweet_of = "\\N"
                if kinds[k] == REPLY:
                    reply_to, reply_author = target_ids[k], target_authors[k]
                else:
                    reply_to, reply_author = "\\N", "\\N"
            lines.append(
                f"{ids[k]}\t{authors[k]}\t{text}\t{created[k]}\t{reply_to}\t{reply_author}\t"
                f"{conversations[k]}\t{retweet_of}\t{seen[k]}\tf\t\t\t{entities}\t"
                f"{replies[k]}\t0\t{retweets[k]}\t0\n"
            )
        with cursor.copy(_copy_statement("tweets_tweet", TWEET_COLUMNS)) as copy:
            copy.write("".join(lines))


def _with_hashtags(body: str, names: list[str], lead: bool) -> tuple[str, list[str]]:
    """The text with "#name"s added, and their entities as JSON (code-point indices)."""
    if not names:
        return body, []
    tags = []
    if lead:
        first = names[0]
        text = f"#{first} {body}"
        tags.append(f'{{"tag": "{first}", "indices": [0, {len(first) + 1}]}}')
        names = names[1:]
    else:
        text = body
    for name in names:
        start = len(text) + 1
        text = f"{text} #{name}"
        tags.append(f'{{"tag": "{name}", "indices": [{start}, {start + len(name) + 1}]}}')
    return text, tags


APP_LABELS = ("accounts", "tweets")
LOADED_TABLES = (
    "accounts_user",
    "accounts_follow",
    "tweets_hashtag",
    "tweets_tweet",
    "tweets_tweet_hashtags",
)


def _truncate(cursor) -> None:
    from django.apps import apps
    from psycopg import sql

    tables = sorted(
        {
            model._meta.db_table
            for label in APP_LABELS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        }
    )
    cursor.execute(
        sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
            sql.SQL(", ").join(sql.Identifier(t) for t in tables)
        )
    )


def _require_empty(cursor) -> None:
    for table in ("accounts_user", "tweets_tweet"):
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 - a constant name
        if cursor.fetchone()[0]:
            raise SystemExit(
                f"{table} is not empty: run with --reset to empty the accounts and tweets tables."
            )


# --- Entry point -----------------------------------------------------------------------


def generate(cfg: Config, out=None) -> dict:
    from django.db import connection, transaction

    out = out or sys.stdout
    progress = Progress(out)
    rng = np.random.default_rng(cfg.seed)
    now_ms = int(time.time() * 1000)
    print(
        f"bench.generate: {cfg.users:,} users, {cfg.follows:,} follows, {cfg.tweets:,} tweets, "
        f"seed {cfg.seed}, zipf s={cfg.zipf}",
        file=out,
        flush=True,
    )

    with progress.phase("sample follow graph") as phase:
        world = plan_users_and_follows(cfg, rng, now_ms)
        phase.rows = world.follower.size
    with progress.phase("sample tweets") as phase:
        plan_tweets(world, cfg, rng)
        phase.rows = world.tweet_id.size

    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            # Check foreign keys at the end of each COPY statement rather than
            # queueing millions of checks until commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if cfg.reset:
                with progress.phase("truncate"):
                    _truncate(cursor)
            _require_empty(cursor)
            with progress.phase("COPY accounts_user") as phase:
                user_id = load_users(cursor, world, rng)
                phase.rows = user_id.size
            with progress.phase("COPY accounts_follow") as phase:
                _copy_binary(
                    cursor,
                    "accounts_follow",
                    ["follower_id", "followee_id", "created_at"],
                    [user_id[world.follower], user_id[world.followee], _pg_timestamps(world.follow_ms)],
                )
                phase.rows = world.follower.size
            with progress.phase("insert tweets_hashtag") as phase:
                hashtag_id = load_hashtags(cursor, world)
                phase.rows = hashtag_id.size
            with progress.phase("COPY tweets_tweet") as phase:
                load_tweets(cursor, world, user_id, rng)
                phase.rows = world.tweet_id.size
            with progress.phase("COPY tweets_tweet_hashtags") as phase:
                owner = np.repeat(world.tweet_id, np.diff(world.tag_offsets))
                _copy_binary(
                    cursor,
                    "tweets_tweet_hashtags",
                    ["tweet_id", "hashtag_id"],
                    [owner, hashtag_id[world.tag_flat]],
                )
                phase.rows = owner.size
        commit_start = time.perf_counter()
    progress.report("commit", commit_start)
    # VACUUM too (outside a transaction only): it sets the visibility map and
    # hint bits now, so index-only scans work from the first benchmark run and
    # autovacuum's insert-triggered pass doesn't land in the middle of it.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with progress.phase(command), connection.cursor() as cursor:
        cursor.execute(f"{command} {', '.join(LOADED_TABLES)}")

    followers = world.followers_count
    top = np.argsort(-followers, kind="stable")[:5]
    summary = {
        "users": int(cfg.users),
        "follows": int(world.follower.size),
        "tweets": int(world.tweet_id.size),
        "originals": int((world.kind == ORIGINAL).sum()),
        "replies": int((world.kind == REPLY).sum()),
        "retweets": int((world.kind == RETWEET).sum()),
        "hashtags": len(TAG_NAMES),
        "tweet_hashtags": int(world.tag_flat.size),
        "protected": int(world.protected.sum()),
        "max_followers": int(followers.max()),
        "median_followers": float(np.median(followers)),
        "accounts_50k_followers": int((followers >= 50_000).sum()),
        "accounts_10k_followers": int((followers >= 10_000).sum()),
        "top_accounts": [[f"u{i + 1}", int(followers[i])] for i in top.tolist()],
        "max_following": int(world.following_count.max()),
        "max_tweets": int(world.tweets_count.max()),
        "seed": cfg.seed,
        "elapsed_s": round(time.perf_counter() - progress.start, 1),
    }
    print(json.dumps(summary), file=out, flush=True)
    return summary


def parse_args(argv=None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, help=f"default {DEFAULTS['users']:,}")
    parser.add_argument("--follows", type=int, help=f"total follows, default {DEFAULTS['follows']:,}")
    parser.add_argument("--tweets", type=int, help=f"default {DEFAULTS['tweets']:,}")
    parser.add_argument("--seed", type=int, default=1, help="default %(default)s")
    parser.add_argument(
        "--zipf", type=float, default=ZIPF_S, help="popularity exponent s (default %(default)s)"
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="preset for CI: {users:,} users, {follows:,} follows, {tweets:,} tweets".format(**SMALL),
    )
    parser.add_argument(
        "--reset", action="store_true", help="TRUNCATE the accounts and tweets tables first (CASCADE)"
    )
    args = parser.parse_args(argv)
    sizes = SMALL if args.small else DEFAULTS
    cfg = Config(
        users=args.users if args.users is not None else sizes["users"],
        follows=args.follows if args.follows is not None else sizes["follows"],
        tweets=args.tweets if args.tweets is not None else sizes["tweets"],
        seed=args.seed,
        zipf=args.zipf,
        reset=args.reset,
    )
    if cfg.users < 10 or cfg.follows < 1 or cfg.tweets < 1:
        parser.error("need at least 10 users, 1 follow and 1 tweet")
    return cfg


def main(argv=None, out=None) -> dict:
    """Run the generator (Django must be set up); returns the summary."""
    return generate(parse_args(argv), out=out)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twitter.settings")
    django.setup()
    main()
