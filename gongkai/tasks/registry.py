"""Task handlers by name: the outbox stores a name, a worker looks the function up here.

An app registers its handlers with ``@handler("name")``; the name is what ``enqueue``
takes, so a row written today runs on a worker deployed tomorrow as long as the name stays.
"""

from collections.abc import Callable

_handlers: dict[str, Callable[..., object]] = {}


def handler(name: str):
    def register(func):
        if _handlers.get(name, func) is not func:
            raise ValueError(f"task handler {name!r} registered twice")
        _handlers[name] = func
        return func

    return register


def get(name: str) -> Callable[..., object]:
    try:
        return _handlers[name]
    except KeyError:
        raise LookupError(f"no task handler named {name!r}") from None


def names() -> list[str]:
    return sorted(_handlers)
