"""Signals the desk's writes send, for whatever acts on public changes (webhooks).

Sent inside the writing transaction: a receiver's own writes commit or roll back with the
change.
"""

from django.dispatch import Signal

# A verdict was published, corrected or retracted: arguments ``verdict`` (the standing or
# retracted verdict) and ``change`` ("published", "corrected" or "retracted").
verdict_changed = Signal()

# The public record of these claims changed (their text, quotes, topics): ``claim_ids``.
claims_changed = Signal()
