"""What the OpenAPI schema says beyond drf-spectacular's defaults.

Every operation documents the errors it can answer with (400, 401, 403, 404, 429) and the
304 of a conditional request, with their bodies and headers; successful responses
document the caching headers; parameters carry the limits the API enforces (the length
of text, the range of ids), so that a client, or a fuzzer, reading the schema knows
which requests are valid.
"""

from typing import ClassVar

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.viewsets import ViewSetMixin

from .filters import MAX_ID, IdFilter
from .renderers import JSONRenderer

# Text parameters never hold NUL: Django's form fields refuse it (and PostgreSQL could not store it).
NO_NUL = "^[^\\x00]*$"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for a human.")


class ValidationErrorSerializer(ErrorSerializer):
    # The metaclass moves declared fields off the class, so Serializer.errors is untouched;
    # the stubs do not model that.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per parameter.",
    )


def _header(description: str, schema: dict | None = None, *, required: bool = False) -> dict:
    return {"schema": schema or {"type": "string"}, "description": description, "required": required}


class PublicAPISchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the API's errors, caching headers and id range."""

    def _action(self) -> str | None:
        # Only viewsets (PublicAPIMixin) use this schema; they name the action described.
        view = self.view
        assert isinstance(view, ViewSetMixin)
        return view.action

    def _is_detail(self) -> bool:
        return "{" in self.path

    def get_override_parameters(self):
        parameters = [
            *super().get_override_parameters(),
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                description="An ETag this caller holds: 304 without a body if the response has not changed.",
            ),
        ]
        if self._is_detail():
            parameters.append(
                OpenApiParameter(
                    "If-Modified-Since",
                    str,
                    OpenApiParameter.HEADER,
                    description="An HTTP date: 304 without a body if nothing in the response changed since.",
                )
            )
        if "{id}" in self.path:
            parameters.append(
                OpenApiParameter(
                    "id",
                    {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID},
                    OpenApiParameter.PATH,
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        success = responses.get("200")
        if success is not None:
            success.setdefault("headers", {}).update(self._success_headers())
        cache_headers = {
            "ETag": _header("Identifies this version of the response.", required=True),
            "Cache-Control": _header("How long shared caches may keep the response.", required=True),
        }
        responses.setdefault("304", {"description": "Not modified since the version the caller holds.", "headers": {}})
        responses["304"]["headers"].update(cache_headers)
        errors: dict[str, tuple[type[ErrorSerializer], str]] = {
            "400": (ValidationErrorSerializer, "A parameter is unknown, malformed, out of range or too long.")
        }
        errors["401"] = (
            ErrorSerializer,
            "The credentials sent are not valid: an unknown, revoked or expired API key or token (anonymous "
            "callers send none).",
        )
        if self._action() == "list" and "status" in getattr(
            getattr(self.view, "filterset_class", None), "base_filters", {}
        ):
            errors["403"] = (ValidationErrorSerializer, "Only desk members may ask for unpublished statuses.")
        if self._is_detail():
            errors["404"] = (ErrorSerializer, "No such object, or not one the caller may see.")
        errors["429"] = (ErrorSerializer, "Too many requests from this address or API key: wait Retry-After seconds.")
        for code, (serializer, description) in errors.items():
            if code in responses:
                continue
            response = self._get_response_for_code(serializer, code, [JSONRenderer.media_type], direction)
            response["description"] = description
            if code == "401":
                response["headers"] = {"WWW-Authenticate": _header("The authentication scheme.", required=True)}
            if code == "429":
                seconds = {"type": "integer", "minimum": 0}
                response["headers"] = {
                    "Retry-After": _header("Seconds until the next request is allowed.", seconds, required=True)
                }
            responses[code] = response
        return responses

    def _success_headers(self) -> dict:
        # A list streamed as CSV (integrations.csv_export) is sent before it is complete: no ETag.
        streams = self._action() == "list" and any(
            getattr(renderer, "format", None) == "csv" for renderer in self.view.renderer_classes
        )
        etag = "Identifies this version of the response (send it back in If-None-Match)."
        headers = {
            "ETag": _header(etag + (" Not sent with a streamed CSV list." if streams else ""), required=not streams),
            "Cache-Control": _header(
                "public for anonymous callers (max-age, stale-while-revalidate), else private.", required=True
            ),
            "Vary": _header("The request headers the response depends on.", required=True),
        }
        if self._is_detail():
            headers["Last-Modified"] = _header("The newest change among everything the response contains.")
        if getattr(getattr(self.view, "pagination_class", None), "sends_link_header", False):
            headers["Link"] = _header('The next and previous pages: <url>; rel="next", <url>; rel="prev".')
        return headers


class ConstrainedFilterExtension(DjangoFilterExtension):
    """django-filter parameters with the limits their form fields enforce: length, range, whole numbers."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        extra = filter_field.extra
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("type") == "array":
                # A status asked for twice is refused: say so.
                schema["uniqueItems"] = True
                schema = schema["items"]
            if isinstance(filter_field, IdFilter):
                schema.update(type="integer", format="int64")
            if "min_value" in extra:
                schema["minimum"] = extra["min_value"]
            if "max_value" in extra:
                schema["maximum"] = extra["max_value"]
            if "max_length" in extra:
                schema["maxLength"] = extra["max_length"]
            if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
                schema["pattern"] = NO_NUL
        return parameters


class SchemaView(SpectacularAPIView):
    """The OpenAPI document, built and rendered once per process (per version, language and format).

    Building it walks every view and takes about a second of CPU, and rendering it as YAML
    another ~130 ms; it only changes with the code, so doing either per request would let any
    anonymous caller spend that time at will.
    """

    _built: ClassVar[dict] = {}
    _rendered: ClassVar[dict] = {}

    def _schema_key(self, request) -> tuple:
        version = self.api_version or request.version or self._get_version_parameter(request)
        return (version, get_language())

    def _get_schema_response(self, request):
        key = self._schema_key(request)
        if key not in self._built:
            self._built[key] = super()._get_schema_response(request).data
        filename = self._get_filename(request, key[0])
        return Response(data=self._built[key], headers={"Content-Disposition": f'inline; filename="{filename}"'})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code != 200 or not isinstance(response, Response):
            return response
        key = (*self._schema_key(request), response.accepted_media_type)
        if key not in self._rendered:
            response.render()
            self._rendered[key] = (response.content, response["Content-Type"])
            return response
        content, content_type = self._rendered[key]
        # Setting the content marks the response rendered: the renderer is not run again.
        response.content = content
        response["Content-Type"] = content_type
        return response


@receiver(setting_changed)
def _forget_built_schemas(*, setting: str, **kwargs):
    # Tests change settings the schema reads (rates, limits).
    if setting.startswith(("REST_FRAMEWORK", "SPECTACULAR", "FACTCHECK_")):
        SchemaView._built.clear()
        SchemaView._rendered.clear()
