"""``/naive/agreements/`` beside everything the product serves."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import NaiveAgreementViewSet

router = DefaultRouter()
router.register("agreements", NaiveAgreementViewSet, basename="naive-agreement")

urlpatterns = [path("naive/", include(router.urls)), path("", include("tracker.urls"))]
