"""Load every ISO 3166-1 state and every ISO 3166-3 former state from pycountry.

Correlates-of-War numbers come from ``agreements/data/cow_codes.csv`` (generated from
the countrycode package; see ``generate_cow_codes.py`` beside it).
"""

import csv
from pathlib import Path

import pycountry
from django.db import migrations

COW_CODES = Path(__file__).resolve().parent.parent / "data" / "cow_codes.csv"


def country_rows():
    with COW_CODES.open(newline="") as handle:
        cow = {row["code"]: int(row["cow_code"]) for row in csv.DictReader(handle)}
    for country in pycountry.countries:
        yield {
            "code": country.alpha_2,
            "alpha_2": country.alpha_2,
            "alpha_3": country.alpha_3,
            "numeric": country.numeric,
            "name": getattr(country, "common_name", None) or country.name,
            "official_name": getattr(country, "official_name", None) or country.name,
            "is_former": False,
            "withdrawn": "",
            "cow_code": cow.get(country.alpha_2),
        }
    for country in pycountry.historic_countries:
        yield {
            "code": country.alpha_4,
            "alpha_2": country.alpha_2,
            "alpha_3": country.alpha_3,
            "numeric": getattr(country, "numeric", "") or "",
            "name": country.name,
            "official_name": country.name,
            "is_former": True,
            "withdrawn": getattr(country, "withdrawal_date", "") or "",
            "cow_code": cow.get(country.alpha_4),
        }


def load(apps, schema_editor):
    Country = apps.get_model("agreements", "Country")
    for row in country_rows():
        Country.objects.update_or_create(code=row.pop("code"), defaults=row)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
