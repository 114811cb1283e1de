from django import forms

from media.forms import AttachmentForm
from media.models import MAX_DESCRIPTION_LENGTH
from media.services import MediaChange

from .text import MAX_WEIGHT


class TweetForm(AttachmentForm):
    """Input of the compose box; the rules are checked by tweets.services."""

    text = forms.CharField(
        label="What's happening?",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What's happening?"}),
        strip=False,
        required=False,
        # Generous raw cap: the weighted limit (MAX_WEIGHT) is the real one.
        max_length=MAX_WEIGHT * 8,
    )
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quote_of = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditTweetForm(forms.Form):
    """The edit page: the text, and for each attachment the tweet shows its
    alt text and a box to remove it (tweets.services.edit_tweet checks)."""

    text = forms.CharField(
        label="Edit tweet",
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
        # Empty is fine while the tweet keeps media; the service says so otherwise.
        required=False,
        max_length=MAX_WEIGHT * 8,
    )

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attachments = list(attachments)
        for item in self.attachments:
            self.fields[f"alt_{item.pk}"] = forms.CharField(
                label="Alt text",
                required=False,
                max_length=MAX_DESCRIPTION_LENGTH,
                strip=True,
                initial=item.description,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"remove_{item.pk}"] = forms.BooleanField(label="Remove", required=False)

    def attachment_fields(self) -> list:
        """(attachment, its alt text field, its remove box), for the template."""
        return [(item, self[f"alt_{item.pk}"], self[f"remove_{item.pk}"]) for item in self.attachments]

    def media_edit(self) -> tuple[list[str] | None, list[MediaChange]]:
        """The media ids to keep and their alt texts, for edit_tweet (None: no media)."""
        if not self.attachments:
            return None, []
        kept = [item for item in self.attachments if not self.cleaned_data[f"remove_{item.pk}"]]
        return [str(item.pk) for item in kept], [
            MediaChange(id=str(item.pk), description=self.cleaned_data[f"alt_{item.pk}"]) for item in kept
        ]
