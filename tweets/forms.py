from django import forms

from media.models import MAX_DESCRIPTION_LENGTH

from .text import MAX_WEIGHT


class TweetForm(forms.Form):
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
    # One picture or video from the page; media.validation judges the content.
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


class EditTweetForm(forms.Form):
    text = forms.CharField(
        label="Edit tweet",
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
        max_length=MAX_WEIGHT * 8,
    )
