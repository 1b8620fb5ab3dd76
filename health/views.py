"""The readiness check for monitoring: /healthz/ready (the liveness check, /healthz, is reformtracker/views.py)."""
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .checks import readiness


@never_cache
@require_GET
def ready(request):
    """200 when every check passes, 503 naming the ones that do not (health/checks.py)."""
    report = readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
