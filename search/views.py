"""The search page (Top, Latest, People and Hashtags tabs) and the compose
box's completion of @names and #tags.

A query that cannot mean anything gets its message on the page, never an
error page; every list pages with a "Show more" link that htmx loads in
place, an ordinary link without JavaScript.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render

from accounts.pages import id_param
from accounts.selectors import complete_accounts, search_accounts
from tweets.selectors import search_hashtags
from tweets.signals import send_tweets_shown

from . import selectors
from .forms import SearchForm
from .query import MAX_LENGTH, QueryError, parse

TABS = {"top": "Top", "latest": "Latest", "people": "People", "hashtags": "Hashtags"}
COMPLETIONS = 6
MAX_OFFSET = 10_000


def _offset(request) -> int:
    """The page's offset; an unusable one starts again from the top."""
    value = request.GET.get("offset", "")
    return int(value) if value.isascii() and value.isdigit() and int(value) <= MAX_OFFSET else 0


def _more_url(q: str, tab: str, **cursor) -> str:
    return "?" + urlencode({"q": q, "f": tab, **cursor})


def search(request):
    q, error = SearchForm(request.GET).query_text()
    tab = request.GET.get("f", "top")
    if tab not in TABS:
        tab = "top"
    context = {"q": q, "tab": tab, "tab_label": TABS[tab], "tabs": TABS, "max_length": MAX_LENGTH}
    if error:
        return render(request, "search/search.html", {**context, "q": "", "error": error})
    if not q:
        return render(request, "search/search.html", context)
    viewer = request.user if request.user.is_authenticated else None
    limit = settings.TIMELINE_PAGE_SIZE
    more_url = None
    if tab in ("top", "latest"):
        try:
            query = parse(q)
        except QueryError as error:
            return render(request, "search/search.html", {**context, "error": str(error)})
        results = selectors.search_tweets(
            viewer, query, order=tab, limit=limit, max_id=id_param(request, "max_id"), offset=_offset(request)
        )
        items = results.tweets
        send_tweets_shown(request.user, items)
        if results.next_max_id:
            more_url = _more_url(q, tab, max_id=results.next_max_id)
        elif results.next_offset:
            more_url = _more_url(q, tab, offset=results.next_offset)
    else:
        offset = _offset(request)
        if tab == "people":
            items = search_accounts(viewer, q.lstrip("@"), limit=limit + 1, offset=offset)
        else:
            items = search_hashtags(q, limit=limit + 1, offset=offset)
        if len(items) > limit:
            items = items[:limit]
            more_url = _more_url(q, tab, offset=offset + limit)
    context = {**context, "items": items, "more_url": more_url}
    if request.htmx and ("max_id" in request.GET or "offset" in request.GET):
        return render(request, "search/_results.html", context)
    return render(request, "search/search.html", context)


def complete(request):
    """Suggestions for the @name or #tag being typed in the compose box."""
    typed = SearchForm(request.GET).query_text()[0][:100]
    viewer = request.user if request.user.is_authenticated else None
    people, tags = [], []
    if typed.startswith("@") and len(typed) > 1:
        people = complete_accounts(viewer, typed[1:], limit=COMPLETIONS)
    elif typed.startswith("#") and len(typed) > 1:
        tags = search_hashtags(typed[1:], limit=COMPLETIONS)
    return render(request, "search/_complete.html", {"people": people, "tags": tags})
