from django.apps import AppConfig


class TrendsConfig(AppConfig):
    name = "trends"
    verbose_name = "Trends and analytics"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal receivers
        from .analytics import receivers as _analytics  # noqa: F401
