"""WebSocket routes, one list for the ASGI application.

The real-time layer (notifications app) adds its consumers here.
"""

websocket_urlpatterns: list = []
