"""The reviewers' and editors' workspace (the Django admin), by concern.

- ``filters``: the claim list's filters.
- ``claim``: claims, their appearances, "my review queue", starting a verdict.
- ``verdict``: the verdict list and form, with its evidence.
- ``workflow``: confirmation pages, corrections and bulk actions for the verdict transitions.
- ``imports``: the ClaimReview import wizard.
- ``reference``: speakers, topics and the rating scale.
- ``display``: chips, badges and helpers the screens share.

Thin: every write goes through ``claims.services``, and what may happen to a verdict
next is the table in ``claims.transitions``.
"""

from . import claim, reference, verdict  # noqa: F401  (importing registers the admin classes)
