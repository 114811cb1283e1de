"""The ASGI server's routes: the streaming API (notifications.routing) over
WebSocket and HTTP; every other HTTP request goes to Django."""

from notifications.routing import http_urlpatterns, websocket_urlpatterns

__all__ = ["http_urlpatterns", "websocket_urlpatterns"]
