"""Refresh the query planner's statistics (``agreements.planner``): ``make run`` runs it with
``--if-stale`` at start, so that a SQLite file filled or changed by other means since (a
copied file, an older version that never analysed) is planned on what it holds now."""

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from agreements.planner import refresh_stale_statistics, refresh_statistics


class Command(BaseCommand):
    help = (
        "ANALYZE the database, so that the query planner chooses the right indexes; with --if-stale, "
        "only when some table's statistics are missing or its row count moved by more than 10 %."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-stale", action="store_true", help="Only if some table's statistics are out of date."
        )

    def handle(self, *args, if_stale: bool, **options) -> None:
        if not if_stale:
            refresh_statistics()
            self.stdout.write(f"Statistics refreshed ({connection.vendor}).")
        elif stale := refresh_stale_statistics():
            self.stdout.write(f"Statistics refreshed ({connection.vendor}); out of date: {', '.join(stale)}.")
        elif options["verbosity"] > 1:
            self.stdout.write("Statistics are up to date.")
