"""Media benchmark: how fast one Celery worker processes 12-megapixel JPEG
photos (images/s, and its peak memory), and how long an upload request takes
to be accepted (before processing), through gunicorn over real HTTP.

Run with `python -m bench.media` (DATABASE_URL and REDIS_URL set; it uses
the database <name>_bench). Results go to bench/results/media.{md,json,png}.
"""
