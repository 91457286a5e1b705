from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agreements.services.spreadsheet import Action, SpreadsheetError, import_spreadsheet, read_workbook


class Command(BaseCommand):
    help = (
        "Import agreements from a spreadsheet (.xlsx, or .csv for the agreements sheet alone; columns: "
        "docs/editing.md). Prints the plan row by row; exits 1 when refused rows block the import."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="Show the plan; write nothing.")
        parser.add_argument(
            "--skip-refused",
            action="store_true",
            help="Import the other rows when some are refused (otherwise a refused row refuses all).",
        )

    def handle(self, *args, path: Path, dry_run: bool, skip_refused: bool, **options) -> None:
        try:
            workbook = read_workbook(path.read_bytes(), path.name)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except SpreadsheetError as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from None
        # The service refreshes the planner's statistics once it has written (agreements.planner).
        plan = import_spreadsheet(workbook=workbook, dry_run=dry_run, skip_refused=skip_refused)
        for row in plan.rows:
            label = f"{row.sheet} row {row.row}"
            if row.action == Action.REFUSE:
                self.stdout.write(self.style.ERROR(f"{label}: refused"))
                for problem in row.problems:
                    self.stdout.write(f"    {problem}")
                continue
            done = {
                Action.CREATE: "create",
                Action.UPDATE: f"update agreement {row.agreement_id} (matched {row.matched})",
                Action.UNCHANGED: f"unchanged: agreement {row.agreement_id} (matched {row.matched})",
            }[row.action]
            self.stdout.write(f"{label}: {done} — {row.title}")
        if plan.blocked:
            raise CommandError(f"{plan.summary()} Fix the refused rows, or run with --skip-refused.")
        self.stdout.write(self.style.SUCCESS(plan.summary()))
