"""The streaming server's routes (twitter.asgi mounts them)."""

from channels.auth import AuthMiddlewareStack
from django.urls import path, re_path

from . import consumers

websocket_urlpatterns = [
    path("api/v1/streaming", consumers.StreamingSocket.as_asgi()),
    path("stream/socket", consumers.StreamingSocket.as_asgi()),
]

# Sessions are read only where pages may connect with their cookie.
http_urlpatterns = [
    path("api/v1/streaming/health", consumers.Health.as_asgi()),
    re_path(
        r"^api/v1/streaming/(?P<stream>[a-z/]+?)/?$", AuthMiddlewareStack(consumers.EventStream.as_asgi())
    ),
    path("stream/poll", AuthMiddlewareStack(consumers.LongPoll.as_asgi())),
]
