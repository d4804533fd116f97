"""The life of an item of proactive disclosure: draft, secrecy review, leak screening,
leader approval, publication (now or scheduled), withdrawal (条例 Art. 17, 19–26).

The services live by stage — ``drafting`` (create, edit, attachments), ``leak_screening``
(screen, mask, override), ``review`` (submit, review, approve, return), ``release``
(publish, schedule, withdraw, revise, other channels) — over ``history`` (locking, the
transition check, versions, events and audit rows). This module is the name callers use:
``from gongkai.publishing.services import publications as svc``.
"""

from __future__ import annotations

from collections.abc import Callable

from gongkai.core import listeners
from gongkai.publishing.models import Publication
from gongkai.publishing.services.drafting import (
    EDITABLE_FIELDS,
    new_index_number,
    publication_add_attachment,
    publication_create,
    publication_remove_attachment,
    publication_rename_attachment,
    publication_update,
)
from gongkai.publishing.services.history import current_revision
from gongkai.publishing.services.leak_screening import (
    UNSCREENABLE_KINDS,
    latest_screening,
    publication_override_screening,
    publication_redact,
    publication_screen,
)
from gongkai.publishing.services.release import (
    channel_release_record,
    publication_publish,
    publication_revise,
    publication_schedule,
    publication_withdraw,
    publications_release_due,
)
from gongkai.publishing.services.review import (
    publication_approve,
    publication_return,
    publication_review,
    publication_submit,
)

__all__ = [
    "EDITABLE_FIELDS",
    "UNSCREENABLE_KINDS",
    "channel_release_record",
    "current_revision",
    "latest_screening",
    "new_index_number",
    "publication_add_attachment",
    "publication_approve",
    "publication_create",
    "publication_override_screening",
    "publication_publish",
    "publication_redact",
    "publication_remove_attachment",
    "publication_rename_attachment",
    "publication_return",
    "publication_review",
    "publication_revise",
    "publication_schedule",
    "publication_screen",
    "publication_submit",
    "publication_update",
    "publication_withdraw",
    "publications_release_due",
    "visibility_listeners",
]

# Called inside the publishing transaction with (publication, visible: bool), so that
# whatever mirrors the public set (the search index) changes with it or not at all: the
# subscribers of core.listeners' "publication visibility" event, under their old name.
visibility_listeners: list[Callable[[Publication, bool], None]] = listeners.subscribers(
    listeners.PUBLICATION_VISIBILITY
)
