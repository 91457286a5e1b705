from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("agreements.api.urls")),
    path("", include("agreements.urls")),
]

handler404 = "agreements.web.errors.not_found"
handler500 = "agreements.web.errors.server_error_handler"
