"""Timeline state kept in PostgreSQL: read markers.

The timelines themselves live in Redis (timelines.store) and are rebuilt
from tweets; a marker is the one thing a reader writes.
"""

from django.conf import settings
from django.db import models


class Marker(models.Model):
    """Where a user stopped reading a timeline, shared between their apps
    (Mastodon's Marker). `version` grows by one with every change."""

    class Timeline(models.TextChoices):
        HOME = "home", "Home"
        NOTIFICATIONS = "notifications", "Notifications"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="markers")
    timeline = models.CharField(max_length=16, choices=Timeline.choices)
    last_read_id = models.BigIntegerField(help_text="A tweet id (home) or a notification id.")
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "timeline"], name="timelines_marker_one_per_timeline"),
        ]

    def __str__(self):
        return f"{self.user_id} read {self.timeline} up to {self.last_read_id}"
