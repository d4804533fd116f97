"""Personal data at rest: field encryption and blind indexes.

Applicants' ID numbers, phone numbers and addresses are stored encrypted (Fernet: AES-128-CBC
plus HMAC-SHA256, random IV, so equal plaintexts give different tokens) under
``settings.FIELD_ENCRYPTION_KEYS``. The first key encrypts; every key decrypts, so a key is
rotated by prepending the new one, running :func:`rotate_encrypted_fields` and only then
removing the old one.

Because ciphertext is randomised, an encrypted column cannot be searched. Where the domain
needs "the same applicant" (equal ID numbers), store a :func:`blind_index` of the
normalised value next to the ciphertext and look rows up by that.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models, transaction
from django.db.models.lookups import Exact

__all__ = [
    "DecryptionError",
    "EncryptedLookupError",
    "EncryptedTextField",
    "blind_index",
    "blind_index_candidates",
    "decrypt",
    "encrypt",
    "field_key_ids",
    "file_keys",
    "raw_tokens",
    "rotate_encrypted_fields",
    "token_key_id",
]


class DecryptionError(Exception):
    """A stored token could not be decrypted with any configured key: a key was removed
    before its data was rotated, the keys are wrong, or the value was never encrypted.
    Never swallowed: showing the ciphertext (or nothing) as if it were the data is worse."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class EncryptedLookupError(FieldError):
    """A query compared an encrypted column with a value; ciphertext is randomised, so
    such a comparison can never match. Use a blind index instead."""


# --------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Keyring:
    source: tuple[str | bytes, ...]
    fernet: MultiFernet
    primary: Fernet
    raw_keys: tuple[bytes, ...]
    # (raw key, purpose) -> derived HMAC key; filled lazily.
    index_keys: dict[tuple[bytes, str], bytes] = dataclasses.field(default_factory=dict)


_keyring: _Keyring | None = None


def _build_keyring(source: tuple[str | bytes, ...]) -> _Keyring:
    if not source:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: personal data cannot be encrypted"
        )
    fernets, raw_keys = [], []
    for position, key in enumerate(source):
        try:
            fernets.append(Fernet(key))
            raw_keys.append(base64.urlsafe_b64decode(key))
        except (ValueError, TypeError, binascii.Error):
            # The key itself is never put in the message: it would end up in logs.
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS[{position}] is not a Fernet key "
                "(urlsafe base64 of 32 bytes)"
            ) from None
    return _Keyring(
        source=source, fernet=MultiFernet(fernets), primary=fernets[0], raw_keys=tuple(raw_keys)
    )


def _get_keyring() -> _Keyring:
    """The keyring for the current setting, rebuilt whenever the key list changes
    (``override_settings`` in tests, a reload in a shell)."""
    global _keyring
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None)
    if isinstance(keys, str | bytes) or keys is None:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be a list of Fernet keys")
    source = tuple(keys)
    ring = _keyring
    if ring is None or ring.source != source:
        ring = _keyring = _build_keyring(source)
    return ring


_KEY_ID_INFO = b"gongkai/key-id/v1"


def _key_id(raw_key: bytes) -> bytes:
    """An 8-byte public name of a key (HKDF of it, so it reveals nothing of the key): it
    is written in every encrypted file's header, so rotation and ``keys status`` know which
    key a file is under without trying them all."""
    return HKDF(algorithm=hashes.SHA256(), length=8, salt=None, info=_KEY_ID_INFO).derive(raw_key)


def file_keys() -> list[tuple[bytes, bytes]]:
    """``(key id, raw 32-byte key)`` of every configured field key, the first (the one
    that encrypts) first. For :mod:`gongkai.core.encrypted_storage`, which derives its
    per-file keys from these."""
    ring = _get_keyring()
    return [(_key_id(raw), raw) for raw in ring.raw_keys]


def field_key_ids() -> list[str]:
    """The configured keys' ids (16 hex characters), the encrypting key first."""
    return [key_id.hex() for key_id, _ in file_keys()]


def token_key_id(token: str) -> str | None:
    """The id of the configured key that authenticates a Fernet ``token``, or None if
    none does (for ``gongkai keys status``)."""
    ring = _get_keyring()
    data = token.encode("utf-8")
    for raw in ring.raw_keys:
        try:
            Fernet(base64.urlsafe_b64encode(raw)).decrypt(data)
        except InvalidToken:
            continue
        return _key_id(raw).hex()
    return None


# --------------------------------------------------------------------------
# Encryption
# --------------------------------------------------------------------------


