"""The trends panel shown beside every page, and Twitter's short counts."""

from django import template

from .. import selectors

register = template.Library()

# Twitter's "What's happening" box shows a handful; the trends page shows all.
PANEL_SIZE = 5
UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K"))


def _short(n: int, unit: int, suffix: str) -> str:
    # Truncated, never rounded up: 99,999 is "99.9K", not "100.0K".
    whole, tenth = divmod(n * 10 // unit, 10)
    decimal = f".{tenth}" if tenth and whole < 100 else ""
    return f"{whole:,}{decimal}{suffix}"


@register.filter
def compact_count(value) -> str:
    """A count as Twitter shows it: 999, 1,234, 12.3K, 123K, 1.2M, 3.4B."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return value
    if n < 10_000:
        return f"{n:,}"
    unit, suffix = next((unit, suffix) for unit, suffix in UNITS if n >= unit)
    return _short(n, unit, suffix)


@register.inclusion_tag("trends/_panel.html", takes_context=True)
def trends_panel(context):
    """The top trends, for base.html's aside; nothing on the trends page itself."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is not None and match.url_name == "trends":
        return {"shown": False}
    return {"shown": True, "trends": selectors.current_trends().trends[:PANEL_SIZE]}
