from django import forms

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


class EditTweetForm(forms.Form):
    text = forms.CharField(
        label="Edit tweet",
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
        max_length=MAX_WEIGHT * 8,
    )
