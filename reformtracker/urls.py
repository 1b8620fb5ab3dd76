"""The portal's URLs: the staff admin, the annual reports, the public pages."""
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from health import views as health_views
from public.sitemaps import SITEMAPS

admin.site.site_header = gettext_lazy("旭川市 計画の進行管理 管理画面")
admin.site.site_title = gettext_lazy("計画の進行管理")
admin.site.index_title = gettext_lazy("進行管理")

from . import views

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("healthz/ready", health_views.ready, name="health-ready"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"), name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("accounts.urls")),  # staff password reset, under /admin/
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/import/", include("recordimport.urls")),  # before reports/: its own app
    path("reports/", include("reports.urls")),
    path("", include("public.urls")),
]

handler404 = "reformtracker.views.page_not_found"
