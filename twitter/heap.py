"""The garbage collector's settings for a server process, once it has loaded.

Everything loaded at start (Django, the URL conf, templates, models) stays
for the process's life; a full collection still scans it all: about 70 ms
for a web worker, a stall in whichever request triggers it (seen as the
p99 of bench.search), and about 0.7 s for the streaming server at 5,000
sockets (bench/results/streaming.md). gc.freeze() moves it out of the
collector's sight. And the young generation is collected less often, so a
request's or an event's short-lived objects die before they are promoted
and full collections come rarely.
"""

import gc


def settle() -> None:
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
