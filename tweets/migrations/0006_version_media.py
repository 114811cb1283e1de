"""TweetVersion.media: the media each earlier version showed.

Before this, an edit could not change media, so an earlier version showed
the media its tweet has. An edit also rebuilt the tweet's entities without
"media", hiding its attachments; both are filled in from the attachments.
"""

from django.db import migrations, models


def fill_in(apps, schema_editor):
    MediaAttachment = apps.get_model("media", "MediaAttachment")
    Tweet = apps.get_model("tweets", "Tweet")
    TweetVersion = apps.get_model("tweets", "TweetVersion")
    shown: dict[int, list] = {}
    for item in MediaAttachment.objects.filter(tweet__isnull=False).order_by("tweet_id", "position", "id"):
        shown.setdefault(item.tweet_id, []).append(item)
    for tweet in Tweet.objects.filter(pk__in=list(shown), deleted_at__isnull=True).only("entities"):
        if not (tweet.entities or {}).get("media"):
            tweet.entities = {**(tweet.entities or {}), "media": [item.pk for item in shown[tweet.pk]]}
            tweet.save(update_fields=["entities"])
    for version in TweetVersion.objects.filter(tweet_id__in=list(shown)):
        version.media = [{"id": item.pk, "description": item.description} for item in shown[version.tweet_id]]
        version.save(update_fields=["media"])


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
        ("tweets", "0005_hashtag_prefix_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="tweetversion",
            name="media",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
    ]
