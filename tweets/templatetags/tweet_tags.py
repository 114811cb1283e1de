from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from tweets.text import render_html

register = template.Library()


@register.filter
def tweet_html(tweet) -> str:
    """The tweet's text as safe HTML: escaped, with hashtags, mentions and URLs linked."""
    return mark_safe(  # noqa: S308 - render_html escapes every character of user text
        render_html(
            tweet.text,
            tweet.entities or {},
            hashtag_url=lambda tag: reverse("hashtag", args=[tag]),
            profile_url=lambda username: reverse("profile", args=[username]),
        )
    )


@register.filter
def original(row):
    """The tweet a row shows: the retweeted original, or the row itself."""
    return row.retweet_of if row.retweet_of_id else row