def encrypt(text: str) -> str:
    """Fernet token (ASCII) for ``text`` under the first key. Every call gives a different
    token."""
    if not isinstance(text, str):
        raise TypeError(f"encrypt() takes a str, not {type(text).__name__}")
    return _get_keyring().fernet.encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Plaintext of a token made by :func:`encrypt` under any configured key.

    Raises :class:`DecryptionError` if no key authenticates the token.
    """
    if not isinstance(token, str):
        raise TypeError(f"decrypt() takes a str, not {type(token).__name__}")
    try:
        return _get_keyring().fernet.decrypt(token.encode("utf-8")).decode("utf-8")
    except (InvalidToken, UnicodeDecodeError):
        raise DecryptionError(
            "value cannot be decrypted with any key in GONGKAI_FIELD_KEYS (FIELD_ENCRYPTION_KEYS) "
            "(key removed before rotation, wrong key, or not an encrypted value)"
        ) from None


class _BlankOrNullExact(Exact):
    """``field=None`` and ``field=""`` still work: NULL and "" are stored as themselves."""

    def __init__(self, lhs, rhs):
        if not (rhs is None or (isinstance(rhs, str) and rhs == "")):
            raise EncryptedLookupError(_lookup_refusal(lhs, "exact"))
        super().__init__(lhs, rhs)


def _lookup_refusal(field_or_col, lookup_name: str) -> str:
    target = field_or_col
    if not isinstance(target, EncryptedTextField):
        target = getattr(field_or_col, "target", None)
    label = _field_label(target) if isinstance(target, EncryptedTextField) else "The field"
    return (
        f"{label} is encrypted: '{lookup_name}' cannot compare randomised ciphertext. "
        "Only isnull (and exact None or '') is supported; look rows up by a blind index "
        "(gongkai.core.crypto.blind_index) stored beside it."
    )


def _field_label(f: models.Field) -> str:
    model = getattr(f, "model", None)
    return f"{model._meta.label}.{f.name}" if model is not None else (f.name or "field")


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token, read back as the plain ``str``.

    ``None`` is stored as NULL and ``""`` as ``""`` — not encrypted — so a blank optional
    field costs nothing; this reveals only that the value is blank. Any other value is
    encrypted on every write (``save``, ``update``, ``bulk_create``).

    Queries: only ``isnull`` and ``exact`` against ``None`` or ``""``; everything else
    raises :class:`EncryptedLookupError` when the queryset is built. For equality lookups
    store a :func:`blind_index` in a separate indexed column.

    Serialisation (``dumpdata``) writes the plaintext, so fixtures made from real data are
    personal data themselves.
    """

    description = "Text encrypted at rest (Fernet)"

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        for attribute in ("unique", "db_index", "primary_key"):
            if getattr(self, attribute):
                errors.append(
                    checks.Error(
                        f"EncryptedTextField cannot have {attribute}=True: the ciphertext "
                        "is randomised, so an index on it is meaningless.",
                        hint="Index a blind_index() column instead.",
                        obj=self,
                        id="core.E101",
                    )
                )
        return errors

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except DecryptionError:
            label = _field_label(self)
            raise DecryptionError(
                f"{label}: stored value cannot be decrypted with any key in "
                "GONGKAI_FIELD_KEYS (FIELD_ENCRYPTION_KEYS) (key removed before rotation, wrong key, or a value "
                "written without encryption)",
                field=label,
            ) from None

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _BlankOrNullExact
        raise EncryptedLookupError(_lookup_refusal(self, lookup_name))

    def get_transform(self, lookup_name):
        raise EncryptedLookupError(_lookup_refusal(self, lookup_name))


# --------------------------------------------------------------------------
# Blind indexes
# --------------------------------------------------------------------------

_INDEX_INFO = b"gongkai/blind-index/v1/"


def _index_key(ring: _Keyring, raw_key: bytes, purpose: str) -> bytes:
    cache_key = (raw_key, purpose)
    derived = ring.index_keys.get(cache_key)
    if derived is None:
        # HKDF separates this key from the Fernet keys and one purpose from another: an
        # index of ID numbers cannot be compared with an index of phone numbers.
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=_INDEX_INFO + purpose.encode("utf-8"),
        ).derive(raw_key)
        ring.index_keys[cache_key] = derived
    return derived


