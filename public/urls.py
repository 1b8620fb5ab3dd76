"""Public progress pages for citizens."""
from django.urls import path

from . import views
from .feeds import UpdatesFeed

app_name = "public"

urlpatterns = [
    path("", views.summary, name="summary"),
    path("initiatives/", views.InitiativeListView.as_view(), name="initiative-list"),
    path("initiatives.csv", views.InitiativeListView.as_view(), {"format": "csv"}, name="initiative-list-csv"),
    path("initiatives.xlsx", views.InitiativeListView.as_view(), {"format": "xlsx"}, name="initiative-list-xlsx"),
    path("initiatives/<int:number>/", views.initiative_detail, name="initiative-detail"),
    path("ledger/", views.ledger, name="ledger"),
    path("departments/", views.department_index, name="department-index"),
    path("departments/<int:pk>/", views.department_detail, name="department-detail"),
    path("departments/<int:pk>/feed.atom", UpdatesFeed(), name="department-feed"),
    path("feeds/updates.atom", UpdatesFeed(), name="feed"),
    path("opendata/", views.opendata, name="opendata"),
    path("opendata/program.json", views.opendata_json, name="opendata-json"),
    path("opendata/initiatives.csv", views.opendata_csv, name="opendata-csv"),
    path("archive/", views.archive_index, name="archive-index"),
    path("archive/<int:cycle_id>/", views.archive_cycle, name="archive-cycle"),
    path("archive/<int:cycle_id>/initiatives/<int:number>/", views.initiative_detail, name="archive-initiative"),
    path("language/", views.set_language, name="set-language"),
]
