"""Database settings for one read, shared by every app (accounts is the lowest layer)."""

from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Q


@contextmanager
def planned_for_its_values():
    """Run the block's queries in a transaction planned for their own values.

    Search-like queries (a word, a name prefix) need a plan for the value:
    the connection prepares statements (settings.DB_PREPARED_STATEMENTS),
    and a cached generic plan cannot use a prefix index for `LIKE $1` nor
    tell a rare word from a common one. No parallel workers: starting them
    costs more (tens of ms on a busy 2-core machine) than these queries
    take. And the random-read cost of solid-state storage, where an index
    lookup costs little more than a sequential read; with the default (4)
    PostgreSQL walks 300k rows of the primary key rather than read a few
    thousand matches found by the text index.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # set_config(..., true) is SET LOCAL, three in one round trip.
        cursor.execute(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
            " set_config('max_parallel_workers_per_gather', '0', true),"
            " set_config('random_page_cost', '1.1', true)"
        )
        yield


def ids_in(field: str, ids) -> Q:
    """Q(field in ids), the ids sent as one array parameter (accounts.lookups).

    The SQL text is then the same however many ids there are, so a prepared
    statement (settings.DB_PREPARED_STATEMENTS) is planned once per
    connection for every reader. Always false for no ids.
    """
    if not ids:
        return Q(pk__in=[])
    # "author_id" -> "author__id": the lookup is on the target's primary key
    # (foreign keys have their own lookups); Django trims the join.
    path = f"{field.removesuffix('_id')}__id" if field.endswith("_id") else field
    return Q(**{f"{path}__any": ids})
