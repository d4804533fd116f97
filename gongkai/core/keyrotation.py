"""Rotating the field keys over everything they protect (``gongkai keys rotate``).

``FIELD_ENCRYPTION_KEYS`` lists the keys, the one that encrypts first; every key still
decrypts. To rotate, an operator prepends a new key, runs :func:`rotate`, and only once it
reports nothing left under an old key removes that key (``gongkai keys status``). Each
step re-encrypts under the first key and skips what already is, so an interrupted run is
resumed by running it again:

1. every ``EncryptedTextField`` of every model (``crypto.rotate_encrypted_fields``, by
   primary key in committed batches);
2. the blind indexes the apps register (``FoiRequest.applicant_key``, "the same
   applicant", by ``foi.keyrotation``), derived from the first key, recomputed from the decrypted ID number so that old and new requests still
   match (the idempotency indexes are not: their records live 24 hours and are looked up
   under every key);
3. every file stored through ``EncryptedStorage`` (attachments, letters, disclosed files,
   files on drafted replies): a file whose header names another key is decrypted and
   re-encrypted as it streams, stored under a new generated name, and every row naming the
   old file is pointed at the new one in one transaction. The header's key id is the
   progress marker.

Old files are not deleted there. A view that loaded a row before the re-point and saves it
whole afterwards writes the old name back, so deleting the old file at once could leave a
row naming nothing. Instead each replaced name is recorded (``core.RotationPendingFile``,
in the transaction that re-points the rows; the new file's name is recorded before it is
written) and :func:`sweep` deletes a recorded file only once no row names it and it was
recorded more than :data:`DELETE_GRACE` ago (longer than any request holds a row). The
sweep runs at the start and the end of every ``rotate``, and as ``gongkai keys sweep``.
A name some row took back is dropped from the list: the file is then an ordinary file
under an old key, which ``keys status`` reports and the next ``rotate`` re-encrypts. An
interrupted run leaves only recorded names, which ``keys status`` counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction

from gongkai.core import audit, clock, crypto
from gongkai.core.encrypted_storage import EncryptedStorage, encrypted_storage, generated_name
from gongkai.core.models import RotationPendingFile

logger = logging.getLogger(__name__)

ROTATE_ACTION = "core.keys.rotate"
SWEEP_ACTION = "core.keys.sweep"
# A replaced file is kept at least this long after its rows were re-pointed: a request that
# loaded a row before then may still save the old name back.
DELETE_GRACE = dt.timedelta(minutes=15)
DRAFT_FILES_KEY = "files"  # foi.LetterDraft.fields["files"][i]["path"]


def encrypted_text_fields() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def encrypted_file_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, f.name)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField) and isinstance(f.storage, EncryptedStorage)
    ]


def _draft_model():
    try:
        return apps.get_model("foi", "LetterDraft")
    except LookupError:
        return None


@dataclass
class RotationResult:
    fields: dict[str, int] = field(default_factory=dict)  # "app.Model": rows re-encrypted
    blind_indexes: int = 0
    files: int = 0
    files_missing: list[str] = field(default_factory=list)
    sweep: SweepResult = field(default_factory=lambda: SweepResult())
    files_pending: int = 0  # replaced files left for a later sweep

    def as_dict(self) -> dict:
        return {"fields": self.fields, "blind_indexes": self.blind_indexes, "files": self.files,
                "files_missing": len(self.files_missing), "files_deleted": self.sweep.deleted,
                "files_named_again": self.sweep.named_again, "files_pending": self.files_pending}


@dataclass
class SweepResult:
    deleted: int = 0  # recorded files no row names, deleted
    named_again: int = 0  # recorded names a row names again (saved back): kept, dropped from the list
    waiting: int = 0  # recorded too recently to delete

    def add(self, other: SweepResult) -> None:
        self.deleted += other.deleted
        self.named_again += other.named_again
        self.waiting = other.waiting


# --- 2. blind indexes -----------------------------------------------------------------------


# Blind indexes are derived from the first key by the app that owns them, which registers
# its recomputation here (arrows point down: core does not import the apps above it).
BLIND_INDEX_ROTATORS: list[Callable[..., int]] = []


def register_blind_index(rotator: Callable[..., int]) -> None:
    """``rotator(batch_size=…)`` recomputes one blind index under the first key where it
    differs and returns how many rows changed; registering twice keeps one."""
    if rotator not in BLIND_INDEX_ROTATORS:
        BLIND_INDEX_ROTATORS.append(rotator)


# --- 3. files -------------------------------------------------------------------------------


def _draft_paths() -> list[tuple[int, str]]:
    model = _draft_model()
    if model is None:
        return []
    out = []
    for pk, data in model.objects.order_by("pk").values_list("pk", "fields"):
        for entry in (data or {}).get(DRAFT_FILES_KEY, []) if isinstance(data, dict) else []:
            if isinstance(entry, dict) and entry.get("path"):
                out.append((pk, entry["path"]))
    return out


def _repoint(old: str, new: str) -> int:
    """Point every row naming ``old`` at ``new`` (rows locked). Returns how many."""
    count = 0
    for model, name in encrypted_file_fields():
        pks = list(model._default_manager.select_for_update().filter(**{name: old})
                   .values_list("pk", flat=True))
        if pks:
            count += model._default_manager.filter(pk__in=pks).update(**{name: new})
    draft_model = _draft_model()
    if draft_model is not None:
        for draft in draft_model.objects.select_for_update().filter(fields__has_key=DRAFT_FILES_KEY):
            entries = draft.fields.get(DRAFT_FILES_KEY) or []
            hit = False
            for entry in entries:
                if isinstance(entry, dict) and entry.get("path") == old:
                    entry["path"] = new
                    hit = True
            if hit:
                draft_model.objects.filter(pk=draft.pk).update(fields=draft.fields)
                count += 1
    return count


def _stored_names(batch_size: int = 500):
    """Every stored name a row points at, read lazily by primary key: a name shared by two
    rows (a reply letter is also its Letter's DOCX) comes again after it was re-pointed,
    and is then found under the first key and skipped."""
    for model, name in encrypted_file_fields():
        last_pk = None
        while True:
            qs = model._default_manager.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
            if last_pk is not None:
                qs = qs.filter(pk__gt=last_pk)
            rows = list(qs.order_by("pk").values_list("pk", name)[:batch_size])
            if not rows:
                break
            last_pk = rows[-1][0]
            for _, value in rows:
                yield value
    for _, path in _draft_paths():
        yield path


def rotate_files(*, after_each: Callable[[str, str], None] | None = None,
                 result: RotationResult | None = None) -> RotationResult:
    """Re-encrypt every stored request file not under the first key (see the module
    docstring). ``after_each(old, new)`` is called once a file is done (its rows
    committed; the old file recorded for a later sweep)."""
    result = result or RotationResult()
    storage = encrypted_storage()
    primary = crypto.field_key_ids()[0]
    for old in _stored_names():
        if not storage.exists(old):
            result.files_missing.append(old)
            logger.warning("keys rotate: %s is named by a row but missing from storage", old)
            continue
        old_key = storage.key_id(old)
        if old_key == primary:
            continue
        new = _rotate_one(storage, old, old_key or "", primary)
        if new is not None:
            result.files += 1
        if after_each is not None:
            after_each(old, new or "")
    return result


def _rotate_one(storage: EncryptedStorage, old: str, old_key: str, primary: str) -> str | None:
    """Re-encrypt ``old`` into a new file and point its rows there. Returns the new name,
    or None if no row named ``old`` any more (the new copy is then deleted)."""
    # Recorded (committed) before the file is written: a crash from here on leaves a name
    # that the sweep finds unnamed and deletes, never an unseen file.
    new = generated_name(old)
    entry = RotationPendingFile.objects.create(name=new, role=RotationPendingFile.Role.NEW,
                                               key_id=primary, recorded_at=clock.now())
    stored = None
    try:
        with storage.open(old, "rb") as plain:  # decrypts as it streams; nothing on disk
            stored = storage.save_generated(new, plain)
        if stored != new:
            RotationPendingFile.objects.filter(pk=entry.pk).update(name=stored)
        with transaction.atomic():
            moved = _repoint(old, stored)
            if moved:
                RotationPendingFile.objects.filter(pk=entry.pk).delete()
                RotationPendingFile.objects.update_or_create(
                    name=old, defaults={"role": RotationPendingFile.Role.OLD, "replaced_by": stored,
                                        "key_id": old_key, "recorded_at": clock.now()})
    except BaseException:
        if stored is not None:
            storage.delete(stored)
        RotationPendingFile.objects.filter(pk=entry.pk).delete()
        raise
    if moved:
        return stored
    # The rows changed meanwhile: nothing names either file, and nobody ever saw the new name.
    storage.delete(stored)
    RotationPendingFile.objects.filter(pk=entry.pk).delete()
    return None


# --- deleting replaced files ----------------------------------------------------------------


def sweep(*, grace: dt.timedelta = DELETE_GRACE) -> SweepResult:
    """Delete every recorded file (:class:`RotationPendingFile`) recorded more than ``grace``
    ago that no row names; drop from the list, keeping the file, every name a row names
    again. Each entry is removed in the transaction that deletes its file, so a failed
    delete leaves it listed for the next sweep."""
    result = SweepResult()
    cutoff = clock.now() - grace
    due = RotationPendingFile.objects.filter(recorded_at__lte=cutoff)
    result.waiting = RotationPendingFile.objects.filter(recorded_at__gt=cutoff).count()
    if not due.exists():
        return result
    named = set(_stored_names())
    storage = encrypted_storage()
    for pk, name, replaced_by in due.order_by("pk").values_list("pk", "name", "replaced_by"):
        with transaction.atomic():
            if not RotationPendingFile.objects.select_for_update().filter(pk=pk).exists():
                continue  # another sweep took it
            RotationPendingFile.objects.filter(pk=pk).delete()
            if name in named:
                result.named_again += 1
                logger.warning("keys sweep: %s was saved back into a row; kept (rotate again)", name)
                if replaced_by and replaced_by not in named:
                    # The saved-back row dropped the re-encrypted copy: list that copy for
                    # a later sweep (a request may still hold a row naming it).
                    RotationPendingFile.objects.update_or_create(
                        name=replaced_by, defaults={"role": RotationPendingFile.Role.NEW, "replaced_by": "",
                                                    "key_id": "", "recorded_at": clock.now()})
                    result.waiting += 1
                continue
            storage.delete(name)  # raises inside the transaction: the entry stays
            result.deleted += 1
    return result


def sweep_audited(*, reason: str = "", grace: dt.timedelta = DELETE_GRACE) -> SweepResult:
    """:func:`sweep`, audited (``core.keys.sweep``) when it changed anything."""
    result = sweep(grace=grace)
    if result.deleted or result.named_again:
        audit.record(actor=None, action=SWEEP_ACTION, reason=reason or "删除轮换后已替换的旧文件",
                     object_type="core.fieldkey", object_id=crypto.field_key_ids()[0],
                     object_repr="replaced files",
                     after={"deleted": result.deleted, "named_again": result.named_again,
                            "waiting": result.waiting})
    return result


# --- all of it ------------------------------------------------------------------------------


def rotate(*, reason: str = "", batch_size: int = 500,
           after_file: Callable[[str, str], None] | None = None) -> RotationResult:
    """Re-encrypt everything under the first configured key, sweeping replaced files before
    and after; audited (``core.keys.rotate``, with the counts and the new key's id, also
    when interrupted)."""
    result = RotationResult()
    primary = crypto.field_key_ids()[0]
    try:
        result.sweep.add(sweep())  # what an earlier run left
        for model, names in encrypted_text_fields():
            result.fields[model._meta.label] = crypto.rotate_encrypted_fields(model, names, batch_size=batch_size)
        result.blind_indexes = sum(rotate(batch_size=batch_size) for rotate in BLIND_INDEX_ROTATORS)
        rotate_files(after_each=after_file, result=result)
        result.sweep.add(sweep())
        result.files_pending = RotationPendingFile.objects.count()
    except BaseException as exc:
        result.files_pending = RotationPendingFile.objects.count()
        audit.record(actor=None, action=ROTATE_ACTION, reason=reason or "密钥轮换（中断）",
                     object_type="core.fieldkey", object_id=primary, object_repr=f"key {primary}",
                     after={**result.as_dict(), "completed": False, "error": type(exc).__name__})
        raise
    audit.record(actor=None, action=ROTATE_ACTION, reason=reason or "密钥轮换",
                 object_type="core.fieldkey", object_id=primary, object_repr=f"key {primary}",
                 after={**result.as_dict(), "completed": True})
    return result


# --- status ---------------------------------------------------------------------------------


@dataclass
class KeyStatus:
    key_ids: list[str]
    # "app.Model.field" -> {key id or "unreadable"/"plaintext"/"missing": count}
    fields: dict[str, dict[str, int]]
    files: dict[str, int]
    # Files replaced by a rotation and not yet deleted (no row names them), by key id
    # ("missing" once gone from storage); and when the sweep may delete the last of them.
    replaced: dict[str, int] = field(default_factory=dict)
    replaced_deletable_at: dt.datetime | None = None

    def old_key_in_use(self) -> bool:
        """True while anything is under a key other than the first, or unreadable —
        including replaced files still in storage, which an old key would decrypt."""
        first = self.key_ids[0]
        counts = [*self.files.items(), *self.replaced.items()]
        counts += [item for c in self.fields.values() for item in c.items()]
        return any(key != first and n for key, n in counts if key != "missing")


def status() -> KeyStatus:
    """What is encrypted under which key: counts per key id for every encrypted field
    and for the stored files."""
    fields: dict[str, dict[str, int]] = {}
    for model, names in encrypted_text_fields():
        raw = crypto.raw_tokens(names)
        counts = {n: {} for n in names}
        for row in model._default_manager.annotate(**raw).values_list(*raw).iterator():
            for n, token in zip(names, row, strict=True):
                if not token:
                    continue
                key = crypto.token_key_id(token) or "unreadable"
                counts[n][key] = counts[n].get(key, 0) + 1
        for n in names:
            fields[f"{model._meta.label}.{n}"] = counts[n]
    storage = encrypted_storage()
    files: dict[str, int] = {}
    for name in dict.fromkeys(_stored_names()):
        key = _file_key(storage, name)
        files[key] = files.get(key, 0) + 1
    replaced: dict[str, int] = {}
    latest = None
    for name, recorded_at in RotationPendingFile.objects.values_list("name", "recorded_at").iterator():
        key = _file_key(storage, name)
        replaced[key] = replaced.get(key, 0) + 1
        latest = recorded_at if latest is None else max(latest, recorded_at)
    return KeyStatus(key_ids=crypto.field_key_ids(), fields=fields, files=files, replaced=replaced,
                     replaced_deletable_at=None if latest is None else latest + DELETE_GRACE)


def _file_key(storage: EncryptedStorage, name: str) -> str:
    return (storage.key_id(name) or "plaintext") if storage.exists(name) else "missing"
