"""Known people for the intake's benchmark: many names of the region, each in several spellings.

``generate_synthetic_data`` makes agreements (and one placeholder signatory per country); the
intake's matching needs a realistic crowd of *names* to search: Persian, Arabic and Turkish
first names and surnames built from common syllables, each person with two or three
transliterations (q/gh, ou/u, e/a, al-/el-), as a tracker that has read many reports holds
them. Their note marks them, so they are added once and can be told apart.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

NOTE = "Known person made for bench.intake_eval"
FIRST = [
    "Hossein",
    "Hassan",
    "Hussein",
    "Ali",
    "Mohammad",
    "Mohammed",
    "Ahmad",
    "Mahmoud",
    "Reza",
    "Qasem",
    "Ghasem",
    "Abbas",
    "Mehdi",
    "Mahdi",
    "Javad",
    "Jafar",
    "Hamid",
    "Hamed",
    "Saeed",
    "Said",
    "Khalid",
    "Khaled",
    "Omar",
    "Osman",
    "Othman",
    "Yusuf",
    "Youssef",
    "Ibrahim",
    "Ebrahim",
    "Ismail",
    "Mustafa",
    "Mostafa",
    "Karim",
    "Kareem",
    "Nasser",
    "Naser",
    "Faisal",
    "Fahad",
    "Salman",
    "Sultan",
    "Tariq",
    "Walid",
    "Hadi",
    "Majid",
    "Masoud",
    "Massoud",
    "Farhad",
    "Bahram",
    "Dariush",
    "Kamran",
    "Arash",
    "Babak",
    "Mehmet",
    "Ahmet",
    "Mustafa",
    "Hakan",
    "Yusuf",
    "Emre",
    "Murat",
    "Kemal",
    "Abdullah",
    "Abdolreza",
    "Abdulaziz",
    "Nouri",
    "Nuri",
    "Jalal",
    "Fuad",
    "Fouad",
    "Sami",
    "Rami",
    "Ziad",
    "Zeyad",
]
ONSETS = [
    "Ba",
    "Da",
    "Fa",
    "Gha",
    "Ha",
    "Ja",
    "Ka",
    "Kho",
    "Ma",
    "Na",
    "Qa",
    "Ra",
    "Sa",
    "Sha",
    "Ta",
    "Va",
    "Za",
    "Mo",
    "Ro",
    "Ne",
    "Be",
    "He",
    "Ja",
]
MIDDLES = [
    "ra",
    "ha",
    "ja",
    "ma",
    "va",
    "sa",
    "ba",
    "na",
    "za",
    "da",
    "ri",
    "mi",
    "hi",
    "bi",
    "la",
    "ka",
    "qa",
    "gha",
    "sha",
]
ENDINGS = ["vi", "ni", "di", "ri", "zadeh", "pour", "i", "an", "abadi", "lou", "ian", "y", "ei", "ani", "ari"]
# Spellings of one sound that transliterations swap (the folds of agreements/names.py, reversed).
SWAPS = [("q", "gh"), ("gh", "q"), ("ou", "u"), ("u", "ou"), ("ee", "i"), ("e", "a"), ("i", "ee"), ("k", "q")]


def _variant(name: str, rng: random.Random) -> str:
    for spelled, other in rng.sample(SWAPS, len(SWAPS)):
        if spelled in name:
            return name.replace(spelled, other, 1)
    return name + "i"


def synthetic_people(count: int, seed: int = 14, avoid: Iterable[str] = ()) -> list[tuple[str, list[str]]]:
    """``count`` people as (name, other spellings); none with a name key in ``avoid``."""
    from agreements.names import name_key

    rng = random.Random(seed)
    taken = {name_key(name) for name in avoid}
    people: list[tuple[str, list[str]]] = []
    while len(people) < count:
        surname = rng.choice(ONSETS) + rng.choice(MIDDLES) + rng.choice(ENDINGS)
        if rng.random() < 0.35:
            surname = f"al-{surname}"
        name = f"{rng.choice(FIRST)} {surname}"
        if rng.random() < 0.3:
            name = f"{rng.choice(FIRST)} {name}"
        key = name_key(name)
        if key in taken:
            continue
        taken.add(key)
        others = {_variant(name, rng) for _ in range(rng.choice((1, 2, 2, 3)))} - {name}
        if "al-" in name and rng.random() < 0.5:
            others.add(name.replace("al-", "el-"))
        people.append((name, sorted(others)))
    return people


def add_known_people(count: int, avoid: Iterable[str] = ()) -> int:
    """Make the database hold ``count`` such people (in bulk, keys computed); how many were added."""
    from django.db import connection, transaction

    from agreements.models import Person, PersonName
    from agreements.names import name_key

    present = Person.objects.filter(note=NOTE).count()
    if present >= count:
        return 0
    wanted = synthetic_people(count, avoid=avoid)[present:]
    with transaction.atomic():
        people = Person.objects.bulk_create(
            [Person(name=name, name_key=name_key(name), note=NOTE) for name, _ in wanted], batch_size=2_000
        )
        PersonName.objects.bulk_create(
            [
                PersonName(person=person, name=other, name_key=name_key(other), kind="transliteration")
                for person, (_, others) in zip(people, wanted, strict=True)
                for other in others
            ],
            batch_size=5_000,
        )
    if connection.vendor == "postgresql":
        # As autovacuum would soon: without statistics the planner misjudges the name searches.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE agreements_person")
            cursor.execute("ANALYZE agreements_personname")
    return len(people)
