"""ASGI entry point: the streaming server (WebSocket, Server-Sent Events,
long polling) through Channels, and Django for any other HTTP request.

Pages and the API are served by the WSGI server (see Procfile), which
answers plain requests faster; this application is for the long-lived
connections that need ASGI, and can serve everything on its own.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twitter.settings")

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from twitter.routing import http_urlpatterns, websocket_urlpatterns  # noqa: E402

# No origin check for every socket: apps (browser-based ones too) connect
# from anywhere with a token, as to Mastodon; a socket that logs in with
# the session cookie must come from this site (notifications.consumers).
# The streaming server holds many long-lived objects per connection, and a
# full collection scans them all: about 0.7 s at 5,000 sockets, a pause in
# every delivery (bench/results/streaming.md). Everything loaded so far
# stays for the process's life: out of the collector's sight. And the young
# generation is collected less often, so that an event's short-lived objects
# die before they are promoted and full collections come rarely.
gc.freeze()
gc.set_threshold(50_000, 20, 100)

application = ProtocolTypeRouter(
    {
        "http": URLRouter([*http_urlpatterns, re_path(r"", django_asgi_app)]),
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
