"""Project-level views: the health check used by the load balancer, the page for an address that leads nowhere."""
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from programs.models import Program


@never_cache
@require_GET
def health(request):
    """200 when the application can query its database, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def page_not_found(request, exception):
    """Django's 404 page, with the program the address is under (/sousei/…), so that its links lead to that
    program's pages."""
    slug = request.path.strip("/").split("/", 1)[0]
    try:
        program = Program.objects.filter(slug=slug).first() if slug else None
    except DatabaseError:  # the page still answers while the database is away
        program = None
    if program is None:
        return defaults.page_not_found(request, exception)
    return render(request, "404.html", {"program": program, "request_path": request.path}, status=404)
