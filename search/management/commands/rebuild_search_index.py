"""manage.py rebuild_search_index: recreate the search index from the database.

With Elasticsearch, drops the index and indexes every searchable tweet
(after a mapping change, a lost cluster, or to switch a running site to
Elasticsearch). With PostgreSQL there is nothing to rebuild: the database
keeps its search column current; the command says so.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from elasticsearch import ApiError, TransportError

from search.backends import backend


class Command(BaseCommand):
    help = "Recreate the search index from the database (Elasticsearch only)."

    def handle(self, *args, **options):
        search = backend()
        if not search.indexes_on_events:
            count = search.rebuild()
            self.stdout.write(f"PostgreSQL search needs no index rebuild ({count:,} searchable tweets).")
            return
        try:
            count = search.rebuild()
        except (ApiError, TransportError) as error:
            raise CommandError(
                f"Could not rebuild the index at {settings.ELASTICSEARCH_URL}: {error}"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Indexed {count:,} tweets."))
