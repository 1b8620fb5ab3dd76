"""Annual reports (PDF, Excel) for anyone."""
from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<int:cycle_id>/annual.pdf", views.annual_pdf, name="annual-pdf"),
    path("<int:cycle_id>/annual.xlsx", views.annual_xlsx, name="annual-xlsx"),
]
