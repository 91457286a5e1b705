"""Kosovo (XK) as a current state, and every country's everyday names for searching.

Kosovo has no ISO 3166-1 code, so pycountry (which 0002 loads) lacks it; it is added here
from ``STATES_OUTSIDE_ISO``, by ``update_or_create``: the same on a database made long ago
and on a fresh one, and harmless if a later pycountry lists XK itself. Reloading the ISO
list the way 0002 does only updates or adds rows, so it never removes Kosovo.

The names (pycountry's, CLDR's with their short and variant forms, and a small documented
supplement) are built by ``agreements.models.country_names``, the code the tests use too.
"""

from django.db import migrations, models

from agreements.models.country_names import STATES_OUTSIDE_ISO, add_states_outside_iso, store_names


def forwards(apps, schema_editor):
    Country = apps.get_model("agreements", "Country")
    add_states_outside_iso(Country)
    store_names(Country)


def backwards(apps, schema_editor):
    # The names go with their columns. A state that agreements refer to cannot be removed
    # (its foreign keys protect it), and then unapplying stops here, as it should.
    import pycountry

    Country = apps.get_model("agreements", "Country")
    unlisted = [code for code in STATES_OUTSIDE_ISO if pycountry.countries.get(alpha_2=code) is None]
    Country.objects.filter(code__in=unlisted).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0010_more_constraints"),
    ]

    operations = [
        migrations.AddField(
            model_name="country",
            name="also_known_as",
            field=models.TextField(
                blank=True,
                help_text="Its other names (ISO's, CLDR's and everyday ones such as Turkey or UK), one a line.",
            ),
        ),
        migrations.AddField(
            model_name="country",
            name="search_names",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Every name folded for searching (models/country_names.py); filled by migration.",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
