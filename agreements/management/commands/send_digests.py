"""E-mail each reader the changes to what they watch since their last digest.

Run ``--period daily`` once a day and ``--period weekly`` once a week (cron, systemd timers).
Mail goes where ``EMAIL_URL`` says (printed on the console by default). A run stopped
halfway can be run again: nobody is told the same changes twice.
"""

from django.core.management.base import BaseCommand, CommandParser

from agreements.models.watches import DigestPeriod
from agreements.notify.digests import send_digests


class Command(BaseCommand):
    help = "Send the e-mail digests of one period: the changes to what each reader watches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period",
            required=True,
            choices=[DigestPeriod.DAILY, DigestPeriod.WEEKLY],
            help="Whose digests to send: the readers who asked for them daily, or weekly.",
        )

    def handle(self, *args, period: str, **options) -> None:
        run = send_digests(period)
        self.stdout.write(
            f"{run.sent} digest(s) sent, {run.failed} failed (their changes go in the next), "
            f"{run.readers} {period} reader(s)."
        )
