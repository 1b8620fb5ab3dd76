"""The Excel import of a cycle's yearly records, for department staff and the reform office (under /reports/import/)."""
from django.urls import path

from . import views

app_name = "recordimport"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.xlsx", views.template, name="template"),
    path("confirm/", views.confirm, name="confirm"),
]
