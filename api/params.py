"""Request parameters as Mastodon clients send them: forms or JSON, arrays as
`name[]` or `name`, booleans as "true"/"1"/true, ids as strings."""

from django.http import Http404
from rest_framework.exceptions import ValidationError

TRUE = {"true", "1", "on", "yes", "t"}
FALSE = {"false", "0", "off", "no", "f", ""}


def boolean(value, name: str = "value") -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValidationError({name: "must be true or false"})


def flag(data, name: str, default: bool = False) -> bool:
    """A boolean parameter of a query dict or a JSON body, absent -> default."""
    value = data.get(name)
    return default if value is None else boolean(value, name)


def text(data, name: str, default: str = "") -> str:
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str | int | float):
        raise ValidationError({name: "must be a string"})
    return str(value)


def listing(data, name: str) -> list[str]:
    """`name[]=a&name[]=b` in a form or query, `{"name": [...]}` in JSON."""
    if hasattr(data, "getlist"):
        return data.getlist(f"{name}[]") or data.getlist(name)
    value = data.get(name, data.get(f"{name}[]"))
    if value is None:
        return []
    if isinstance(value, str | int):
        return [str(value)]
    if not isinstance(value, list):
        raise ValidationError({name: "must be a list"})
    return [str(item) for item in value]


def object_id(raw) -> int:
    """An id from a URL or body; one that cannot exist is "Record not found", as in Mastodon."""
    try:
        value = int(str(raw))
    except ValueError:
        raise Http404 from None
    if not 0 < value < 2**63:
        raise Http404
    return value
