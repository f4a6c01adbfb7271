"""Why the services refuse a write: the messages are shown to the person as they are."""


class WorkflowError(Exception):
    """A change the verdict's state or content does not allow; the message says why."""


class ConflictError(Exception):
    """The row was saved by someone else after the caller read it."""
