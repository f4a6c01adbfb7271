"""Cursor pagination with named orderings, strict parameters and a capped page size."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination as DRFCursorPagination

PAGE_SIZE_PARAM = "page_size"


class CursorPagination(DRFCursorPagination):
    """Cursor pagination over a fixed set of orderings, each backed by an index.

    ``orderings`` maps the public name (``?ordering=-published_at``) to the database
    path it sorts on. Cursors are opaque; a cursor that cannot be decoded, a page size
    that is not a number or is out of range, or an unknown ordering are 400 errors.
    """

    page_size = 50
    max_page_size = 200
    page_size_query_param = PAGE_SIZE_PARAM
    ordering_param = "ordering"
    orderings: dict[str, str] = {}
    default_ordering = ""

    def get_ordering(self, request, queryset, view):
        name = request.query_params.get(self.ordering_param, self.default_ordering)
        if name not in self.orderings:
            raise ValidationError({self.ordering_param: [f"Choose one of: {', '.join(self.orderings)}."]})
        return (self.orderings[name],)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as error:  # a malformed cursor is the caller's mistake, not a missing page
            raise ValidationError(
                {self.cursor_query_param: ["Invalid cursor: follow the next and previous links as given."]}
            ) from error

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        parameters.append(
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"Sort order (default {self.default_ordering}).",
                "schema": {"type": "string", "enum": list(self.orderings), "default": self.default_ordering},
            }
        )
        return parameters

    @property
    def parameter_names(self) -> set[str]:
        return {self.cursor_query_param, self.page_size_query_param, self.ordering_param}
