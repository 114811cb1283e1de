"""Small pieces every app's page views share (accounts is the lowest layer)."""

from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, fallback: str):
    """Redirect to the page the form was posted from, if it is ours."""
    target = request.POST.get("next") or request.headers.get("Referer")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def id_param(request, name: str, *, of: str = "tweet") -> int | None:
    """A page's cursor (`?max_id=`), an id of a `tweet` or other row; BadRequest when not one."""
    value = request.GET.get(name)
    if value in (None, ""):
        return None
    # isascii: str.isdigit() also accepts "²" and other digits int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        raise BadRequest(f"{name} must be a {of} id.")
    return int(value)
