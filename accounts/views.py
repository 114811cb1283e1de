"""Pages of accounts: follow buttons, follower lists, requests, settings.

Views parse input, call accounts.services / accounts.selectors and render.
A form posted by htmx gets the fragment it swaps; without JavaScript the
same form redirects back with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import applications, selectors, services
from .forms import ProfileForm
from .pages import error_text, redirect_back


def _get_user_or_404(username: str):
    user = selectors.get_active_user(username)
    if user is None:
        raise Http404("No such account.")
    return user


def _render_follow_button(request, target, *, error: str = ""):
    return render(
        request,
        "accounts/_follow_button.html",
        {"target": target, "rel": selectors.relationship(request.user, target), "error": error},
        status=422 if error else 200,
    )


def _graph_action(action):
    """A POST that changes the viewer's relation to /<username>/...; shared shape."""

    @login_required
    @require_POST
    def view(request, username):
        target = _get_user_or_404(username)
        error = ""
        try:
            action(request.user, target)
        except (ValidationError, PermissionDenied) as exc:
            error = error_text(exc) if isinstance(exc, ValidationError) else str(exc)
        if request.htmx:
            target.refresh_from_db()
            return _render_follow_button(request, target, error=error)
        if error:
            messages.error(request, error)
        return redirect_back(request, target.get_absolute_url())

    view.__name__ = action.__name__
    return view


follow = _graph_action(services.follow)
unfollow = _graph_action(services.unfollow)
block = _graph_action(services.block)
unblock = _graph_action(services.unblock)
mute = _graph_action(services.mute)
unmute = _graph_action(services.unmute)
remove_follower = _graph_action(services.remove_follower)


def _user_list(request, username, *, kind: str):
    user = _get_user_or_404(username)
    rel = selectors.relationship(request.user, user)
    viewer = request.user if request.user.is_authenticated else None
    hidden = rel.blocked_by or (user.is_protected and not (rel.is_self or rel.following))
    users = selectors.followers(user) if kind == "followers" else selectors.following(user)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    rels = selectors.relationships(viewer, page.object_list) if viewer and not hidden else {}
    return render(
        request,
        "accounts/user_list.html",
        {
            "profile": user,
            "rel": rel,
            "kind": kind,
            "hidden": hidden,
            "page": page,
            "rows": [] if hidden else [(u, rels.get(u.pk)) for u in page.object_list],
        },
    )


def followers(request, username):
    return _user_list(request, username, kind="followers")


def following(request, username):
    return _user_list(request, username, kind="following")


@login_required
def follow_requests(request):
    return render(
        request,
        "accounts/follow_requests.html",
        {"requests": selectors.pending_follow_requests(request.user)},
    )


def _request_answer(action, done_message):
    @login_required
    @require_POST
    def view(request, username):
        requester = _get_user_or_404(username)
        try:
            action(request.user, requester)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, done_message.format(username=requester.username))
        return redirect("follow_requests")

    view.__name__ = action.__name__
    return view


approve_follow_request = _request_answer(services.approve_follow_request, "@{username} now follows you.")
reject_follow_request = _request_answer(services.reject_follow_request, "Request from @{username} declined.")


@login_required
def settings_profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_profile(
                    user,
                    avatar=data.pop("avatar") or None,
                    header=data.pop("header") or None,
                    **data,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Your profile was saved.")
                return redirect("settings_profile")
    else:
        form = ProfileForm(initial={name: getattr(user, name) for name in services.PROFILE_FIELDS})
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "blocked": selectors.blocked_users(user)[:100],
            "muted": selectors.muted_users(user)[:100],
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
def settings_apps(request):
    """The apps that may use this account through the API, each revocable."""
    return render(
        request, "accounts/settings_apps.html", {"apps": applications.authorized_applications(request.user)}
    )


@login_required
@require_POST
def revoke_app(request, app_id: int):
    app = applications.authorized_applications(request.user).filter(pk=app_id).first()
    if app is None:
        raise Http404("No such authorized app.")
    applications.revoke_application(request.user, app)
    messages.success(request, f"{app.name} can no longer use your account.")
    return redirect("settings_apps")
