"""{% messages_badge %}: the navigation's count of unread conversations."""

from django import template

from messaging import selectors

register = template.Library()


@register.inclusion_tag("messaging/_badge.html", takes_context=True)
def messages_badge(context):
    return {"count": selectors.unread_conversations(context["request"].user)}
