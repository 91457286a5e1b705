"""Regenerate ``cldr_country_names.csv``: CLDR's English names of countries, with their alternates.

Run by hand at development time from the repository's root, never at run time:

    (cd /tmp && npm pack cldr-localenames-full@48.2.0 && tar xzf cldr-localenames-full-48.2.0.tgz)
    cd agreements/data && python generate_cldr_country_names.py /tmp/package > cldr_country_names.csv

CLDR (the Unicode Common Locale Data Repository) is where the everyday English names come
from: "Türkiye" with its variant "Turkey", "United Kingdom" with its short form "UK",
"Côte d’Ivoire" with "Ivory Coast", "Czechia" with "Czech Republic". Babel ships the
first of each but drops every ``alt`` form, and the alternates are the names people type,
so they are read here from CLDR's own JSON (the ``cldr-localenames-full`` package on npm,
licensed Unicode-3.0) and only the generated facts are committed.

One row per name: ``alt`` is empty for CLDR's main name and otherwise CLDR's ``alt``
attribute (``short``, ``variant``, ``chagos``). Only codes of ISO 3166-1 states (as
pycountry has them) and the user-assigned codes the tracker uses for states outside ISO
(XK, Kosovo) are kept: CLDR also names regions and groupings (EU, UN, 001 "World").
"""

import csv
import json
import sys
from pathlib import Path

import pycountry

# User-assigned codes of states the tracker adds beside ISO 3166-1 (see models/country_names.py).
USER_ASSIGNED = {"XK"}


def main(package: Path) -> None:
    document = json.loads((package / "main" / "en" / "territories.json").read_text(encoding="utf-8"))
    territories = document["main"]["en"]["localeDisplayNames"]["territories"]
    wanted = {country.alpha_2 for country in pycountry.countries} | USER_ASSIGNED
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["code", "name", "alt"])
    rows = []
    for key, name in territories.items():
        code, _, alt = key.partition("-alt-")
        if code in wanted:
            rows.append((code, alt != "", alt, name))
    for code, _, alt, name in sorted(rows):
        writer.writerow([code, name, alt])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
