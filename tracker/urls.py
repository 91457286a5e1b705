from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports", permanent=False)),
    path("admin/", admin.site.urls),
    # Readers sign in here to watch pairs (any active account; the admin's login is for staff).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("agreements.api.urls")),
    path("", include("agreements.urls")),
]

handler404 = "agreements.web.errors.not_found"
handler500 = "agreements.web.errors.server_error_handler"
