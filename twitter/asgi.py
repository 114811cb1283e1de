"""ASGI entry point: the streaming server (WebSocket, Server-Sent Events,
long polling) through Channels, and Django for any other HTTP request.

Pages and the API are served by the WSGI server (see Procfile), which
answers plain requests faster; this application is for the long-lived
connections that need ASGI, and can serve everything on its own.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twitter.settings")

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

import twitter.heap  # noqa: E402
from twitter.routing import http_urlpatterns, websocket_urlpatterns  # noqa: E402

twitter.heap.settle()

# No origin check for every socket: apps (browser-based ones too) connect
# from anywhere with a token, as to Mastodon; a socket that logs in with
# the session cookie must come from this site (notifications.consumers).
application = ProtocolTypeRouter(
    {
        "http": URLRouter([*http_urlpatterns, re_path(r"", django_asgi_app)]),
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
