from django.contrib import admin

from . import agreements, reference  # noqa: F401  (registers the model admins)

admin.site.site_header = "Bilateral agreement tracker"
admin.site.site_title = "Agreement tracker"
admin.site.index_title = "Agreements, people and sources"
# One dash for "nothing here" everywhere: the derived dates already show an em dash, and the
# read-only inline rows a viewer sees mixed it with Django's hyphen.
admin.site.empty_value_display = "—"
