from . import agreements, commitments, following, reference, tokens, webhooks  # noqa: F401  (registers the model admins)
