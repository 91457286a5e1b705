import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agreements.history import recorded_as
from agreements.planner import refresh_statistics
from agreements.services.importing import DocumentError, import_document


class Command(BaseCommand):
    help = "Import agreements, people and sources from JSON documents (idempotent: safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", type=Path, help="JSON documents, e.g. fixtures/iran-iraq.json"
        )

    def handle(self, *args, paths: list[Path], **options) -> None:
        changed = False
        try:
            for path in paths:
                try:
                    document = json.loads(path.read_text(encoding="utf-8"))
                    with recorded_as("command"):
                        result = import_document(document)
                except OSError as error:
                    raise CommandError(f"{path}: {error.strerror}") from None
                except json.JSONDecodeError as error:
                    raise CommandError(f"{path}: not valid JSON ({error})") from None
                except DocumentError as error:
                    raise CommandError(f"{path}: {error} Nothing was imported.") from None
                changed = changed or bool(result.created or result.updated)
                self.stdout.write(self.style.SUCCESS(f"{path}: {str(result) or 'nothing to change'}"))
        finally:
            if changed:
                # Files can hold thousands of agreements; the files before a failed one stay
                # imported. The planner must know either way (agreements.planner).
                refresh_statistics()
