"""`manage.py seed_demo`: a believable little network to click around in.

Every follow, tweet, like and retweet goes through accounts.services and
tweets.services, so counters, follow requests and domain events are exactly
what real use leaves behind. Tweets keep the ids and timestamps the services
give them (all "now"): Snowflake ids must stay in created_at order, so the
history is not backdated.
"""

import heapq
import itertools
import math
import random
import re
import sys
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, replace
from functools import partial

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from accounts import services as accounts_services
from accounts.models import Block, Follow, FollowRequest, Mute, User
from accounts.validators import RESERVED_USERNAMES
from tweets import services as tweets_services
from tweets.management.demo_vocabulary import (
    CJK_BIOS,
    CJK_CITIES,
    CJK_LINES,
    CJK_REPLIES,
    EAST_ASIAN_NAMES,
    EMOJI,
    FIRST_NAMES,
    HANDLE_WORDS,
    LAST_NAMES,
    LINK_HOSTS,
    LINKS,
    LOCATIONS,
    MENTIONS,
    NAME_EMOJI,
    ORGS,
    QUOTES,
    REPLIES,
    ROLES,
    SCRIPT_WEIGHTS,
    SCRIPTS,
    TAG_CAMEL_CASE,
    TAG_WEIGHT,
    TAGLINES,
    TOPIC_NAMES,
    TOPIC_WEIGHTS,
    TOPICS,
)
from tweets.models import Hashtag, Like, Tweet, TweetVersion, Visibility
from tweets.text import MAX_WEIGHT, parse

DEMO_USERNAME, DEMO_PASSWORD = "demo", "demo-password"
ADMIN_USERNAME, ADMIN_PASSWORD = "staff", "staff-password"
DEMO_PROFILE = {
    "display_name": "Demo User",
    "bio": "Kicking the tyres of Chirp. Everything here is demo data: follow, reply, like, break things. ✨",
    "location": "The demo server",
    "website": "https://example.com/demo",
    "email": "demo@example.com",
}

USERNAME_RE = re.compile(r"[A-Za-z0-9_]{1,15}")
# Letters that NFKD doesn't take apart into ASCII ones (dotless i is Turkish).
ASCII_FOLD = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "\u0131": "i", "ł": "l"})
TYPO_WORD_RE = re.compile(r"(?<![@#/\w])[A-Za-z]{5,}(?!\w)")


# --- Profiles ----------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    username: str
    display_name: str
    bio: str
    location: str
    website: str
    interests: tuple[str, ...]
    script: str
    protected: bool


def _ascii(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.translate(ASCII_FOLD))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def _handle(rng: random.Random, first: str, last: str) -> str:
    word, word2 = rng.sample(HANDLE_WORDS, 2)
    name = rng.choice(
        (
            f"{first}{last}",
            f"{first}_{last}",
            f"{first[0]}{last}",
            f"{first}{last[0]}",
            f"{first}{rng.randint(1, 99)}",
            f"{first}_{word}",
            f"{word}{first}",
            f"{last}{first[0]}",
            f"{word}_{word2}",
            f"the{first}{last[0]}",
            f"real{first}",
            f"{first}{last}{rng.randint(70, 99)}",
        )
    )
    if rng.random() < 0.2:
        name = name.replace(first, first.title(), 1).replace(last, last.title(), 1)
    return name[:15]


def _unique_username(rng: random.Random, first: str, last: str, taken: set[str]) -> str:
    for attempt in range(30):
        name = _handle(rng, first, last)
        if attempt >= 5:
            name = f"{name[:12]}{rng.randint(10, 999)}"
        lowered = name.lower()
        if USERNAME_RE.fullmatch(name) and lowered not in taken and lowered not in RESERVED_USERNAMES:
            return name
    number = len(taken)
    while f"user{number}" in taken:
        number += 1
    return f"user{number}"


