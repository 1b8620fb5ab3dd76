"""Public progress pages for citizens."""
from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns = []
