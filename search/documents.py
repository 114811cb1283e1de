"""The Elasticsearch document of a tweet (django-elasticsearch-dsl).

Only what the queries of search.backends.elasticsearch filter or rank on.
The document is not kept in sync by the library's model signals (too many
writes on the request path); the `search` queue's tasks index it on the
tweets app's events (search.receivers). Engagement counts are as of the
tweet's last indexing: "Top" ranks with them, nothing shows them.
"""

from django_elasticsearch_dsl import Document, fields
from django_elasticsearch_dsl.registries import registry

from tweets.models import Tweet
from tweets.selectors import OPEN_VISIBILITIES


# Registered for the library's preparation of fields; its model signals stay
# off (ignore_signals, and django_elasticsearch_dsl is not an installed app).
@registry.register_document
class TweetDocument(Document):
    # The standard analyzer: Unicode word boundaries, lower case, no
    # stemming, like the PostgreSQL backend's "simple" configuration.
    # Time-ordered (a Snowflake): "Latest" sorts by it, since:/until: bound it.
    id = fields.LongField(attr="id")
    text = fields.TextField(attr="text")
    spoiler_text = fields.TextField(attr="spoiler_text")
    author_id = fields.LongField(attr="author_id")
    in_reply_to_author_id = fields.LongField(attr="in_reply_to_author_id")
    mention_ids = fields.LongField(multi=True)
    hashtags = fields.KeywordField(multi=True)
    open_to_all = fields.BooleanField()
    language = fields.KeywordField(attr="language")
    has_links = fields.BooleanField()
    has_media = fields.BooleanField()
    engagement = fields.IntegerField()

    class Index:
        # Renamed with the site's prefix by the backend (settings).
        name = "tweets"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}

    class Django:
        model = Tweet
        ignore_signals = True
        auto_refresh = False
        queryset_pagination = 2_000

    def get_queryset(self):
        return (
            Tweet.objects.filter(retweet_of__isnull=True, deleted_at__isnull=True)
            .select_related("author")
            .prefetch_related("hashtags", "mentions")
            .order_by("id")
        )

    def prepare_mention_ids(self, tweet):
        return [user.pk for user in tweet.mentions.all()]

    def prepare_hashtags(self, tweet):
        return [tag.name for tag in tweet.hashtags.all()]

    def prepare_open_to_all(self, tweet):
        # Whether anyone may see it, as tweets.selectors decides; anything
        # else is for the author and followers only.
        return tweet.visibility in OPEN_VISIBILITIES and not tweet.author.is_protected

    def prepare_has_links(self, tweet):
        return bool(tweet.entities.get("urls"))

    def prepare_has_media(self, tweet):
        return bool(tweet.entities.get("media"))

    def prepare_engagement(self, tweet):
        return tweet.likes_count + 2 * tweet.retweets_count + tweet.replies_count + tweet.quotes_count