def _pick_topics(rng: random.Random, count: int) -> tuple[str, ...]:
    names, weights, picked = list(TOPIC_NAMES), list(TOPIC_WEIGHTS), []
    for _ in range(count):
        index = rng.choices(range(len(names)), weights=weights)[0]
        picked.append(names.pop(index))
        weights.pop(index)
    return tuple(picked)


def _bio(rng: random.Random, script: str, interests: tuple[str, ...]) -> str:
    roll = rng.random()
    if roll < 0.1:
        return ""
    if script != "latin" and roll < 0.5:
        return rng.choice(CJK_BIOS[script])
    bits = [rng.choice(TOPICS[topic]["bio"]) for topic in interests[:2]]
    if rng.random() < 0.6:
        bits.insert(0, " ".join(filter(None, (rng.choice(ROLES), rng.choice(ORGS)))))
    if rng.random() < 0.5:
        bits.append(rng.choice(TAGLINES))
    return " · ".join(bits)[:160]


def make_profiles(rng: random.Random, count: int, taken: set[str]) -> list[Profile]:
    """`count` plausible profiles whose usernames avoid `taken` (lower case; updated)."""
    profiles = []
    for _ in range(count):
        script = rng.choices(SCRIPTS, weights=SCRIPT_WEIGHTS)[0]
        if script == "latin":
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            native = None
        else:
            first, last, native = rng.choice(EAST_ASIAN_NAMES[script])
        username = _unique_username(rng, _ascii(first), _ascii(last), taken)
        taken.add(username.lower())
        roll = rng.random()
        if native:
            display_name = native if roll < 0.7 else f"{first.title()} {last.title()}"
        elif roll < 0.55:
            display_name = f"{first} {last}"
        elif roll < 0.7:
            display_name = first
        elif roll < 0.8:
            display_name = f"{first} {last[0]}."
        elif roll < 0.88:
            display_name = f"{first} {last}".lower()
        else:
            display_name = f"{first} {rng.choice(NAME_EMOJI)}"
        interests = _pick_topics(rng, rng.choice((2, 2, 3)))
        if script == "latin":
            location = rng.choice(LOCATIONS) if rng.random() < 0.8 else ""
        else:
            location = rng.choice(CJK_CITIES[script])
        slug = username.lower().replace("_", "-").strip("-") or "me"
        website = ""
        if rng.random() < 0.15:
            website = rng.choice((f"https://{slug}.example.com", f"https://example.com/{slug}"))
        profiles.append(
            Profile(
                username=username,
                display_name=display_name[:50],
                bio=_bio(rng, script, interests),
                location=location[:30],
                website=website,
                interests=interests,
                script=script,
                protected=rng.random() < 0.1,
            )
        )
    if len(profiles) >= 3 and not any(p.protected for p in profiles):
        profiles[-1] = replace(profiles[-1], protected=True)
    return profiles


# --- Text --------------------------------------------------------------------


def _fill(rng: random.Random, template: str, words: dict) -> str:
    """Fill `{slot}`s; "{tool2}" takes a different word from the "tool" list than "{tool}"."""
    chosen: dict[str, str] = {}

    def pick(match: re.Match) -> str:
        name = match.group(1)
        if name not in chosen:
            options = [w for w in words[name.rstrip("0123456789")] if w not in chosen.values()]
            chosen[name] = rng.choice(options)
        return chosen[name]

    return re.sub(r"\{(\w+)\}", pick, template)


