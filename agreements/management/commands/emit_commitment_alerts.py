"""Tell the feeds, digests and webhooks which commitments fall due soon or are overdue.

Run it once a day (cron, a systemd timer); running it more often, or twice at once, makes
no alert twice. The commitments come from the same report as /reports/commitments/, at
every level, so an alert and the page always agree.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.choices import LevelScope
from agreements.dates import PartialDate
from agreements.reports import commitments_report
from agreements.reports.inputs import today
from agreements.services.alerts import CommitmentAlert, record_commitment_alerts

DEFAULT_WITHIN_DAYS = 30


class Command(BaseCommand):
    help = "Record an alert for each commitment falling due soon or overdue (once per due date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--within-days",
            type=int,
            default=DEFAULT_WITHIN_DAYS,
            help=f"Due within this many days counts as falling due (default {DEFAULT_WITHIN_DAYS}).",
        )
        parser.add_argument("--as-of", help="The day to ask about, YYYY-MM-DD (default today).")

    def handle(self, *args, within_days: int, as_of: str | None, **options) -> None:
        if within_days < 0:
            raise CommandError("--within-days cannot be negative.")
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else today()
        except ValueError as error:
            raise CommandError(f"--as-of: “{as_of}” is not a date (YYYY-MM-DD).") from error
        report = commitments_report(as_of=day, window_days=within_days, level=LevelScope.ALL)
        alerts = [
            CommitmentAlert(
                commitment=row["commitment"],
                agreement=row["agreement"],
                position=row["position"],
                text=row["text"],
                party=row["party"],
                due=PartialDate(row["due"], row["due_precision"]),
                overdue=row["overdue"],
            )
            for row in report.rows
        ]
        made = record_commitment_alerts(alerts, as_of=day)
        self.stdout.write(f"{made} new alert(s); {len(alerts) - made} already made.")
