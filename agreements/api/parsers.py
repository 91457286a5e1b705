"""The request body parser: DRF's JSON parser, with nesting too deep to parse a 400."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # json.load recurses once per level: "[[[[…" a few thousand deep (10 kB) exhausts
            # the stack, which DRF does not count as a parse error, so it was a 500.
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
