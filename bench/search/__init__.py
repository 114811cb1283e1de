"""The search benchmark: tweet search, autocomplete and trends.

    python -m bench.search [--small] [--regenerate] [--results DIR]

One run, in the timeline benchmark's database (`<DATABASE_URL name>_bench`,
the world of `bench.generate`, loaded when missing) and REDIS_URL's
database (flushed):

1. `migrate` first, timed: on a world loaded before search existed it adds
   the generated tsvector column and its GIN index to every tweet;
2. queries chosen from the world (seeded): one word at three frequencies,
   two words, `from:` a popular and an ordinary account, a popular and a
   rare `#tag`, each for "top" and "latest", timed in this process through
   `search.selectors.search_tweets` as an anonymous viewer and as a
   signed-in one who follows a few hundred accounts;
3. the same queries over HTTP against gunicorn (2 sync workers, DEBUG off):
   the API (`/api/v2/search?type=statuses`, newest first) anonymous and
   signed in, and the search page's Top tab, one request at a time, then
   16 connections with wrk; autocomplete (`/search/complete/?q=@u1` ...)
   the same ways and in-process;
4. trends: an hour of hashtag uses (Zipf over thousands of tags, authors
   from the world's accounts) counted into Redis by `trends.counters`,
   a week of baseline, then `trends.services.compute_trends()` timed.

Targets: search p99 < 50 ms, autocomplete p99 < 20 ms, one trends
computation < 1 s. A missed search or autocomplete target gets the
EXPLAIN (ANALYZE, BUFFERS) of its slowest statement in search-explain.txt.
Results go to bench/results/search.{md,json,png}.
"""
