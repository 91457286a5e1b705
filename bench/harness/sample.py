"""The rows the scripts point at, chosen from the data once before they run.

* ``choose_sample`` (in process, ``django.setup()`` done): the middle agreement, the busiest
  pair, a typical pair of about fifteen agreements, the median-sized pair and a term only one
  title carries — for ``bench.run``'s workloads and ``bench.reports_bench``.
* ``choose_load_sample`` (straight from the database, no Django in the client process): the ids,
  countries and pairs the simulated clients of ``bench.mixed_load`` and ``bench.fault`` pick
  from at random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .sqlite import query

Pair = tuple[str, str, int]  # two country codes and the number of agreements between them


@dataclass(frozen=True)
class Sample:
    agreements: int
    middle_id: int  # a detail, and the position of the deep cursor page
    busy_pair: Pair
    typical_pair: Pair  # the pair closest to fifteen agreements (the typical pair)
    rare_term: str
    common_term: str = "memorandum"
    median_pair: Pair = ("", "", 0)  # the median-sized pair
    pairs: int = 0  # pairs with at least one agreement


def pair_sizes(using: str = "default") -> list[Pair]:
    """Every pair with agreements, the largest first (ties in code order)."""
    from django.db.models import Count

    from agreements.models import Agreement

    return list(
        Agreement.objects.using(using)
        .order_by()
        .values_list("party_a", "party_b")
        .annotate(n=Count("id"))
        .order_by("-n", "party_a", "party_b")
    )


def choose_sample(using: str = "default") -> Sample:
    """The sample, from the database of Django's connection ``using``."""
    from agreements.models import Agreement

    agreements = Agreement.objects.using(using)
    total = agreements.count()
    middle = agreements.order_by("id").values_list("id", flat=True)[total // 2]
    sizes = pair_sizes(using)
    typical = min(sizes, key=lambda size: (abs(size[2] - 15), size[0], size[1]))
    # A number that only one synthetic title carries ("… no. 123456 (AB–CD)").
    title = agreements.filter(pk=middle).values_list("title", flat=True).get()
    rare = next(word for word in title.split() if word.isdigit() and int(word) > 100)
    return Sample(
        total, middle, sizes[0], typical, rare, median_pair=sizes[len(sizes) // 2], pairs=len(sizes)
    )


@dataclass
class LoadSample:
    ids: list[int]  # read at random
    patch_ids: list[int]  # patched at random: few enough that some patches collide
    countries: list[str]
    pairs: list[tuple[str, str]]  # pairs of 5 to 50 agreements, for the pair report


def choose_load_sample(database_url: str, seed: int = 5) -> LoadSample:
    rows = query(
        database_url,
        "SELECT id, party_a_id, party_b_id FROM agreements_agreement WHERE is_synthetic ORDER BY id",
    )
    pairs = query(
        database_url,
        "SELECT party_a_id, party_b_id FROM agreements_agreement WHERE is_synthetic "
        "GROUP BY 1, 2 HAVING count(*) BETWEEN 5 AND 50 ORDER BY 1, 2",
    )
    if not rows:
        raise SystemExit("The database holds no synthetic agreements.")
    chosen = random.Random(seed)
    ids = [row[0] for row in rows]
    return LoadSample(
        ids=ids,
        patch_ids=chosen.sample(ids, min(200, len(ids))),
        countries=sorted({row[1] for row in rows} | {row[2] for row in rows}),
        pairs=pairs or [(rows[0][1], rows[0][2])],
    )


def busiest_country(using: str = "default") -> tuple[str, int]:
    """The country in the most agreements (as either party), and how many."""
    from collections import Counter

    involving: Counter[str] = Counter()
    for a, b, n in pair_sizes(using):
        involving.update({a: n, b: n})
    code, count = min(involving.items(), key=lambda item: (-item[1], item[0]))
    return code, count
