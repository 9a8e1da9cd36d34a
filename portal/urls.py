"""Root URL configuration: health and metrics, accounts, admin, then the lessons app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_prometheus import exports

from portal import accounts, health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Scraped by Prometheus on the app port; nginx refuses it on the public entry point.
    path("metrics", exports.ExportToDjangoView, name="prometheus-django-metrics"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    # The failure lab (errors and latency on purpose); its views are named lab-*.
    path("lab/", include("portal.lab_urls")),
    path("", include("lessons.urls")),
]

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"

admin.site.site_header = "SRE Learning Portal administration"
admin.site.site_title = "SRE Learning Portal admin"
admin.site.index_title = "Content and learners"
