from . import agreements, commitments, reference  # noqa: F401  (registers the model admins)
