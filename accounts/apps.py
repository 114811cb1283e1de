from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import (
            cache,  # noqa: F401 - forgets cached accounts and tokens when they change
            lookups,  # noqa: F401 - registers the `__any` lookup
        )
        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
