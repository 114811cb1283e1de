"""The analytics page: the signed-in account's own engagement over time.

It reads only request.user's figures; there is no URL for another
account's. The figures are the hourly roll-up's (trends.analytics.tasks),
so today's are at most about an hour behind.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import charts, counters, selectors

LABELS = {
    "impressions": "Impressions",
    "engagements": "Engagements",
    "likes": "Likes",
    "retweets": "Retweets",
    "replies": "Replies",
    "quotes": "Quotes",
    "profile_visits": "Profile visits",
    "new_followers": "New followers",
    "tweets": "Tweets",
}
CHARTED = ("impressions", "engagements", "profile_visits", "new_followers")


def _period_days(request) -> tuple[int, str]:
    """The ?days= choice, or the default with a message saying why."""
    raw = request.GET.get("days", "")
    if raw == "":
        return selectors.DEFAULT_PERIOD, ""
    if raw.isascii() and raw.isdigit() and int(raw) in selectors.PERIODS:
        return int(raw), ""
    choices = ", ".join(str(days) for days in selectors.PERIODS[:-1]) + f" or {selectors.PERIODS[-1]}"
    return selectors.DEFAULT_PERIOD, (
        f"“{raw[:20]}” is not a period you can choose: pick {choices} days. "
        f"Showing the last {selectors.DEFAULT_PERIOD} days."
    )


def _change(total: selectors.Total) -> str:
    if total.change_percent is None:
        return "new this period" if total.value else "none in either period"
    if total.change_percent == 0:
        return f"no change from {total.previous:,}"
    return f"{total.change_percent:+}% from {total.previous:,}"


def _rate(engagements: int, impressions: int) -> str:
    return f"{engagements * 100 / impressions:.1f}%" if impressions else "none yet"


@login_required
def analytics(request):
    days, error = _period_days(request)
    period = selectors.Period(days=days, last=counters.today())
    totals = selectors.totals(request.user, period)
    daily = selectors.daily(request.user, period)
    top = {
        by: [
            {**row, "rate": _rate(row["engagements"], row["impressions"])}
            for row in selectors.top_tweets(request.user, period, by=by)
        ]
        for by in ("impressions", "engagements")
    }
    context = {
        "period": period,
        "periods": selectors.PERIODS,
        "error": error,
        "totals": [
            {"label": LABELS[name], "value": totals[name].value, "change": _change(totals[name])}
            for name in selectors.FIGURES
        ],
        "rate": _rate(totals["engagements"].value, totals["impressions"].value),
        "charts": [
            charts.bar_chart(name, LABELS[name], [(row["day"], row[name]) for row in daily])
            for name in CHARTED
        ],
        "top_by_impressions": top["impressions"],
        "top_by_engagements": top["engagements"],
    }
    return render(request, "analytics/page.html", context)
