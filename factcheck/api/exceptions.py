"""Every API error is JSON with a human-readable ``detail``; parameter problems are listed too."""

from django.core.exceptions import TooManyFieldsSent
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class ParameterForbidden(exceptions.PermissionDenied):
    """403 naming the parameters the caller may not use, shaped like a 400's ``errors``."""


def exception_handler(exc, context):
    if isinstance(exc, TooManyFieldsSent):
        # Django refuses to parse more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters; left to
        # Django, that is an HTML 400 page.
        exc = exceptions.ValidationError("Too many parameters in the query string.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException) and isinstance(exc.detail, dict):
        errors = response.data
        messages = [f"{field}: {' '.join(str(m) for m in problems)}" for field, problems in errors.items()]
        prefix = "Invalid request. " if isinstance(exc, exceptions.ValidationError) else ""
        response.data = {"detail": prefix + " ".join(messages), "errors": errors}
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": " ".join(str(item) for item in response.data), "errors": {}}
    if response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        response.data = {"detail": "This API is read-only: use GET, HEAD or OPTIONS."}
    return response
