"""The compose forms' attachment: one picture or video with its alt text,
for the tweet box and the message box alike."""

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms

from accounts.models import User

from . import services
from .models import MAX_DESCRIPTION_LENGTH


class AttachmentForm(forms.Form):
    """A base for forms that take one file from the page; media.validation
    judges its content when it is uploaded, not the form."""

    media_file = forms.FileField(
        label="Add a photo or video",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,video/*"}
        ),
    )
    media_description = forms.CharField(
        label="Describe it (alt text)", required=False, max_length=MAX_DESCRIPTION_LENGTH, strip=True
    )

    @contextmanager
    def uploaded(self, owner: User) -> Iterator[list[str] | None]:
        """Upload the valid form's file as `owner`'s and give its id, as the
        `media` list a post or message takes (None without a file). When the
        block raises (the post or message was refused), the upload is
        deleted again, so nothing is left behind: call it outside the
        block's transaction, whose rollback must not undo that deletion.
        Raises ValidationError for a file media.services.upload refuses."""
        file = self.cleaned_data.get("media_file")
        if not file:
            yield None
            return
        upload = services.upload(owner, file, description=self.cleaned_data["media_description"])
        try:
            yield [str(upload.pk)]
        except BaseException:
            services.delete(owner, upload.pk)
            raise
