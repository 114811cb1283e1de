from django.apps import AppConfig


class TweetsConfig(AppConfig):
    name = "tweets"
    verbose_name = "Tweets"

    def ready(self):
        from . import cache  # noqa: F401 - forgets cached tweets when they are saved
