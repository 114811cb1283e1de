from functools import cache

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from tweets import fragments
from tweets.attachments import tweet_media
from tweets.text import render_html

register = template.Library()


@register.filter
def tweet_html(tweet) -> str:
    """The tweet's text as safe HTML: escaped, with hashtags, mentions and URLs linked."""
    return mark_safe(  # noqa: S308 - render_html escapes every character of user text
        render_html(
            tweet.text,
            tweet.entities or {},
            hashtag_url=lambda tag: turl("hashtag", tag),
            profile_url=lambda username: turl("profile", username),
        )
    )


@register.filter
def media(tweet) -> list:
    return tweet_media(tweet)


@register.simple_tag(takes_context=True)
def tweet_list(context, rows):
    """Each row as "tweets/_tweet.html" renders it, through the fragment cache."""
    return fragments.render_rows(context["request"], rows)


@register.filter
def original(row):
    """The tweet a row shows: the retweeted original, or the row itself."""
    return row.shown


# Digits, so that int converters accept them as well as str ones.
PLACEHOLDER = "90817263545362718{}"


@cache
def _url_pattern(name: str, arity: int) -> str:
    return reverse(name, args=[PLACEHOLDER.format(i) for i in range(arity)])


@register.simple_tag
def turl(name, *args):
    """`{% url %}` for the tags a timeline repeats per tweet, reversed once.

    Each route is reversed once with placeholder arguments and then filled
    in; urls.py stays the only place that knows the paths. (Reversing ~190
    URLs a page took a third of its rendering time.) Arguments are ids and
    usernames, which need no quoting.
    """
    url = _url_pattern(name, len(args))
    for i, value in enumerate(args):
        url = url.replace(PLACEHOLDER.format(i), str(value))
    return url
