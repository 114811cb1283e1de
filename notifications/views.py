"""Notification pages: the list (grouped), its badge, and the preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import PreferencesForm
from .models import Kind

PAGE_SIZE = 20
TABS = {"all": None, "mentions": (Kind.REPLY, Kind.MENTION, Kind.QUOTE)}


def _cursor(request) -> int | None:
    value = request.GET.get("max_id")
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        raise BadRequest("max_id must be a notification id.")
    return int(value)


@login_required
def notifications(request, tab="all"):
    """Newest first, grouped; opening the page marks everything read."""
    max_id = _cursor(request)
    page = selectors.grouped_page(request.user, kinds=TABS[tab], max_id=max_id, limit=PAGE_SIZE)
    last_read = selectors.last_read_id(request.user)
    context = {"page": page, "last_read": last_read, "tab": tab}
    if request.htmx and (max_id is not None or request.GET.get("fragment")):
        return render(request, "notifications/_groups.html", context)
    if page.groups and max_id is None:
        services.mark_read(request.user, page.groups[0].latest.pk)
    return render(request, "notifications/list.html", context)


@login_required
def badge(request):
    """The unread count in the navigation, refreshed live."""
    return render(
        request, "notifications/_badge.html", {"count": selectors.unread_count(request.user, cap=99)}
    )


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(request.user)
    if request.htmx:
        return render(request, "notifications/_badge.html", {"count": 0})
    return redirect("notifications")


@login_required
def preferences(request):
    current = selectors.preferences(request.user)
    form = PreferencesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(request.user, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Notification settings saved.")
            return redirect("settings_notifications")
    return render(request, "notifications/preferences.html", {"form": form})
