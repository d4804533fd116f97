"""Task handlers by name: the outbox stores a name, a worker looks the function up here.

An app registers its handlers with ``@handler("name")``; the name is what ``enqueue``
takes, so a row written today runs on a worker deployed tomorrow as long as the name stays.
``on_give_up`` names a function called with the task's arguments and the last error once
the task has failed for good, for work whose own record must say so (a delivery e-mail
that never went is recorded as failed, not left "on its way").
"""

from collections.abc import Callable

_handlers: dict[str, Callable[..., object]] = {}
_give_up: dict[str, Callable[..., object]] = {}


def handler(name: str, *, on_give_up: Callable[..., object] | None = None):
    def register(func):
        if _handlers.get(name, func) is not func:
            raise ValueError(f"task handler {name!r} registered twice")
        _handlers[name] = func
        if on_give_up is not None:
            _give_up[name] = on_give_up
        return func

    return register


def get(name: str) -> Callable[..., object]:
    try:
        return _handlers[name]
    except KeyError:
        raise LookupError(f"no task handler named {name!r}") from None


def give_up_hook(name: str) -> Callable[..., object] | None:
    """The function to call when the task ``name`` has failed for good, if any."""
    return _give_up.get(name)


def names() -> list[str]:
    return sorted(_handlers)
