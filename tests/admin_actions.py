"""Driving the Django admin in tests: its URLs, posting list actions, reading results."""

from django.urls import reverse


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def run_action(client, model, action, objects):
    """Post an action from the list page and land on the list again, as a browser does."""
    return client.post(
        changelist_url(model),
        {"action": action, "index": 0, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def action_names(response):
    if response.context["action_form"] is None:  # no action at all for this user
        return set()
    return {name for name, _label in response.context["action_form"].fields["action"].choices if name}


def messages_of(response):
    return [(m.level, m.message) for m in response.context["messages"]]
