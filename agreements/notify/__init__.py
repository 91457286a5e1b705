"""Telling people: the e-mail digests of what they watch (and the links those e-mails carry)."""
