"""The trends page: the trending hashtags, each linking to its hashtag
timeline, and the trending posts."""

from django.conf import settings
from django.shortcuts import render

from tweets.signals import send_tweets_shown

from . import posts, selectors


def trends(request):
    viewer = request.user if request.user.is_authenticated else None
    tweets = posts.trending_tweets(viewer, limit=settings.TRENDS_POSTS_LIMIT)
    send_tweets_shown(request.user, tweets)
    return render(request, "trends/trends.html", {"current": selectors.current_trends(), "posts": tweets})
