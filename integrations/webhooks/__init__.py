"""Webhooks: signed pushes of the desk's public events to subscribers (Standard Webhooks).

``events`` writes the outbox (an event and one delivery per subscriber) in the transaction
of the change; ``delivery`` sends each one from the job queue with retries; ``signing``
and ``addresses`` hold the Standard Webhooks signature and the SSRF checks.
"""
