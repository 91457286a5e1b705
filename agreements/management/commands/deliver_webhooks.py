"""Send the outbox's changes to the webhooks that asked for them, signed, in order.

Runs until stopped (SIGTERM or Ctrl-C end it after the delivery in flight); ``--once``
sends what can be sent now and exits, for cron and tests. Several may run at once on
PostgreSQL; on SQLite run one.
"""

import signal
import threading

from django.core.management.base import BaseCommand, CommandParser

from agreements.notify.webhooks import Worker


class Command(BaseCommand):
    help = "Deliver webhook events from the outbox (long-running; --once to send what is due and exit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due now, then exit.")
        parser.add_argument(
            "--poll",
            type=float,
            default=0.5,
            help="Seconds to wait when there is nothing to send (default 0.5).",
        )

    def handle(self, *args, once: bool, poll: float, **options) -> None:
        if poll <= 0:
            self.stderr.write("--poll: give a number of seconds above zero.")
            raise SystemExit(2)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        worker = Worker(stop=stop)
        done = worker.run(once=once, poll=poll)
        self.stdout.write(
            f"{done.delivered} delivered, {done.sent - done.delivered} failed tries, "
            f"{done.queued} queued, {done.claims} claim(s) by {worker.name}."
        )
