from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "timelines"
    verbose_name = "Timelines"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal receivers
