import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ._postgres import postgres_client_args


class Command(BaseCommand):
    help = (
        "Write the whole PostgreSQL database (schema, data, history) to one file with pg_dump's "
        "custom format; restore_database reads it back. Refused on SQLite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", type=Path, help="The file to write, e.g. backups/tracker.dump.")

    def handle(self, *args, output: Path, **options) -> None:
        client_args, env = postgres_client_args()
        output.parent.mkdir(parents=True, exist_ok=True)
        # -Fc: compressed, and pg_restore can pick, reorder or --clean from it; --no-owner so
        # it restores as whoever runs the restore.
        command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(output), *client_args]
        if subprocess.run(command, env=env).returncode != 0:
            raise CommandError("pg_dump failed (see above); nothing was written.")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({output.stat().st_size:,} bytes)."))
