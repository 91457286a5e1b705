"""Regenerate ``country_adjectives.csv``: each state's adjective (demonym) and capital, for the intake.

Run by hand at development time from the repository's root, never at run time:

    pip download --no-deps -d /tmp/countryinfo countryinfo==1.0.1
    (cd /tmp/countryinfo && python -m zipfile -e countryinfo-1.0.1-py3-none-any.whl .)
    python agreements/data/generate_country_adjectives.py /tmp/countryinfo \
        > agreements/data/country_adjectives.csv

Reports name a party by its adjective ("the Iranian Defence Minister") or by its capital
("Tehran and Baghdad will share …"). Neither pycountry nor CLDR (nor Babel) has those;
countryinfo (MIT) has both, inside 380 kB of maps the tracker does not need, so only the
generated facts are committed, as with the COW codes and CLDR's names.

One row per word: ``kind`` is ``adjective`` or ``capital``. Only ISO 3166-1 states as
pycountry has them are kept. An adjective countryinfo gives to several codes ("French" for
France and its overseas departments, "Chinese" for China, Hong Kong and Macao) is kept for
the most populous of them only, so that it names one state; "Congolese", shared by two
states of similar standing, is kept for neither. What countryinfo lacks or spells unlike
the news (Saudi, Kazakh, Tajik …) is ``EVERYDAY_ADJECTIVES`` in ``services/intake/countries.py``.
"""

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import pycountry

# Shared by two states neither of which the word names more than the other.
AMBIGUOUS = {"Congolese", "Dominican"}


def main(root: Path) -> None:
    states = {country.alpha_2 for country in pycountry.countries}
    adjectives: dict[str, list[tuple[int, str]]] = defaultdict(list)
    capitals: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for path in sorted((root / "countryinfo" / "data").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        code = (data.get("ISO") or {}).get("alpha2")
        if code not in states:
            continue
        population = int(data.get("population") or 0)
        for word in str(data.get("demonym") or "").split(","):
            word = word.strip()
            if word and word not in AMBIGUOUS:
                adjectives[word].append((population, code))
        capital = data.get("capital")
        capital = capital[0] if isinstance(capital, list) and capital else capital
        if isinstance(capital, str) and capital.strip():
            for name in capital.split(" / "):
                capitals[name.strip()].append((population, code))
    rows = set()
    for kind, words in (("adjective", adjectives), ("capital", capitals)):
        for word, owners in words.items():
            rows.add((max(owners)[1], kind, word))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["code", "kind", "word"])
    writer.writerows(sorted(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
