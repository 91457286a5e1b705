import importlib
import json

import pycountry
import pytest
from django.apps import apps
from django.urls import reverse

from agreements.models import ClauseCategory, Country
from agreements.models import country_names as names
from agreements.models.country_names import EVERYDAY_NAMES, STATES_OUTSIDE_ISO, fold, stored_names

from .factories import make_agreement

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = {"app_label": "agreements", "model_name": "agreement", "field_name": "party_a"}


def test_every_iso_state_and_former_state_is_loaded():
    # ISO 3166-1 lists every current state but Kosovo, which the tracker adds (XK).
    current = set(Country.objects.filter(is_former=False).values_list("code", flat=True))
    assert current == {country.alpha_2 for country in pycountry.countries} | set(STATES_OUTSIDE_ISO)
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


def test_kosovo_is_a_current_state_with_the_codes_cldr_the_eu_and_the_world_bank_use():
    kosovo = Country.objects.lookup("xk")
    assert (kosovo.code, kosovo.alpha_2, kosovo.alpha_3, kosovo.name) == ("XK", "XK", "XKX", "Kosovo")
    assert (kosovo.is_former, kosovo.cow_code, kosovo.numeric) == (False, 347, "")
    assert Country.objects.lookup("XKX") == kosovo
    assert Country.objects.matching("Kosovo")[0] == kosovo


def test_reloading_the_iso_list_as_0002_does_keeps_kosovo_and_the_names():
    """0002 loads pycountry by update_or_create; run again, it touches neither."""
    iso_loader = importlib.import_module("agreements.migrations.0002_load_countries")
    everyday = importlib.import_module("agreements.migrations.0011_countries_kosovo_and_everyday_names")
    before = list(Country.objects.order_by("code").values())
    iso_loader.load(apps, None)
    assert list(Country.objects.order_by("code").values()) == before
    # And 0011 run twice (as on a database where a later pycountry already had XK) is the same.
    everyday.forwards(apps, None)
    assert list(Country.objects.order_by("code").values()) == before


def test_the_stored_names_are_what_the_shared_function_builds():
    for country in Country.objects.all():
        built = stored_names(country.code, country.name, country.official_name)
        assert (country.also_known_as, country.search_names) == (built.also_known_as, built.search_names)


def test_the_supplement_holds_only_what_the_sources_lack(monkeypatch):
    monkeypatch.setattr(names, "EVERYDAY_NAMES", {})
    for code, extra in EVERYDAY_NAMES.items():
        country = Country.objects.get(code=code)
        from_sources = {fold(name) for name in names.country_names(code, country.name, country.official_name)}
        assert not {fold(name) for name in extra} & from_sources, code


def test_cldr_names_every_current_state():
    # A state that a later pycountry adds but the committed CLDR file lacks would only be
    # searchable by its ISO names: regenerate agreements/data/cldr_country_names.csv.
    cldr = names._cldr_names()
    assert {country.code for country in Country.objects.filter(is_former=False)} <= set(cldr)


# Everyday names, each with the country it must list first (through /api/countries/?q=).
EVERYDAY = [
    ("Turkey", "TR"),
    ("Türkiye", "TR"),
    ("turkiye", "TR"),
    ("UK", "GB"),
    ("United Kingdom", "GB"),
    ("Britain", "GB"),
    ("Great Britain", "GB"),
    ("USA", "US"),
    ("America", "US"),
    ("United States", "US"),
    ("Ivory Coast", "CI"),
    ("Cote d'Ivoire", "CI"),
    ("Côte d’Ivoire", "CI"),
    ("Czech Republic", "CZ"),
    ("Czechia", "CZ"),
    ("Swaziland", "SZ"),
    ("Eswatini", "SZ"),
    ("Burma", "MM"),
    ("Myanmar", "MM"),
    ("Persia", "IR"),
    ("Iran", "IR"),
    ("Holland", "NL"),
    ("Netherlands", "NL"),
    ("Russia", "RU"),
    ("South Korea", "KR"),
    ("North Korea", "KP"),
    ("Vietnam", "VN"),
    ("Viet Nam", "VN"),
    ("Laos", "LA"),
    ("Syria", "SY"),
    ("Bolivia", "BO"),
    ("Tanzania", "TZ"),
    ("Venezuela", "VE"),
    ("Moldova", "MD"),
    ("Macedonia", "MK"),
    ("North Macedonia", "MK"),
    ("Cape Verde", "CV"),
    ("Cabo Verde", "CV"),
    ("East Timor", "TL"),
    ("Vatican", "VA"),
    ("Holy See", "VA"),
    ("Palestine", "PS"),
    ("Kosovo", "XK"),
    ("UAE", "AE"),
    ("Democratic Republic of the Congo", "CD"),
    ("Congo", "CG"),
    ("Curacao", "CW"),
    ("Soviet Union", "SUHH"),
    ("USSR", "SUHH"),
    ("East Germany", "DDDE"),
]


def api_codes(api, term: str, **parameters) -> list[str]:
    response = api.get("/api/countries/", {"q": term, "page_size": 500, **parameters})
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize(("term", "code"), EVERYDAY)
def test_an_everyday_name_lists_its_country_first(api, term, code):
    assert api_codes(api, term)[0] == code


def test_an_exact_code_comes_first_in_any_case(api):
    # "IR" listed Iran third of eight, after Iraq and Ireland.
    for term in ("IR", "ir", "IRN", "irn", " Ir "):
        assert api_codes(api, term)[0] == "IR", term
    assert api_codes(api, "suhh")[0] == "SUHH"
    assert api_codes(api, "XKX")[0] == "XK"


