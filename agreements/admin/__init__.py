from . import agreements, commitments, following, reference, tokens  # noqa: F401  (registers the model admins)
