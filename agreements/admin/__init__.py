from . import agreements, reference, tokens  # noqa: F401  (registers the model admins)
