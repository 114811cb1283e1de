from allauth.account import forms as allauth_forms
from django import forms

from .validators import validate_avatar, validate_header


class ProfileForm(forms.Form):
    """Profile settings; accounts.services.update_profile does the saving."""

    display_name = forms.CharField(label="Name", max_length=50, required=False)
    bio = forms.CharField(max_length=160, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    location = forms.CharField(max_length=30, required=False)
    website = forms.URLField(max_length=100, required=False, assume_scheme="https")
    avatar = forms.FileField(
        label="Profile picture",
        required=False,
        validators=[validate_avatar],
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    header = forms.FileField(
        label="Header image",
        required=False,
        validators=[validate_header],
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    is_protected = forms.BooleanField(
        label="Protect my tweets",
        required=False,
        help_text="Only people you approve will see your tweets.",
    )


class LoginForm(allauth_forms.LoginForm):
    """allauth's log-in form with a label that says what to type."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
