"""Notification pages: the list (grouped), its badge, the preferences, and
Web Push for this browser (its service worker and subscription)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST

from accounts.pages import id_param

from . import push, selectors, services
from .forms import PreferencesForm
from .models import Kind

PAGE_SIZE = 20
TABS = {"all": None, "mentions": (Kind.REPLY, Kind.MENTION, Kind.QUOTE)}


@login_required
def notifications(request, tab="all"):
    """Newest first, grouped. The first page, opened or refreshed live, marks
    everything read: what arrives while the page is open is seen."""
    max_id = id_param(request, "max_id", of="notification")
    page = selectors.grouped_page(request.user, kinds=TABS[tab], max_id=max_id, limit=PAGE_SIZE)
    last_read = selectors.last_read_id(request.user)
    refreshed = bool(request.GET.get("fragment"))
    context = {"page": page, "last_read": last_read, "tab": tab, "refreshed": refreshed}
    if page.groups and max_id is None:
        services.mark_read(request.user, page.groups[0].latest.pk)
    if request.htmx and (max_id is not None or refreshed):
        return render(request, "notifications/_groups.html", context)
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
    context = {"form": form, "push_key": push.server_key() if push.enabled() else ""}
    return render(request, "notifications/preferences.html", context)


def service_worker(request):
    """Served from the root so that it may show notifications for every page."""
    script = render_to_string("notifications/sw.js", request=request)
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_http_methods(["POST", "DELETE"])
def browser_push(request):
    """POST: this browser's PushSubscription (as its toJSON() gives it);
    DELETE {"endpoint"}: forget it. JSON errors for the page's script."""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "Send the subscription as JSON."}, status=400)
    if not isinstance(data, dict) or not isinstance(data.get("endpoint"), str):
        return JsonResponse({"error": "The subscription has no endpoint."}, status=422)
    if request.method == "DELETE":
        push.unsubscribe_browser(request.user, data["endpoint"])
        return HttpResponse(status=204)
    if not push.enabled():
        return JsonResponse({"error": "Push notifications are not available on this server."}, status=422)
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    try:
        push.subscribe_browser(
            request.user,
            # Browsers encrypt with aes128gcm (RFC 8291).
            push.Keys(
                data["endpoint"], str(keys.get("p256dh", "")), str(keys.get("auth", "")), standard=True
            ),
        )
    except ValidationError as error:
        problems = [
            f"{field} {message}" for field, messages in error.message_dict.items() for message in messages
        ]
        return JsonResponse({"error": "The subscription's " + "; ".join(problems) + "."}, status=422)
    return HttpResponse(status=204)
