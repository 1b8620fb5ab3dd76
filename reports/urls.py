"""Annual reports (PDF, Excel) for anyone; the Excel import for department staff."""
from django.urls import path

from . import import_views, views

app_name = "reports"

urlpatterns = [
    path("<int:cycle_id>/annual.pdf", views.annual_pdf, name="annual-pdf"),
    path("<int:cycle_id>/annual.xlsx", views.annual_xlsx, name="annual-xlsx"),
    path("import/", import_views.upload, name="import-upload"),
    path("import/template.xlsx", import_views.template, name="import-template"),
    path("import/confirm/", import_views.confirm, name="import-confirm"),
]
