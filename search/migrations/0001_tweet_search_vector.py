"""The PostgreSQL backend's index: a tsvector column on tweets_tweet.

A generated column, so the database keeps it current: an edit or a
deletion (which wipes the text) is searchable the moment it commits, with
no task to run. It is not a field of the Tweet model, so loading tweets
never fetches it; search.backends.postgres names it in its queries.

The "simple" configuration lower-cases without stemming: tweets come in
every language, and a word is found as it was written. The GIN index
covers only what search can find: originals that are not tombstones.
"""

from django.db import migrations

VECTOR = "to_tsvector('simple'::regconfig, spoiler_text || ' ' || text)"


class Migration(migrations.Migration):
    dependencies = [("tweets", "0005_hashtag_prefix_index")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE tweets_tweet ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED",
            "ALTER TABLE tweets_tweet DROP COLUMN search_vector",
        ),
        migrations.RunSQL(
            "CREATE INDEX tweets_search ON tweets_tweet USING gin (search_vector)"
            " WHERE deleted_at IS NULL AND retweet_of_id IS NULL",
            "DROP INDEX tweets_search",
        ),
    ]
