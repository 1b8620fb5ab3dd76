"""Annual reports (PDF, Excel) and the Excel import for departments."""
from django.urls import path  # noqa: F401

app_name = "reports"

urlpatterns = []
