import pycountry
import pytest

from agreements.models import ClauseCategory, Country

pytestmark = pytest.mark.django_db


def test_every_iso_state_and_former_state_is_loaded():
    assert Country.objects.filter(is_former=False).count() == len(pycountry.countries)
    assert Country.objects.filter(is_former=True).count() == len(pycountry.historic_countries)
    former = set(Country.objects.filter(is_former=True).values_list("code", flat=True))
    assert {"SUHH", "YUCS", "CSHH", "DDDE"} <= former


def test_correlates_of_war_codes_where_known():
    codes = dict(Country.objects.values_list("code", "cow_code"))
    assert (codes["IR"], codes["IQ"], codes["SUHH"], codes["DDDE"]) == (630, 645, 365, 265)
    assert codes["AQ"] is None  # Antarctica was never a state


def test_lookup_by_alpha_2_alpha_3_or_former_code_in_any_case():
    assert Country.objects.lookup("ir").name == "Iran"
    assert Country.objects.lookup("IRQ").name == "Iraq"
    assert Country.objects.lookup("suhh").is_former
    with pytest.raises(Country.DoesNotExist):
        Country.objects.lookup("XX")


def test_the_category_tree_is_seeded_and_shallow():
    slugs = set(ClauseCategory.objects.values_list("slug", flat=True))
    assert {
        "counterterrorism",
        "border-security",
        "logistics",
        "intelligence-sharing",
        "training-and-education",
        "technical-assistance",
        "military-support-and-equipment",
        "joint-exercises",
        "joint-patrols",
        "defence-industry",
        "military-advisers",
        "extradition",
        "disarmament",
        "maritime-security",
        "cyber-security",
        "reconstruction",
    } <= slugs
    assert not ClauseCategory.objects.filter(parent__parent__isnull=False).exists()
    assert ClauseCategory.objects.get(slug="logistics").parent.slug == "defence-cooperation"
