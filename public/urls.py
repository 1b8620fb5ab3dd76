"""Public progress pages for citizens.

`/` lists the programs; each program's pages live under its URL name (`/gyozaisei-2024/…`). The
addresses the portal had when it showed the reform program alone (`/initiatives/12/`, `/ledger/`, …)
redirect permanently to the same page of the first registered program."""
from django.urls import include, path, re_path

from reports import views as report_views

from . import views
from .feeds import UpdatesFeed

app_name = "public"

program_patterns = [
    path("", views.summary, name="summary"),
    path("initiatives/", views.InitiativeListView.as_view(), name="initiative-list"),
    path("initiatives.csv", views.InitiativeListView.as_view(), {"format": "csv"}, name="initiative-list-csv"),
    path("initiatives.xlsx", views.InitiativeListView.as_view(), {"format": "xlsx"}, name="initiative-list-xlsx"),
    path("initiatives/<str:ref>/", views.initiative_detail, name="initiative-detail"),
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
    path("archive/<int:cycle_id>/initiatives/<str:ref>/", views.initiative_detail, name="archive-initiative"),
    path("archive/<int:cycle_id>/annual.pdf", report_views.program_report, {"fmt": "pdf"}, name="annual-pdf"),
    path("archive/<int:cycle_id>/annual.xlsx", report_views.program_report, {"fmt": "xlsx"}, name="annual-xlsx"),
]

urlpatterns = [
    path("", views.program_index, name="program-index"),
    path("language/", views.set_language, name="set-language"),
    re_path(
        r"^(?P<path>(?:initiatives|ledger|departments|feeds|opendata|archive)(?:[/.].*)?)$",
        views.earlier_address,
        name="earlier-address",
    ),
    path("<slug:program>/", include(program_patterns)),
]