def _check_index_args(value: str, purpose: str) -> None:
    if not isinstance(value, str) or not isinstance(purpose, str):
        raise TypeError("blind_index() takes str value and purpose")
    if not purpose:
        raise ValueError("blind_index() needs a purpose, e.g. 'resident_id'")
    if not value:
        # All blank values would share one index and look like "the same applicant".
        raise ValueError("blind_index() of an empty value; store no index for a blank field")


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash (HMAC-SHA256, 64 hex characters) of ``value`` for equality lookups.

    Equal values give equal indexes for the same ``purpose``; different purposes give
    unrelated indexes. The key is derived from the *first* field key, so without the keys
    the index reveals nothing, not even for the small space of ID numbers.

    The value is hashed as given: normalise it first (``normalise_id_number`` for ID
    numbers), or "110101..." and "110101...x" will not match. Prepending a new field key
    changes every index; during rotation look up with :func:`blind_index_candidates`.
    """
    _check_index_args(value, purpose)
    ring = _get_keyring()
    key = _index_key(ring, ring.raw_keys[0], purpose)
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def blind_index_candidates(value: str, purpose: str) -> list[str]:
    """The index of ``value`` under every configured key, current key first, for
    ``filter(id_index__in=...)`` while rows written under an older key remain."""
    _check_index_args(value, purpose)
    ring = _get_keyring()
    indexes: list[str] = []
    for raw_key in ring.raw_keys:
        key = _index_key(ring, raw_key, purpose)
        digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        if digest not in indexes:
            indexes.append(digest)
    return indexes


# --------------------------------------------------------------------------
# Rotation
# --------------------------------------------------------------------------


def raw_tokens(field_names: Iterable[str]) -> dict[str, models.Expression]:
    """``annotate()`` arguments reading the stored tokens of the encrypted ``field_names``
    rather than their decrypted values (``_raw_<name>``, in the order given): an
    ExpressionWrapper typed as a plain TextField skips the field's ``from_db_value``. For
    rotation and ``gongkai keys status``; a migration keeps its own copy (migrations must
    not import changing application code)."""
    return {
        f"_raw_{name}": models.ExpressionWrapper(models.F(name), models.TextField())
        for name in field_names
    }


def rotate_encrypted_fields(
    model: type[models.Model], field_names: Iterable[str], *, batch_size: int = 500
) -> int:
    """Re-encrypt ``field_names`` of every ``model`` row under the current first key.

    Returns the number of rows changed. Values already under the first key are left alone,
    so the command is safe to interrupt and run again. Each batch is one transaction with
    its rows locked, so a concurrent edit is not overwritten by the old value. Blind
    indexes are not recomputed here: they need the plaintext's owner to know the purpose.
    """
    names = list(field_names)
    if not names:
        raise ValueError("rotate_encrypted_fields() needs at least one field name")
    for name in names:
        f = model._meta.get_field(name)
        if not isinstance(f, EncryptedTextField):
            raise ValueError(f"{model._meta.label}.{name} is not an EncryptedTextField")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")

    ring = _get_keyring()
    raw = raw_tokens(names)
    touched = 0
    last_pk = None
    while True:
        with transaction.atomic():
            qs = model._default_manager.select_for_update().order_by("pk")
            if last_pk is not None:
                qs = qs.filter(pk__gt=last_pk)
            rows = list(qs.annotate(**raw).values_list("pk", *raw)[:batch_size])
            if not rows:
                return touched
            last_pk = rows[-1][0]
            updates: dict[str, list[models.When]] = {name: [] for name in names}
            changed_pks = set()
            for pk, *tokens in rows:
                for name, token in zip(names, tokens, strict=True):
                    new_token = _rotated(ring, token, model, name)
                    if new_token is not None:
                        updates[name].append(
                            models.When(pk=pk, then=models.Value(new_token, models.TextField()))
                        )
                        changed_pks.add(pk)
            if changed_pks:
                model._default_manager.filter(pk__in=changed_pks).update(
                    **{
                        # Case typed as TextField: the new tokens must not be encrypted again.
                        name: models.Case(
                            *whens, default=models.F(name), output_field=models.TextField()
                        )
                        for name, whens in updates.items()
                        if whens
                    }
                )
                touched += len(changed_pks)


def _rotated(ring: _Keyring, token: str | None, model, name: str) -> str | None:
    """New token under the first key, or None if nothing is to be done."""
    if not token:
        return None
    data = token.encode("utf-8")
    try:
        ring.primary.decrypt(data)
        return None
    except InvalidToken:
        pass
    try:
        return ring.fernet.rotate(data).decode("ascii")
    except InvalidToken:
        label = f"{model._meta.label}.{name}"
        raise DecryptionError(
            f"{label}: a stored value cannot be decrypted with any key in "
            "GONGKAI_FIELD_KEYS (FIELD_ENCRYPTION_KEYS); rotation stopped (earlier batches are committed)",
            field=label,
        ) from None
