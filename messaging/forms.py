"""Inputs of the messaging pages; the rules are checked by messaging.services."""

import re

from django import forms

from accounts.selectors import active_users
from media.forms import AttachmentForm

from .models import MAX_PARTICIPANTS, WhoMayMessage
from .services import MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH


class UsernamesField(forms.CharField):
    """ "@ann, bob": the active accounts named, in order, each once."""

    def clean(self, value):
        value = super().clean(value)
        names = list(dict.fromkeys(n.lstrip("@").lower() for n in re.split(r"[\s,]+", value or "") if n))
        if not names:
            raise forms.ValidationError("Name at least one person.", code="required")
        if len(names) > MAX_PARTICIPANTS:
            raise forms.ValidationError(f"A group has at most {MAX_PARTICIPANTS} people.", code="too_many")
        found = {u.username.lower(): u for u in active_users().filter(username__iregex=_any_of(names))}
        missing = [f"@{name}" for name in names if name not in found]
        if missing:
            raise forms.ValidationError(f"No account {', '.join(missing)}.", code="unknown")
        return [found[name] for name in names]


def _any_of(names: list[str]) -> str:
    return r"^(" + "|".join(re.escape(name) for name in names) + r")$"


class MessageForm(AttachmentForm):
    """A message: text, a picture or video (AttachmentForm), or both."""

    text = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Write a message"}),
        # The service strips and checks; a generous cap keeps huge posts out.
        max_length=MAX_MESSAGE_LENGTH * 2,
        required=False,
    )


class NewConversationForm(MessageForm):
    to = UsernamesField(label="To", help_text="Usernames, separated by commas.", max_length=2000)
    title = forms.CharField(label="Group name (optional)", required=False, max_length=MAX_TITLE_LENGTH)


class AddPeopleForm(forms.Form):
    usernames = UsernamesField(
        label="Add people", help_text="Usernames, separated by commas.", max_length=2000
    )


class WhoMayMessageForm(forms.Form):
    who = forms.ChoiceField(
        label="Who can message you", choices=WhoMayMessage.choices, widget=forms.RadioSelect
    )
