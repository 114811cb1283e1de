from django.apps import AppConfig


class TweetsConfig(AppConfig):
    name = "tweets"
    verbose_name = "Tweets"

    def ready(self):
        from . import lookups  # noqa: F401 - registers the `__any` lookup
