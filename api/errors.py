"""Every API error as Mastodon sends it: a status and `{"error": "..."}`."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

NOT_FOUND = "Record not found"
INVALID_TOKEN = "The access token is invalid"  # noqa: S105 - a message, not a secret


class Unprocessable(exceptions.APIException):
    """422: the request was understood but its content breaks a rule."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "Validation failed"


def _message(detail) -> str:
    """One readable sentence from DRF's nested error details."""
    if isinstance(detail, dict):
        parts = []
        for field, value in detail.items():
            text = _message(value)
            parts.append(text if field in ("non_field_errors", "detail") else f"{field}: {text}")
        return "; ".join(parts)
    if isinstance(detail, list):
        return " ".join(_message(item) for item in detail)
    return str(detail)


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items())
    return " ".join(error.messages)


def _detail(code, message) -> dict:
    return {"error": f"ERR_{str(code or 'invalid').upper()}", "description": str(message)}


def _validation_details(error: ValidationError) -> dict:
    """Mastodon's `details`: {field: [{"error": "ERR_CODE", "description": ...}]}."""
    if hasattr(error, "error_dict"):
        return {
            field: [_detail(e.code, " ".join(e.messages)) for e in errors]
            for field, errors in error.error_dict.items()
        }
    return {}


def _drf_details(detail) -> dict:
    if not isinstance(detail, dict):
        return {}
    return {
        field: [
            _detail(getattr(item, "code", None), item)
            for item in (value if isinstance(value, list) else [value])
        ]
        for field, value in detail.items()
    }


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: map domain and framework errors to Mastodon's."""
    headers = {}
    details = None
    if isinstance(exc, Http404):
        code, message = 404, NOT_FOUND
    elif isinstance(exc, PermissionDenied):
        code, message = 403, str(exc) or "This action is not allowed"
    elif isinstance(exc, ValidationError):
        code, message, details = 422, _validation_message(exc), _validation_details(exc)
    elif isinstance(exc, exceptions.ParseError):
        code, message = 400, _message(exc.detail)
    elif isinstance(exc, exceptions.ValidationError):
        # Malformed parameters (a limit that is not a number...) are the
        # client's fault in a way Mastodon reports as 422 or 400; 422 says
        # "we understood the request and refuse its content".
        code, message, details = 422, _message(exc.detail), _drf_details(exc.detail)
    elif isinstance(exc, exceptions.APIException):
        code, message = exc.status_code, _message(exc.detail)
        if isinstance(exc, exceptions.Throttled):
            message = "Too many requests"  # without DRF's "Expected available in..."
            if exc.wait is not None:
                headers["Retry-After"] = str(max(1, int(exc.wait)))
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            code = 401
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
    else:
        return None  # a bug: let Django log it and answer 500
    body = {"error": message}
    if code == 422:
        body["details"] = details or {}
    return Response(body, status=code, headers=headers)
