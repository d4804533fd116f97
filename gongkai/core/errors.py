"""Domain errors raised by services. Views turn them into Chinese messages; the wrong
actor is Django's PermissionDenied, never one of these."""


class DomainError(Exception):
    """A rule of the domain refused the change; ``message`` is shown to users."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidTransition(DomainError):
    """The object is not in a state that allows this step."""