def sentence(rng: random.Random, topic: str, *, unlike: str = "") -> str:
    """A sentence about `topic` from a different template than the sentence `unlike`."""
    spec = TOPICS[topic]
    templates = [t for t in spec["lines"] if not unlike or _longest_literal(t) not in unlike]
    text = _fill(rng, rng.choice(templates or spec["lines"]), spec["words"])
    # A filled-in word can start a sentence ("What a finish! the Warriors ...").
    return re.sub(r"(^|[.!?] )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def _longest_literal(template: str) -> str:
    return max(re.split(r"\{\w+\}", template), key=len).strip()


def hashtags(rng: random.Random, topic: str) -> str:
    tags = TOPICS[topic]["tags"]
    picked = {
        rng.choices(tags, weights=[TAG_WEIGHT[t] for t in tags])[0] for _ in range(rng.choice((1, 1, 2)))
    }
    return " ".join(f"#{TAG_CAMEL_CASE.get(t, t) if rng.random() < 0.2 else t}" for t in sorted(picked))


def link(rng: random.Random, about: str) -> str:
    words = re.findall(r"[a-z0-9]+", about.lower())[:5]
    path = "-".join(words) if len(words) >= 2 else f"p/{rng.randint(1000, 99999)}"
    return rng.choice(LINKS).format(url=f"https://{rng.choice(LINK_HOSTS)}/{rng.randint(2023, 2026)}/{path}")


def with_typo(rng: random.Random, text: str) -> str | None:
    """`text` with two letters of one longer word swapped, or None if it has no such word."""
    words = list(TYPO_WORD_RE.finditer(text))
    if not words:
        return None
    match = rng.choice(words)
    word = match.group()
    i = rng.randint(1, len(word) - 3)
    if word[i] == word[i + 1]:
        return None
    typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return text[: match.start()] + typo + text[match.end() :]


def fit(parts: list[str]) -> str:
    """Join `parts`, dropping optional ones (all but the first) until it fits 280."""
    parts = list(parts)
    # No character weighs more than 2, so 140 characters always fit; only longer texts need the parser.
    while len(parts) > 1 and len(" ".join(parts)) > MAX_WEIGHT // 2 and parse(" ".join(parts)).is_too_long:
        parts.pop(1)
    return " ".join(parts)


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# --- The network -------------------------------------------------------------


@dataclass
class Person:
    user: User
    interests: tuple[str, ...]
    script: str = "latin"
    popularity: float = 0.0  # Zipf weight: the chance of being followed, replied to, mentioned
    rank: int = 0
    activity: float = 1.0  # how much they tweet


@dataclass
class Posted:
    tweet: Tweet
    author: int  # index into people
    topic: str
    depth: int = 0  # 0 for a thread's root
    part: int = 0  # position in its author's own thread ("2/"), 0 when not a self-thread


SKIPPED = (ValidationError, PermissionDenied, ObjectDoesNotExist)
BATCH = 100  # steps per transaction while posting


class DemoNetwork:
    """Builds the demo data phase by phase; `progress` wraps iterables like tqdm."""

    def __init__(self, seed: int, progress):
        self.seed = seed
        self.progress = progress
        self.people: list[Person] = []
        self.followers: list[list[int]] = []
        self.following: list[list[int]] = []
        self.recent: deque[Posted] = deque(maxlen=300)
        self.queue: list[tuple] = []  # (due step, order, action, person index, tweet)
        self.order = itertools.count()
        self.author_weights: list[float] = []
        self.fame_weights: list[float] = []
        self.edits: list[tuple[Posted, str]] = []
        self.skipped = 0

    def rng(self, phase: str) -> random.Random:
        # One generator per phase, so usernames don't depend on how the later phases went.
        return random.Random(f"{self.seed}:{phase}")

    def attempt(self, service, *args, **kwargs):
        """Call a service; a random pick that isn't allowed is skipped, not an error."""
        try:
            return service(*args, **kwargs)
        except SKIPPED:
            self.skipped += 1
            return None

    # Users

    def create_users(self, count: int) -> None:
        rng = self.rng("users")
        password = make_password(DEMO_PASSWORD)
        demo = self._fixed_account(DEMO_USERNAME, password=password, **DEMO_PROFILE)
        self._fixed_account(
            ADMIN_USERNAME,
            password=make_password(ADMIN_PASSWORD),
            display_name="Admin",
            email="staff@example.com",
            is_staff=True,
            is_superuser=True,
        )
        taken = {name.lower() for name in User.objects.values_list("username", flat=True)}
        profiles = make_profiles(rng, count, taken)
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    username=p.username,
                    email=f"{p.username.lower()}@example.com",
                    password=password,
                    display_name=p.display_name,
                    bio=p.bio,
                    location=p.location,
                    website=p.website,
                    is_protected=p.protected,
                )
                for p in self.progress(profiles, desc="users")
            )
            EmailAddress.objects.bulk_create(
                (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
                ignore_conflicts=True,
            )
        self.people = [Person(demo, ("code", "coffee", "books"))] + [
            Person(user, p.interests, p.script) for user, p in zip(users, profiles, strict=True)
        ]

    @staticmethod
    def _fixed_account(username: str, **fields) -> User:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = User.objects.create(username=username, **fields)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    # Follow graph

    def build_follow_graph(self) -> None:
        rng = self.rng("follows")
        people, n = self.people, len(self.people)
        others = list(range(1, n))
        order = others[:]
        rng.shuffle(order)
        for rank, i in enumerate(order):
            people[i].popularity, people[i].rank = 1 / (rank + 1) ** 1.1, rank
        people[0].popularity, people[0].rank = 1 / 5**1.1, 4

        pairs: set[tuple[int, int]] = set()
        median = max(2, min(6, (n - 1) // 6))
        for i in others:
            wanted = min(n - 2, max(1, int(rng.lognormvariate(math.log(median), 0.8))))
            pairs.update((i, j) for j in self._weighted_sample(rng, others, wanted, exclude=i))
        # People follow back accounts that aren't famous.
        for i, j in sorted(pairs):
            if people[j].rank > n // 10 and rng.random() < 0.2:
                pairs.add((j, i))
        # demo follows the famous few and a spread of others, and is followed back by some.
        wanted = min(30, (n - 1) // 2)
        famous = sorted(others, key=lambda i: people[i].rank)[: min(10, wanted // 3)]
        rest = self._weighted_sample(rng, [i for i in others if i not in famous], wanted - len(famous))
        demo_follows = famous + rest
        protected = [i for i in others if people[i].user.is_protected]
        if protected and demo_follows and not any(i in protected for i in demo_follows):
            demo_follows[-1] = rng.choice(protected)
        pairs.update((0, j) for j in demo_follows)
        demo_fans = [i for i in others if rng.random() < 0.35]
        pairs.update((i, 0) for i in demo_fans)

        ordered = sorted(pairs)
        rng.shuffle(ordered)
        with transaction.atomic():
            for i, j in self.progress(ordered, desc="follows"):
                self.attempt(accounts_services.follow, people[i].user, people[j].user)
        self._answer_follow_requests(rng)
        self._block_and_mute(rng, others, demo_knows={*demo_follows, *demo_fans})
        self._load_graph()

    def _weighted_sample(self, rng, candidates, count, exclude=None) -> list[int]:
        """`count` of `candidates` without replacement, by popularity (Efraimidis-Spirakis)."""
        keyed = [
            (math.log(1 - rng.random()) / self.people[j].popularity, j) for j in candidates if j != exclude
        ]
        keyed.sort(reverse=True)
        return [j for _, j in keyed[: max(0, count)]]

    def _answer_follow_requests(self, rng) -> None:
        by_pk = {p.user.pk: p.user for p in self.people}
        requests = list(
            FollowRequest.objects.filter(requester__in=by_pk, target__in=by_pk)
            .order_by("pk")
            .values_list("requester_id", "target_id")
        )
        demo_pk, demo_waits = self.people[0].user.pk, False
        with transaction.atomic():
            for requester_id, target_id in self.progress(requests, desc="follow requests"):
                if requester_id == demo_pk and not demo_waits:
                    demo_waits = True  # keep one pending, so demo sees "requested"
                    continue
                if rng.random() < 0.6:
                    self.attempt(
                        accounts_services.approve_follow_request, by_pk[target_id], by_pk[requester_id]
                    )

    def _block_and_mute(self, rng, others: list[int], demo_knows: set[int]) -> None:
        people = self.people
        moves = []
        if len(others) >= 2:
            moves += [
                (accounts_services.block, *rng.sample(others, 2)) for _ in range(max(1, len(others) // 30))
            ]
            moves += [
                (accounts_services.mute, *rng.sample(others, 2)) for _ in range(max(1, len(others) // 12))
            ]
        # demo mutes and blocks two little-known strangers, so both lists have someone.
        strangers = sorted((i for i in others if i not in demo_knows), key=lambda i: -people[i].rank)
        if len(strangers) >= 2:
            moves += [(accounts_services.mute, 0, strangers[0]), (accounts_services.block, 0, strangers[1])]
        with transaction.atomic():
            for service, i, j in self.progress(moves, desc="blocks and mutes"):
                self.attempt(service, people[i].user, people[j].user)

    def _load_graph(self) -> None:
        index = {p.user.pk: i for i, p in enumerate(self.people)}
        self.followers = [[] for _ in self.people]
        self.following = [[] for _ in self.people]
        rows = Follow.objects.filter(follower__in=index, followee__in=index).order_by("pk")
        for follower_id, followee_id in rows.values_list("follower_id", "followee_id"):
            self.followers[index[followee_id]].append(index[follower_id])
            self.following[index[follower_id]].append(index[followee_id])

    # Tweets, likes, retweets

    def post(self, count: int) -> None:
        rng = self.rng("tweets")
        top = max(p.popularity for p in self.people)
        for person in self.people:
            person.activity = rng.lognormvariate(0, 1) * (0.5 + 2 * person.popularity / top)
        self.people[0].activity = sorted(p.activity for p in self.people)[len(self.people) * 4 // 5]
        self.author_weights = list(_cumulative(p.activity for p in self.people))
        self.fame_weights = list(_cumulative(p.popularity for p in self.people))

        posted = step = 0
        limit = 4 * count + 20
        with self.progress(total=count, desc="tweets") as bar:
            while posted < count and step < limit:
                with transaction.atomic():
                    for _ in range(BATCH):
                        if posted >= count or step >= limit:
                            break
                        step += 1
                        self._engage_until(step)
                        if self._post_one(rng, step):
                            posted += 1
                            bar.update()
        rest = sorted(self.queue)
        self.queue = []
        with transaction.atomic():
            for _, _, action, i, tweet in self.progress(rest, desc="likes and retweets"):
                self._engage(action, i, tweet)

    def _post_one(self, rng, step: int) -> bool:
        roll = rng.random()
        if roll < 0.25 and self.recent:
            posted = self._reply(rng)
        elif roll < 0.30 and self.recent:
            posted = self._quote(rng)
        else:
            posted = self._original(rng)
        if posted is None:
            return False
        self.recent.append(posted)
        self._schedule(rng, posted, step)
        return True

    def _author(self, rng) -> int:
        return rng.choices(range(len(self.people)), cum_weights=self.author_weights)[0]

    def _original(self, rng) -> Posted | None:
        i = self._author(rng)
        person = self.people[i]
        if person.script != "latin" and rng.random() < 0.6:
            first, topic = rng.choice(CJK_LINES[person.script])
            language = person.script
        else:
            topic = rng.choice(person.interests) if rng.random() < 0.75 else rng.choice(TOPIC_NAMES)
            first, language = sentence(rng, topic), "en"
        extras = []
        if language == "en" and rng.random() < 0.3:
            extras.append(sentence(rng, topic, unlike=first))
        if rng.random() < 0.12 and (mentioned := self._someone_to_mention(rng, i)) is not None:
            extras.append(rng.choice(MENTIONS).format(u=self.people[mentioned].user.username))
        if rng.random() < 0.1:
            extras.append(link(rng, first))
        if rng.random() < 0.25:
            extras.append(rng.choice(EMOJI))
        if rng.random() < 0.45:
            extras.append(hashtags(rng, topic))
        # The first tweet always, and a few more, go out with a typo that gets edited away.
        typo = with_typo(rng, first) if not self.edits or rng.random() < 0.015 else None
        text = fit([typo or first, *extras])
        roll = rng.random()
        visibility = Visibility.UNLISTED if roll < 0.03 else Visibility.PRIVATE if roll < 0.06 else None
        tweet = self.attempt(
            tweets_services.post_tweet, person.user, text, visibility=visibility, language=language
        )
        if tweet is None:
            return None
        posted = Posted(tweet, i, topic)
        if typo:
            self.edits.append((posted, fit([first, *extras])))
        return posted

    def _someone_to_mention(self, rng, i: int) -> int | None:
        if self.following[i] and rng.random() < 0.7:
            j = rng.choice(self.following[i])
        else:
            j = rng.choices(range(len(self.people)), cum_weights=self.fame_weights)[0]
        return None if j == i else j

    def _pick_recent(self, rng, *, open_only: bool = False) -> Posted | None:
        """A recent tweet to answer: newer and better-known authors first, replies a bit more."""
        candidates = [
            p for p in list(self.recent)[-150:] if not open_only or p.tweet.visibility != Visibility.PRIVATE
        ]
        if not candidates:
            return None
        top = max(p.popularity for p in self.people)
        weights = [
            (0.15 + self.people[p.author].popularity / top)
            * 0.98 ** (len(candidates) - k)
            * (1.6 if p.depth else 1)
            for k, p in enumerate(candidates)
        ]
        return rng.choices(candidates, weights=weights)[0]

    def _reply(self, rng) -> Posted | None:
        parent = self._pick_recent(rng)
        fans = self.followers[parent.author]
        followers_only = parent.tweet.visibility == Visibility.PRIVATE
        if rng.random() < 0.3 or (followers_only and not fans):
            i = parent.author
        elif fans and (followers_only or rng.random() < 0.7):
            i = rng.choice(fans)
        else:
            i = self._author(rng)
        person, language = self.people[i], "en"
        if i == parent.author:
            part = max(parent.part, 1) + 1
            text = fit(
                [
                    f"{part}/ {sentence(rng, parent.topic, unlike=parent.tweet.text)}",
                    hashtags(rng, parent.topic),
                ]
            )
        else:
            part = 0
            mention = f"@{self.people[parent.author].user.username}"
            if person.script != "latin" and rng.random() < 0.5:
                text, language = f"{mention} {rng.choice(CJK_REPLIES[person.script])}", person.script
            else:
                extra = [sentence(rng, parent.topic, unlike=parent.tweet.text)] if rng.random() < 0.35 else []
                text = fit([f"{mention} {rng.choice(REPLIES)}", *extra])
        tweet = self.attempt(
            tweets_services.post_tweet, person.user, text, in_reply_to=parent.tweet, language=language
        )
        if tweet is None:
            return None
        return Posted(tweet, i, parent.topic, depth=parent.depth + 1, part=part)

    def _quote(self, rng) -> Posted | None:
        quoted = self._pick_recent(rng, open_only=True)
        i = self._author(rng)
        if quoted is None or i == quoted.author:
            return None
        extras = [sentence(rng, quoted.topic, unlike=quoted.tweet.text)] if rng.random() < 0.4 else []
        if rng.random() < 0.3:
            extras.append(hashtags(rng, quoted.topic))
        text = fit([rng.choice(QUOTES), *extras])
        tweet = self.attempt(
            tweets_services.post_tweet, self.people[i].user, text, quote_of=quoted.tweet, language="en"
        )
        return None if tweet is None else Posted(tweet, i, quoted.topic)

    def _schedule(self, rng, posted: Posted, step: int) -> None:
        """Plan likes and retweets for the next few dozen steps, mostly from the author's followers."""
        author, fans = posted.author, self.followers[posted.author]
        open_to_all = posted.tweet.visibility != Visibility.PRIVATE
        virality = rng.lognormvariate(0, 0.9) * (0.4 if posted.depth else 1)
        n_likes = min(len(self.people) - 1, poisson(rng, (0.08 + 0.02 * len(fans)) * virality))
        n_retweets = poisson(rng, (0.01 + 0.005 * len(fans)) * virality) if open_to_all else 0
        if not (open_to_all or fans):
            n_likes = 0
        for action, wanted in (("like", n_likes), ("retweet", min(len(self.people) - 1, n_retweets))):
            chosen: set[int] = set()
            for _ in range(3 * wanted):
                if len(chosen) >= wanted:
                    break
                from_fans = fans and (not open_to_all or rng.random() < 0.75)
                j = rng.choice(fans) if from_fans else self._author(rng)
                if j != author:
                    chosen.add(j)
            for j in sorted(chosen):
                due = step + 1 + int(rng.expovariate(1 / 30))
                heapq.heappush(self.queue, (due, next(self.order), action, j, posted.tweet))

    def _engage_until(self, step: int) -> None:
        while self.queue and self.queue[0][0] <= step:
            _, _, action, i, tweet = heapq.heappop(self.queue)
            self._engage(action, i, tweet)

    def _engage(self, action: str, i: int, tweet: Tweet) -> None:
        service = tweets_services.like if action == "like" else tweets_services.retweet
        self.attempt(service, self.people[i].user, tweet)

    def edit(self) -> None:
        with transaction.atomic():
            for posted, text in self.progress(self.edits, desc="edits"):
                self.attempt(tweets_services.edit_tweet, self.people[posted.author].user, posted.tweet, text)


def _cumulative(values):
    total = 0.0
    for value in values:
        total += value
        yield total


class Command(BaseCommand):
    help = "Fill the database with demo users, follows, tweets, replies, likes and retweets."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=150, help="Accounts besides demo and staff (150).")
        parser.add_argument(
            "--tweets",
            type=int,
            default=1500,
            help="Tweets, replies and quotes; retweets come on top (1500).",
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed: same seed, same data (42).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if there are users already.")

    def handle(self, *args, **options):
        if options["users"] < 0 or options["tweets"] < 0:
            raise CommandError("--users and --tweets can't be negative.")
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database already has users: nothing seeded (--if-empty).")
            return
        started = time.monotonic()
        progress = partial(
            tqdm, file=options.get("stderr") or sys.stderr, disable=options["verbosity"] == 0, leave=False
        )
        network = DemoNetwork(options["seed"], progress)
        network.create_users(options["users"])
        network.build_follow_graph()
        network.post(options["tweets"])
        network.edit()
        self._summary(time.monotonic() - started, network.skipped)

    def _summary(self, seconds: float, skipped: int) -> None:
        originals = Tweet.objects.filter(retweet_of__isnull=True)
        counts = {
            "users": User.objects.count(),
            "protected": User.objects.filter(is_protected=True).count(),
            "follows": Follow.objects.count(),
            "pending follow requests": FollowRequest.objects.count(),
            "blocks": Block.objects.count(),
            "mutes": Mute.objects.count(),
            "tweets": originals.count(),
            "replies": originals.filter(in_reply_to__isnull=False).count(),
            "quotes": originals.filter(quote_of__isnull=False).count(),
            "retweets": Tweet.objects.filter(retweet_of__isnull=False).count(),
            "likes": Like.objects.count(),
            "edits": TweetVersion.objects.count(),
            "hashtags": Hashtag.objects.count(),
        }
        self.stdout.write(
            self.style.SUCCESS(f"Seeded in {seconds:.1f}s ({skipped} disallowed random picks skipped).")
        )
        self.stdout.write("Now in the database: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + ".")
        self.stdout.write(
            f"Log in as {DEMO_USERNAME} / {DEMO_PASSWORD} (a regular user) or "
            f"{ADMIN_USERNAME} / {ADMIN_PASSWORD} (superuser). "
            f"Generated accounts use the password {DEMO_PASSWORD} too."
        )
