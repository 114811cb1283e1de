"""System checks: the master keys are readable (messaging.crypto) before a
message needs them, so a bad deployment fails at start, not at the first
message."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from . import crypto


@register()
def master_keys(app_configs, **kwargs):
    if not settings.MESSAGING_MASTER_KEYS:
        return [
            Warning(
                "MESSAGING_MASTER_KEYS is empty: direct messages can be neither sent nor read.",
                hint="Set it to 'k1:' followed by `openssl rand -base64 32` (README, Configuration).",
                id="messaging.W001",
            )
        ]
    try:
        crypto.master_keys()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="messaging.E001")]
    return []
