"""What the benchmark searches for, chosen from the loaded world with a seed.

Word frequencies come from the index itself (ts_stat over the originals'
search_vector), so the bands hold whatever the generator's word list and
hashtags (which are words of the text too) made common or rare. Each class
is a small pool of queries, run in turn; each query's match count is what
the PostgreSQL backend finds for an anonymous viewer.
"""

import math
import random
import re
from dataclasses import dataclass, field

# Fractions of the searchable tweets containing the word.
MID_BAND = (0.005, 0.02)
RARE_BAND = (0.0001, 0.001)
COMMON_TOP = 5  # the common band: the most frequent words
PAIR_TRIES = 30
_WORD = re.compile(r"\w+")


@dataclass
class QueryClass:
    key: str
    label: str
    queries: list[str]
    matches: dict[str, int] = field(default_factory=dict)


def _lexemes(cursor) -> list[tuple[str, int]]:
    cursor.execute(
        "SELECT word, ndoc FROM ts_stat($$SELECT search_vector FROM tweets_tweet"
        " WHERE deleted_at IS NULL AND retweet_of_id IS NULL$$) ORDER BY ndoc DESC, word"
    )
    return [(word, ndoc) for word, ndoc in cursor.fetchall() if _WORD.fullmatch(word)]


def _band(lexemes: list[tuple[str, int]], total: int, low: float, high: float, k: int) -> list[str]:
    """Words in [low, high] of `total`; at least the k nearest its middle (log scale)."""
    inside = [word for word, ndoc in lexemes if low * total <= ndoc <= high * total]
    if len(inside) >= k:
        return inside
    middle = math.log(math.sqrt(low * high) * total)
    nearest = sorted(lexemes, key=lambda item: (abs(math.log(item[1]) - middle), item[0]))
    return [word for word, _ in nearest[: max(k, len(inside))]]


def match_count(text: str) -> int:
    """Originals the PostgreSQL backend matches for an anonymous viewer."""
    from accounts.selectors import ANONYMOUS
    from search.backends.postgres import matching
    from search.query import parse
    from search.selectors import resolve

    lookup = resolve(parse(text))
    return 0 if lookup is None else matching(lookup, ANONYMOUS).count()


def _pairs(rng: random.Random, first: list[str], second: list[str], k: int) -> list[str]:
    """k two-word queries, one word from each list, that match something when possible."""
    chosen, fallback = [], []
    for _ in range(PAIR_TRIES):
        text = f"{rng.choice(first)} {rng.choice(second)}"
        if text in chosen or text in fallback or len(set(text.split())) < 2:
            continue
        if match_count(text) > 0:
            chosen.append(text)
        else:
            fallback.append(text)
        if len(chosen) == k:
            break
    return (chosen + fallback)[:k]


def choose(seed: int, pool: int) -> list[QueryClass]:
    """The query classes, `pool` queries each (fewer where the world has fewer)."""
    from django.db import connection
    from django.db.models import Count

    from accounts.models import User
    from tweets.models import Hashtag

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        lexemes = _lexemes(cursor)
        cursor.execute("SELECT count(*) FROM tweets_tweet WHERE deleted_at IS NULL AND retweet_of_id IS NULL")
        total = cursor.fetchone()[0]
    common = [word for word, _ in lexemes[:COMMON_TOP]]
    mid = _band(lexemes, total, *MID_BAND, pool)
    rare = _band(lexemes, total, *RARE_BAND, pool)

    public = User.objects.filter(is_active=True, is_protected=False)
    popular = list(public.order_by("-followers_count", "pk").values_list("username", flat=True)[:pool])
    counts = sorted(public.filter(tweets_count__gt=0).values_list("tweets_count", flat=True))
    median = counts[len(counts) // 2] if counts else 1
    ordinary = list(
        public.filter(tweets_count__gte=max(1, median // 2), tweets_count__lte=max(2, median * 2))
        .order_by("pk")
        .values_list("username", flat=True)
    )
    used = list(
        Hashtag.objects.annotate(uses=Count("tweets"))
        .filter(uses__gt=0)
        .order_by("-uses", "name")
        .values_list("name", flat=True)
    )

    def sample(items: list[str], prefix: str = "") -> list[str]:
        return [prefix + item for item in rng.sample(items, min(pool, len(items)))]

    classes = [
        QueryClass("word_common", "one word, common", sample(common)),
        QueryClass("word_mid", "one word, mid-frequency", sample(mid)),
        QueryClass("word_rare", "one word, rare", sample(rare)),
        QueryClass("two_common_mid", "two words, common + mid", _pairs(rng, common, mid, pool)),
        QueryClass("two_mid_rare", "two words, mid + rare", _pairs(rng, mid, rare, pool)),
        QueryClass("from_popular", "from: a most followed account", [f"from:{name}" for name in popular]),
        QueryClass("from_ordinary", "from: an ordinary account", sample(ordinary, "from:")),
        QueryClass("tag_popular", "#tag, popular", sample(used[:10], "#")),
        QueryClass("tag_rare", "#tag, rare", sample(used[-10:], "#")),
    ]
    for query_class in classes:
        query_class.matches = {text: match_count(text) for text in query_class.queries}
    return [c for c in classes if c.queries]


def pick_viewer(seed: int, low: int = 200, high: int = 500):
    """A signed-in viewer who follows a few hundred accounts (the most-following one if nobody does)."""
    from accounts.models import User

    active = User.objects.filter(is_active=True)
    candidates = list(
        active.filter(following_count__gte=low, following_count__lte=high)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if candidates:
        return User.objects.get(pk=random.Random(seed).choice(candidates))
    return active.order_by("-following_count", "pk").first()