def test_uk_finds_the_united_kingdom_before_ukraine(api):
    assert api_codes(api, "UK")[:2] == ["GB", "UA"]
    assert api_codes(api, "uk")[:2] == ["GB", "UA"]


def tier(country: Country, term: str) -> int:
    """The rank ``matching`` gives, recomputed in Python from the stored names."""
    phrase = fold(term)
    code = phrase.upper()
    if code in {country.code, country.alpha_2, country.alpha_3}:
        return 0
    if f"|{phrase}|" in country.search_names:
        return 1
    return 2 if f"|{phrase}" in country.search_names else 3


@pytest.mark.parametrize("term", ["IR", "uk", "ira", "Korea", "guinea", "Congo", "east", "Yemen", "st"])
def test_the_ranking_is_code_then_exact_name_then_start_then_the_rest(term):
    found = list(Country.objects.matching(term))
    assert found
    keys = [(tier(country, term), country.is_former, country.name, country.code) for country in found]
    assert keys == sorted(keys)
    # Every word of the term is in some name of each country found, and nothing is missed.
    words = fold(term).split()
    everything = Country.objects.all()
    expected = {c.code for c in everything if tier(c, term) == 0 or all(w in c.search_names for w in words)}
    assert {country.code for country in found} == expected


def test_every_word_counts_not_the_phrase():
    assert [country.code for country in Country.objects.matching("republic korea")] == ["KP", "KR"]
    assert Country.objects.matching("timor leste")[0].code == "TL"


def test_an_empty_term_lists_everything_by_name(api):
    assert list(Country.objects.matching("  ")) == list(Country.objects.order_by("name", "code"))


def test_the_search_combines_with_the_former_filter(api):
    assert api_codes(api, "Burma", former="true") == ["BUMM"]
    assert api_codes(api, "East Timor", former="false") == ["TL"]


def autocomplete(client, term: str) -> list[dict]:
    response = client.get(reverse("admin:autocomplete"), {"term": term, **AUTOCOMPLETE})
    assert response.status_code == 200
    return json.loads(response.content)["results"]


@pytest.mark.parametrize("term", ["IR", "UK", "Turkey", "Persia", "ira", "Korea", "Burma", "congo", "a"])
def test_the_admin_autocomplete_ranks_as_the_api_does(editor_client, api, term):
    # The autocomplete shows 20 a page; the API is asked for all.
    shown = [row["id"] for row in autocomplete(editor_client, term)]
    assert shown == api_codes(api, term)[:20]


def test_the_admin_autocomplete_says_which_name_it_found(editor_client):
    assert autocomplete(editor_client, "Turkey")[0] == {"id": "TR", "text": "Türkiye (also Turkey)"}
    assert autocomplete(editor_client, "Persia")[0] == {"id": "IR", "text": "Iran (also Persia)"}
    assert autocomplete(editor_client, "UK")[0] == {"id": "GB", "text": "United Kingdom (also UK)"}
    assert autocomplete(editor_client, "ivory")[0] == {"id": "CI", "text": "Côte d'Ivoire (also Ivory Coast)"}
    # The name itself, or a code, needs no explanation.
    assert autocomplete(editor_client, "IR")[0] == {"id": "IR", "text": "Iran"}
    assert autocomplete(editor_client, "Kosovo")[0] == {"id": "XK", "text": "Kosovo"}


def test_the_admin_autocomplete_answers_a_nul_with_a_400_naming_it(editor_client):
    # PostgreSQL refuses a NUL in any query: it was a 500 there. Every admin page says so alike.
    response = editor_client.get(reverse("admin:autocomplete"), {"term": "I\x00R", **AUTOCOMPLETE})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_the_admin_autocomplete_query_count_is_pinned(editor_client, django_assert_num_queries):
    autocomplete(editor_client, "a")  # the session is saved once when it is first used
    # Session, user, permissions (user, group), count, page, and the idle-expiry session
    # save (savepoint, update, release): the same for one country or twenty.
    with django_assert_num_queries(9):
        assert len(autocomplete(editor_client, "Kosovo")) == 1
    with django_assert_num_queries(9):
        assert len(autocomplete(editor_client, "a")) == 20


def test_the_api_search_query_count_is_pinned(api, django_assert_num_queries):
    # The data version (the list's ETag), the count and the page, whatever the term.
    for term in ("Kosovo", "a", "IR"):
        with django_assert_num_queries(3):
            api_codes(api, term)


def test_the_admin_change_list_finds_everyday_names(admin_client):
    response = admin_client.get(reverse("admin:agreements_country_changelist"), {"q": "Turkey"})
    assert [country.code for country in response.context["cl"].result_list] == ["TR"]


def test_agreements_with_kosovo_work_in_the_api_and_the_reports(client, api):
    make_agreement(title="Memorandum on consular relations", parties=("XK", "IQ"))
    pair = client.get("/api/reports/pairs/IQ-XK/")
    assert pair.status_code == 200
    data = json.loads(pair.content)
    assert (data["party_a"]["code"], data["party_b"]["code"], data["total"]) == ("IQ", "XK", 1)
    assert client.get("/reports/pairs/xk-iq/")["Location"] == "/reports/pairs/IQ-XK/"  # Iraq, then Kosovo
    assert client.get("/reports/pairs/IQ-XK/").status_code == 200
    assert client.get("/api/reports/countries/XK/").status_code == 200
    assert client.get("/reports/countries/XK/").status_code == 200
    assert api.get("/api/countries/XK/").json()["cow_code"] == 347
    assert api.get("/api/countries/xkx/").json()["code"] == "XK"
    for parameters in ({"country": "XK"}, {"pair": "XKX,IQ"}):
        listed = api.get("/api/agreements/", parameters).json()["results"]
        assert [row["title"] for row in listed] == ["Memorandum on consular relations"]


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
