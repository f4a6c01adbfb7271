"""Uploads waiting for confirmation: the admin's import keeps the files of a dry run.

The reviewer reads the dry run's summary, then confirms; the files wait in the default
storage under an unguessable token (bound to the session by the admin), so the import
writes exactly what the dry run checked. Unconfirmed uploads go after PENDING_MAX_AGE.
"""

import re
import secrets
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import get_valid_filename

from .readers import Input

PENDING = "claimreview-imports"
PENDING_MAX_AGE = timedelta(days=1)


def stash(inputs: list[Input]) -> str:
    """Keep uploaded files until the reviewer confirms the dry run; returns their token."""
    discard_stale()
    token = secrets.token_urlsafe(18)
    for number, item in enumerate(inputs):
        # The stored name carries the order; the original name is kept for messages.
        default_storage.save(
            f"{PENDING}/{token}/{number:04d}-{get_valid_filename(Path(item.name).name)}", ContentFile(item.content)
        )
    return token


def unstash(token: str) -> list[Input]:
    """The files kept under ``token``, in upload order; FileNotFoundError if gone."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{24}", token or ""):
        raise FileNotFoundError("unknown upload")
    try:
        _, names = default_storage.listdir(f"{PENDING}/{token}")
    except FileNotFoundError:
        names = []
    if not names:
        raise FileNotFoundError("unknown upload")
    inputs = []
    for name in sorted(names):
        with default_storage.open(f"{PENDING}/{token}/{name}", "rb") as handle:
            inputs.append(Input(name.split("-", 1)[1], handle.read()))
    return inputs


def discard(token: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{24}", token or ""):
        return
    try:
        _, names = default_storage.listdir(f"{PENDING}/{token}")
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{PENDING}/{token}/{name}")
    # FileSystemStorage leaves the empty folder; remove it when the storage is local.
    with suppress(NotImplementedError, OSError):
        Path(default_storage.path(f"{PENDING}/{token}")).rmdir()


def discard_stale() -> None:
    """Remove uploads nobody confirmed within PENDING_MAX_AGE."""
    try:
        tokens, _ = default_storage.listdir(PENDING)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - PENDING_MAX_AGE
    for token in tokens:
        try:
            _, names = default_storage.listdir(f"{PENDING}/{token}")
            stale = not names or default_storage.get_modified_time(f"{PENDING}/{token}/{names[0]}") < cutoff
        except (FileNotFoundError, NotImplementedError):
            continue
        if stale:
            discard(token)
