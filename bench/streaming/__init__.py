"""The streaming benchmark: idle WebSockets on one uvicorn process, and how
fast a tweet reaches its connected followers.

    python -m bench.streaming [--connections 5000] [--followers 1000] [--posts 5] [--small]

One run, in its own database (`<DATABASE_URL name>_bench_stream`) and Redis
database 6, with uvicorn (one process, DEBUG off) and a Celery worker
(`-Q default,fanout,notifications -c 1`) started as subprocesses:

1. connections: open `--connections` authenticated sockets
   (`/api/v1/streaming?stream=user`, each its own user and token) from
   separate client processes (asyncio, the `websockets` library), hold
   them, ping a sample; the server's RSS before and after, the time to open
   them, and the Redis and PostgreSQL connections the server holds;
2. delivery: `--followers` of those users follow one author; post
   `--posts` tweets through `tweets.services.post_tweet` and time each
   follower's socket from the commit to the `update` frame (on_commit ->
   Celery task -> worker -> Redis pub/sub -> uvicorn -> socket);
3. where the time goes: the worker's log (queueing, time in each task),
   `notifications.delivery.tweet_posted` called again in this process with
   its stages timed, against the same sockets, and the server's garbage
   collections (uvicorn runs under GC_RECORDER, which logs them).

Results go to bench/results/streaming.{md,json,png}.
"""
