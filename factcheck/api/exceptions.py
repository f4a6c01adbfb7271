"""Every API error is JSON with a human-readable ``detail``; field problems are listed too."""

from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        errors = response.data
        messages = [f"{field}: {' '.join(str(m) for m in problems)}" for field, problems in errors.items()]
        response.data = {"detail": "Invalid request. " + " ".join(messages), "errors": errors}
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": " ".join(str(item) for item in response.data), "errors": {}}
    if response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        response.data = {"detail": "This API is read-only: use GET, HEAD or OPTIONS."}
    return response
