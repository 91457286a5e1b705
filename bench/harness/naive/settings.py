"""The product's settings with the naive baseline's URLs added (see ``bench.harness.naive``)."""

from tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.harness.naive.urls"
