"""Trends as Mastodon's API shows them: a trending tag is a Tag with its history."""

from tweets.api.serializers import tag_json

from ..selectors import Trend


def trend_tag_json(trend: Trend, request) -> dict:
    """Mastodon's Tag, its `history` a week of days, newest first, every
    number a string as Mastodon sends them."""
    return {
        **tag_json(trend.hashtag, request),
        "history": [
            {"day": str(int(day.day.timestamp())), "uses": str(day.uses), "accounts": str(day.accounts)}
            for day in trend.history
        ],
    }
