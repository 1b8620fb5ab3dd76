"""Password reset for staff, under /admin/ (never cached, kept from robots).

No app_name: Django's auth views and the admin's templates reverse these names without a
namespace (`admin_password_reset` also puts the link on the admin's login page).
"""
from django.urls import path

from . import views

urlpatterns = [
    path("admin/password_reset/", views.StaffPasswordResetView.as_view(), name="admin_password_reset"),
    path("admin/password_reset/done/", views.StaffPasswordResetDoneView.as_view(), name="password_reset_done"),
    path("admin/reset/<uidb64>/<token>/", views.StaffPasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("admin/reset/done/", views.StaffPasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
