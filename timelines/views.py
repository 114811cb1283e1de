"""Timeline pages: home, explore (public), profiles and hashtags.

Every list pages by tweet id with a "Show more" link (`?max_id=`) that htmx
loads in place; without JavaScript it is an ordinary link.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from accounts import selectors as account_selectors
from accounts.pages import id_param
from accounts.signals import profile_viewed
from tweets import selectors as tweet_selectors
from tweets.forms import TweetForm
from tweets.signals import send_tweets_shown

from . import selectors


def _render_timeline(request, template, queryset, context, *, key="id"):
    page = tweet_selectors.page_by_id(
        queryset, max_id=id_param(request, "max_id"), limit=settings.TIMELINE_PAGE_SIZE, key=key
    )
    context = {**context, "page": page}
    send_tweets_shown(request.user, page.items)
    if request.htmx and request.GET.get("max_id"):
        return render(request, "timelines/_page.html", context)
    return render(request, template, context)


def home(request):
    if not request.user.is_authenticated:
        return redirect("explore")
    max_id = id_param(request, "max_id")
    page = selectors.home_page(request.user, max_id=max_id, limit=settings.TIMELINE_PAGE_SIZE)
    context = {"page": page, "form": TweetForm(), "newest_id": page.items[0].pk if page.items else 0}
    send_tweets_shown(request.user, page.items)
    if request.htmx and max_id is not None:
        return render(request, "timelines/_page.html", context)
    return render(request, "timelines/home.html", context)


@login_required
def home_new(request):
    """The "N new tweets" bar, polled by the home page."""
    since_id = id_param(request, "since_id") or 0
    count = selectors.count_new(request.user, since_id)
    return render(request, "timelines/_new_tweets.html", {"count": count, "since_id": since_id})


def explore(request):
    viewer = request.user if request.user.is_authenticated else None
    return _render_timeline(request, "timelines/explore.html", tweet_selectors.public_tweets(viewer), {})


def hashtag(request, tag):
    viewer = request.user if request.user.is_authenticated else None
    return _render_timeline(
        request, "timelines/hashtag.html", tweet_selectors.hashtag_tweets(viewer, tag), {"tag": tag.lower()}
    )


TABS = ("tweets", "replies", "likes")


def profile(request, username, tab="tweets"):
    user = account_selectors.get_active_user(username)
    if user is None:
        raise Http404("This account doesn't exist or is suspended.")
    if user.username != username:
        return redirect(request.path.replace(f"/{username}", f"/{user.username}", 1))
    viewer = request.user if request.user.is_authenticated else None
    if not request.htmx:  # a visit, not "Show more" within one
        profile_viewed.send(sender=type(user), user_id=user.pk, viewer_id=request.user.pk)
    rel = account_selectors.relationship(viewer, user)
    context = {"profile": user, "rel": rel, "tab": tab, "tabs": TABS}
    if not account_selectors.can_see_tweets_of(viewer, user):
        return render(request, "timelines/profile.html", {**context, "hidden": True})
    if tab == "likes":
        queryset, key = tweet_selectors.liked_tweets(viewer, user), "like_id"
    else:
        queryset = tweet_selectors.user_tweets(viewer, user, with_replies=tab == "replies")
        key = "id"
    return _render_timeline(request, "timelines/profile.html", queryset, context, key=key)
