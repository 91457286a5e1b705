from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("agreements.api.urls")),
    path("", include("agreements.urls")),
]

handler404 = "agreements.api.errors.json_not_found"
handler500 = "agreements.api.errors.json_server_error"
