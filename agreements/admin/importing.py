"""“Import from a spreadsheet”: upload a file, read the dry run row by row, confirm.

Step 1 takes the file and runs it as a dry run (``services.spreadsheet.import_spreadsheet``:
the whole import, rolled back), showing every row as created, updated or refused with the
cell and the reason. The file waits on the server under a signed token; “Import” runs the
same file again for real, with the editor's choice to skip refused rows. Who may add
agreements may import them.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..services.spreadsheet import (
    SHEETS,
    SpreadsheetError,
    import_spreadsheet,
    read_workbook,
    template_csv,
    template_xlsx,
)

_SALT = "agreements.spreadsheet-import"
# An uploaded file waits this long for its confirmation.
MAX_AGE_SECONDS = 60 * 60


def upload_dir() -> Path:
    directory = Path(
        getattr(settings, "IMPORT_UPLOAD_DIR", "") or Path(tempfile.gettempdir()) / "tracker-imports"
    )
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _prune() -> None:
    """Forget the uploads never confirmed: their tokens have expired."""
    oldest = time.time() - MAX_AGE_SECONDS
    for stored in upload_dir().iterdir():
        if stored.is_file() and stored.stat().st_mtime < oldest:
            stored.unlink(missing_ok=True)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text="An Excel workbook (.xlsx) with the sheets of the template, or a CSV file of agreements.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.casefold().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("Choose an .xlsx or a .csv file.")
        return upload


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    skip_refused = forms.BooleanField(
        required=False,
        label="Skip refused rows",
        help_text="Import the other rows; the refused ones are left out.",
    )

    def clean_token(self) -> tuple[Path, str]:
        try:
            name, filename = signing.loads(self.cleaned_data["token"], salt=_SALT, max_age=MAX_AGE_SECONDS)
        except signing.BadSignature:
            raise forms.ValidationError(
                "This upload has expired or is not valid; upload the file again."
            ) from None
        stored = upload_dir() / name
        if not stored.is_file():
            raise forms.ValidationError(
                "This upload has already been imported or has expired; upload it again."
            )
        return stored, filename


class SpreadsheetImportAdminMixin:
    """Adds the “Import from a spreadsheet” page and the template's downloads to the agreement admin."""

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        urls = [
            path("import/", view(self.import_view), name=f"{name}_import"),
            path(
                "import/template.<str:format>",
                view(self.import_template_view),
                name=f"{name}_import_template",
            ),
        ]
        return urls + super().get_urls()

    def import_template_view(self, request: HttpRequest, format: str) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        if format == "xlsx":
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            response = HttpResponse(template_xlsx(), content_type=content_type)
        elif format == "csv":
            response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        else:
            return HttpResponse(
                "The template is an .xlsx or a .csv file.", status=404, content_type="text/plain"
            )
        response["Content-Disposition"] = f'attachment; filename="agreements-template.{format}"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import from a spreadsheet",
            "sheets": SHEETS,
        }
        if request.method != "POST":
            return self._import_page(request, context, upload_form=UploadForm())
        if "token" not in request.POST:
            return self._dry_run(request, context)
        return self._confirm(request, context)

    def _dry_run(self, request: HttpRequest, context: dict) -> HttpResponse:
        upload_form = UploadForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return self._import_page(request, context, upload_form=upload_form)
        upload = upload_form.cleaned_data["file"]
        content = upload.read()
        try:
            plan = import_spreadsheet(workbook=read_workbook(content, upload.name), dry_run=True)
        except SpreadsheetError as error:
            upload_form.add_error("file", str(error))
            return self._import_page(request, context, upload_form=upload_form)
        _prune()
        name = secrets.token_hex(16)
        (upload_dir() / name).write_bytes(content)
        token = signing.dumps([name, upload.name], salt=_SALT)
        confirm_form = ConfirmForm(initial={"token": token, "skip_refused": False})
        return self._import_page(request, context, plan=plan, confirm_form=confirm_form)

    def _confirm(self, request: HttpRequest, context: dict) -> HttpResponse:
        confirm_form = ConfirmForm(request.POST)
        if not confirm_form.is_valid():
            return self._import_page(
                request, context, upload_form=UploadForm(), confirm_errors=confirm_form.errors
            )
        stored, filename = confirm_form.cleaned_data["token"]
        try:
            workbook = read_workbook(stored.read_bytes(), filename)
        except SpreadsheetError as error:  # the file was read once already; kept for safety
            messages.error(request, str(error))
            return HttpResponseRedirect(request.path)
        plan = import_spreadsheet(workbook=workbook, skip_refused=confirm_form.cleaned_data["skip_refused"])
        if plan.blocked:
            # The data changed since the dry run, or the editor did not choose to skip: show why.
            return self._import_page(request, context, plan=plan, confirm_form=confirm_form)
        stored.unlink(missing_ok=True)
        messages.success(request, plan.summary())
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def _import_page(self, request: HttpRequest, context: dict, **extra: Any) -> TemplateResponse:
        return TemplateResponse(request, "admin/agreements/agreement/import.html", {**context, **extra})
