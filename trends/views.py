"""The trends page: every current trend, linking to its hashtag timeline."""

from django.shortcuts import render

from . import selectors


def trends(request):
    return render(request, "trends/trends.html", {"current": selectors.current_trends()})
