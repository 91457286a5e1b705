from . import agreements, reference  # noqa: F401  (registers the model admins)
