"""Reading whole numbers typed by people and programs."""


def is_whole_number(text: str) -> bool:
    """Whether ``text`` is a non-empty run of the ASCII digits 0–9.

    ``str.isdigit`` alone also accepts "²" or "①", which ``int()`` then refuses with a
    ValueError: a request that sent one would get a 500 instead of a 400.
    """
    return text.isascii() and text.isdigit()
