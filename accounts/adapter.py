from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks. Usernames are checked by the model's own validators."""

    def is_open_for_signup(self, request):
        return settings.REGISTRATION_OPEN
