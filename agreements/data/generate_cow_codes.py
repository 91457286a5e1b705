"""Regenerate ``cow_codes.csv``: Correlates-of-War state numbers for our country codes.

Run by hand at development time, never at run time:

    python -m venv /tmp/cc && /tmp/cc/bin/pip install countrycode==0.6.0 pycountry
    /tmp/cc/bin/python agreements/data/generate_cow_codes.py > agreements/data/cow_codes.csv

The codes come from ``countrycode`` (the Python port of the R package political
scientists use). It is GPL-3.0-or-later, so it stays a development-time tool: the
codes are facts, and only the generated facts are committed.

Current states are matched by ISO alpha-2. ISO 3166-3 former states have no ISO
match in countrycode, so they are matched by the name COW uses for them; the
former codes that were never COW system members (a Soviet republic, colonies,
territories) are left without a code rather than borrowing their successor's.
"""

import csv
import sys

import pycountry
from countrycode import countrycode

# ISO 3166-3 code -> the name under which countrycode's regex knows the COW state.
FORMER_STATE_NAMES = {
    "SUHH": "Soviet Union",
    "YUCS": "Yugoslavia",
    "DDDE": "German Democratic Republic",
    "CSHH": "Czechoslovakia",
    "YDYE": "South Yemen",
    "VDVN": "North Vietnam",
    "ZRCD": "Zaire",
    "BUMM": "Burma",
    "DYBJ": "Dahomey",
    "HVBF": "Upper Volta",
    "RHZW": "Rhodesia",
}


def main() -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["code", "cow_code"])
    current = sorted(c.alpha_2 for c in pycountry.countries)
    for code, cow in zip(current, countrycode(current, origin="iso2c", destination="cown"), strict=True):
        if cow is not None:
            writer.writerow([code, cow])
    former = sorted(FORMER_STATE_NAMES)
    names = [FORMER_STATE_NAMES[code] for code in former]
    for code, cow in zip(former, countrycode(names, origin="country.name", destination="cown"), strict=True):
        if cow is not None:
            writer.writerow([code, cow])


if __name__ == "__main__":
    main()
