"""The project's URLs plus views that fail on purpose, for error-handling tests."""

from django.urls import path

from tracker.urls import handler404, handler500  # noqa: F401
from tracker.urls import urlpatterns as project_urls


def broken(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("boom/", broken), path("api/boom/", broken), *project_urls]
