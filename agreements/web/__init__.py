"""What the API and the pages share as web interfaces: paths, converters, CSV responses,
the site-wide error handlers, the login lockout answer and the request middleware.

Nothing here knows a view of either interface; both import from here, and never each other.
"""
