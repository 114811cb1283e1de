"""Reads of the daily aggregates, for the account owner's analytics page.

Every function takes the account whose figures it reads; the caller (the
page) passes the signed-in user, so nobody reads another account's figures.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import User

from ..models import AccountDay, TweetDay

PERIODS = (7, 28, 90)
DEFAULT_PERIOD = 28
# Figures of an AccountDay, in the order the page shows them.
FIGURES = (
    "impressions",
    "engagements",
    "likes",
    "retweets",
    "replies",
    "quotes",
    "profile_visits",
    "new_followers",
    "tweets",
)
ENGAGEMENTS = F("likes") + F("retweets") + F("replies") + F("quotes")


@dataclass(frozen=True)
class Period:
    """The `days` days ending on `last`, both ends included (UTC days)."""

    days: int
    last: date

    @property
    def first(self) -> date:
        return self.last - timedelta(days=self.days - 1)

    @property
    def previous(self) -> "Period":
        return Period(self.days, self.first - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range(self.days)]


def _figure_sums(period: Period) -> dict:
    in_period = Q(day__range=(period.first, period.last))
    sums = {name: Coalesce(Sum(name, filter=in_period), 0) for name in FIGURES if name != "engagements"}
    sums["engagements"] = Coalesce(Sum(ENGAGEMENTS, filter=in_period), 0)
    return sums


@dataclass(frozen=True)
class Total:
    name: str
    value: int
    previous: int

    @property
    def change_percent(self) -> int | None:
        """Change against the previous period in whole percent; None when
        there was nothing before to compare with."""
        if not self.previous:
            return None
        return round((self.value - self.previous) * 100 / self.previous)


def totals(user: User, period: Period) -> dict[str, Total]:
    """Each figure summed over `period` and over the period before it (one query)."""
    rows = AccountDay.objects.filter(user=user, day__range=(period.previous.first, period.last))
    current = {f"now_{name}": value for name, value in _figure_sums(period).items()}
    before = {f"before_{name}": value for name, value in _figure_sums(period.previous).items()}
    found = rows.aggregate(**current, **before)
    return {name: Total(name, found[f"now_{name}"], found[f"before_{name}"]) for name in FIGURES}


def daily(user: User, period: Period) -> list[dict]:
    """One dict of figures per day of `period`, oldest first; zeros for days
    without a row."""
    rows = {
        row["day"]: row
        for row in AccountDay.objects.filter(user=user, day__range=(period.first, period.last))
        .annotate(engagements=ENGAGEMENTS)
        .values("day", *FIGURES)
    }
    empty = dict.fromkeys(FIGURES, 0)
    return [{**empty, **rows.get(day, {}), "day": day} for day in period.dates()]


def top_tweets(user: User, period: Period, *, by: str, limit: int = 5) -> list[dict]:
    """The user's tweets (not deleted) with the most `by` ("impressions" or
    "engagements") over `period`, with their sums and text."""
    rows = (
        TweetDay.objects.filter(
            author=user, day__range=(period.first, period.last), tweet__deleted_at__isnull=True
        )
        .values("tweet_id", "tweet__text", "tweet__created_at")
        .annotate(
            impressions=Sum("impressions"),
            engagements=Sum(ENGAGEMENTS),
            likes=Sum("likes"),
            retweets=Sum("retweets"),
            replies=Sum("replies"),
            quotes=Sum("quotes"),
        )
        .filter(**{f"{by}__gt": 0})
    )
    other = "engagements" if by == "impressions" else "impressions"
    return list(rows.order_by(f"-{by}", f"-{other}", "-tweet_id")[:limit])
