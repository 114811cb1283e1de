from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request):
    """Liveness for load balancers; touches no database, so it is also the
    benchmark's ceiling: the cheapest JSON response the stack can give."""
    return JsonResponse({"status": "ok"})
