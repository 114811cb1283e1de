"""Put the mentioned account's id into each stored mention (the API shows it)."""

from django.db import migrations


def add_ids(apps, schema_editor):
    Tweet = apps.get_model("tweets", "Tweet")
    Through = Tweet.mentions.through
    tweet_ids = Through.objects.values_list("tweet_id", flat=True).distinct()
    for tweet in Tweet.objects.filter(pk__in=tweet_ids).prefetch_related("mentions").iterator(chunk_size=500):
        ids = {user.username.lower(): user.pk for user in tweet.mentions.all()}
        mentions = tweet.entities.get("mentions", [])
        for mention in mentions:
            if mention["username"].lower() in ids:
                mention["id"] = ids[mention["username"].lower()]
        tweet.entities["mentions"] = [m for m in mentions if "id" in m]
        tweet.save(update_fields=["entities"])


class Migration(migrations.Migration):
    dependencies = [("tweets", "0002_timeline_indexes")]

    operations = [migrations.RunPython(add_ids, migrations.RunPython.noop)]
