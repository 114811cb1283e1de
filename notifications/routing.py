"""The streaming server's routes (twitter.asgi mounts them)."""

from channels.auth import AuthMiddlewareStack
from django.urls import path, re_path

from .consumers import http, websocket

websocket_urlpatterns = [
    path("api/v1/streaming", websocket.StreamingSocket.as_asgi()),
    path("stream/socket", websocket.StreamingSocket.as_asgi()),
]

# Sessions are read only where pages may connect with their cookie.
http_urlpatterns = [
    path("api/v1/streaming/health", http.Health.as_asgi()),
    re_path(r"^api/v1/streaming/(?P<stream>[a-z/]+?)/?$", AuthMiddlewareStack(http.EventStream.as_asgi())),
    path("stream/poll", AuthMiddlewareStack(http.LongPoll.as_asgi())),
]
