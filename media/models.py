"""Media attachments: an uploaded image or video, its processed renditions
and its alt text.

An attachment belongs to its owner until a service attaches it to one
thing that carries it: a tweet or a direct message, each a nullable
foreign key listed in ATTACHMENT_FIELDS. The original file
is kept as uploaded; the files people are shown (`file`, `thumbnail`) are
written by media.processing, in a Celery worker.
"""

from django.conf import settings
from django.db import models

# Mastodon's limit on alt text.
MAX_DESCRIPTION_LENGTH = 1500
# The foreign keys that attach an attachment to what carries it: an
# attachment with any of them set is no longer free to attach.
ATTACHMENT_FIELDS = ("tweet", "message")


class Kind(models.TextChoices):
    IMAGE = "image", "Image"
    # An animated GIF, converted to a silent looping MP4 (Mastodon's "gifv").
    GIFV = "gifv", "Animated GIF"
    VIDEO = "video", "Video"


class State(models.TextChoices):
    PENDING = "pending", "Waiting for processing"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class MediaAttachmentQuerySet(models.QuerySet):
    def unattached(self):
        return self.filter(**{f"{name}__isnull": True for name in ATTACHMENT_FIELDS})


class MediaAttachment(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media_attachments"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # As uploaded, never shown: processing reads it, and a re-run starts from it.
    original = models.FileField(max_length=255)
    # The display rendition (re-encoded image, or H.264 MP4) and the preview
    # (thumbnail image, or a video's poster frame).
    file = models.FileField(max_length=255, blank=True)
    thumbnail = models.FileField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    # Focal point for cropped previews, each in [-1, 1] (Mastodon's convention).
    focus_x = models.FloatField(default=0.0)
    focus_y = models.FloatField(default=0.0)
    # Mastodon's meta: {"original": {"width", "height", ...}, "small": {...}}.
    meta = models.JSONField(default=dict, blank=True)
    blurhash = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True, help_text="Why processing failed, for the owner.")
    processing_started_at = models.DateTimeField(null=True, blank=True)

    tweet = models.ForeignKey(
        "tweets.Tweet",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="media_attachments",
    )
    # A direct message's media: shown only to its conversation's
    # participants (messaging.selectors), never through the tweets' paths.
    # A string reference: media is below messaging in the layers.
    message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="media_attachments",
    )
    # The order the poster gave the attachments in.
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MediaAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="media_owner_recent")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk} of {self.owner_id} ({self.state})"

    @property
    def is_attached(self) -> bool:
        return any(getattr(self, f"{name}_id") is not None for name in ATTACHMENT_FIELDS)
