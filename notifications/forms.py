from django import forms

from .models import OPTIONAL_KINDS, Preference


class PreferencesForm(forms.Form):
    """One choice per kind of notification: whom to hear from."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in OPTIONAL_KINDS:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Preference.Who.choices, widget=forms.RadioSelect
            )
