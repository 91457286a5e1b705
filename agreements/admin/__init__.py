from . import agreements, commitments, reference, tokens  # noqa: F401  (registers the model admins)
