"""Files that belong to a request, encrypted at rest under the field keys.

Applicants' attachments (ID scans, letters of authority), the letters issued to them
(DOCX and PDF) and the files disclosed to them are personal data. They are stored through
:class:`EncryptedStorage`, which wraps the configured default storage (the file system, or
S3-compatible object storage) and

- stores every file under a **generated name** (``foi/attachments/2026/05/<32 hex>.enc``):
  nothing of the applicant's own file name, of the tracking number or of the file's type
  reaches the storage; the name shown on download is kept in the database;
- **encrypts** it before it reaches the storage and decrypts it only when it is opened —
  which the application does on an audited download (the views record who, which file and
  why), when it copies a drafted file into the disclosed files, attaches it to a delivery
  e-mail, or when ``gongkai keys rotate`` re-encrypts it. No decrypted copy is ever
  written to disk: encryption and decryption stream through memory.

Format (``GKF1``). Fernet would hold the whole file in memory three times over (plaintext,
ciphertext, base64) and cannot be read in parts; attachments go up to 10 MB and disclosed
files up to 20 MB (``foi.forms.ATTACHMENT_MAX_BYTES``, ``foi.services.replies.
DISCLOSED_FILE_MAX_BYTES``), served by several threads at once. So files are encrypted in
chunks instead, which keeps memory per download at one 64 KiB chunk and lets a response
stream (and seek):

    header  = b"GKF1" | key id (8) | salt (16) | chunk size (4, big-endian)
    chunk i = AES-256-GCM(key, nonce = i (11 bytes, big-endian) | final (1 byte),
                          plaintext chunk, associated data = header)

The file key is HKDF-SHA256 of the field key with the file's random salt, so no two files
share a key and a nonce made from the chunk counter never repeats under one key. Every
chunk but the last holds exactly ``chunk size`` bytes; the last holds fewer (possibly
none) and carries the final flag, so a file cut at a chunk boundary, chunks swapped between
positions or files, or an altered header all fail authentication (the STREAM
construction of Hoang, Reyhanitabar, Rogaway and Vizár). The key id in the header names
the field key a file is under (``crypto.file_keys``): rotation skips files already under
the first key, which is what makes it resumable.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible

from gongkai.core import crypto

__all__ = [
    "CHUNK_SIZE",
    "EncryptedFileError",
    "EncryptedStorage",
    "encrypted_storage",
    "file_key_id",
    "generated_name",
    "is_encrypted",
]

MAGIC = b"GKF1"
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
_HEADER = struct.Struct(">4s8s16sI")
HEADER_SIZE = _HEADER.size  # 32
_FILE_KEY_INFO = b"gongkai/file/v1"
GENERATED_SUFFIX = ".enc"


class EncryptedFileError(crypto.DecryptionError):
    """A stored file cannot be decrypted: it is not in the GKF1 format, its key is no
    longer configured (removed before rotation), or it was altered or cut short."""


# --------------------------------------------------------------------------
# The format
# --------------------------------------------------------------------------


def _file_key(raw_key: bytes, salt: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_FILE_KEY_INFO).derive(raw_key)
    return AESGCM(key)


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def _parse_header(header: bytes) -> tuple[bytes, bytes, int]:
    if len(header) != HEADER_SIZE:
        raise EncryptedFileError("stored file is not encrypted (too short for a GKF1 header)")
    magic, key_id, salt, chunk_size = _HEADER.unpack(header)
    if magic != MAGIC:
        raise EncryptedFileError("stored file is not encrypted (no GKF1 header)")
    if not 0 < chunk_size <= 16 * 1024 * 1024:
        raise EncryptedFileError("stored file has a malformed GKF1 header")
    return key_id, salt, chunk_size


def _key_for(key_id: bytes) -> bytes:
    for candidate, raw in crypto.file_keys():
        if candidate == key_id:
            return raw
    raise EncryptedFileError(
        f"stored file is encrypted under key {key_id.hex()}, which is not among the "
        "configured field keys (GONGKAI_FIELD_KEYS, settings.FIELD_ENCRYPTION_KEYS): the key "
        "was removed before `gongkai keys rotate` finished, or the keys are wrong"
    )


def encrypt_chunks(source, *, chunk_size: int = CHUNK_SIZE):
    """Ciphertext of the binary stream (or Django ``File``) ``source`` under the first
    field key, as an iterator of byte strings: the header, then one string a chunk."""
    key_id, raw = crypto.file_keys()[0]
    salt = secrets.token_bytes(16)
    header = _HEADER.pack(MAGIC, key_id, salt, chunk_size)
    aead = _file_key(raw, salt)
    yield header
    reader = _exact_reader(source, chunk_size)
    index = 0
    current = next(reader, b"")
    while True:
        upcoming = next(reader, None) if len(current) == chunk_size else None
        final = upcoming is None
        if final and len(current) == chunk_size:
            # A full last chunk is followed by an empty final one: a full chunk is never final.
            yield aead.encrypt(_nonce(index, False), current, header)
            index += 1
            current = b""
        yield aead.encrypt(_nonce(index, final), current, header)
        if final:
            return
        index += 1
        current = upcoming


def _exact_reader(source, size: int):
    """Blocks of exactly ``size`` bytes from ``source`` (the last may be shorter; none
    empty)."""
    if hasattr(source, "seek"):
        with contextlib.suppress(OSError, io.UnsupportedOperation):
            source.seek(0)
    buffer = bytearray()
    while True:
        data = source.read(size - len(buffer))
        if not data:
            break
        buffer += data
        if len(buffer) == size:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


def encrypt_bytes(data: bytes) -> bytes:
    """The whole GKF1 ciphertext of ``data`` (for tests and small files)."""
    return b"".join(encrypt_chunks(io.BytesIO(data)))


class EncryptingReader(io.RawIOBase):
    """A readable stream of the ciphertext of ``source``, made as it is read."""

    def __init__(self, source):
        self._chunks = encrypt_chunks(source)
        self._pending = b""
        self._started = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def seek(self, offset, whence=io.SEEK_SET):
        # Storages rewind what they are given; rewinding before the first read is free.
        if offset == 0 and whence == io.SEEK_SET and not self._started:
            return 0
        raise io.UnsupportedOperation("an encrypting stream can only be read forward")

    def readinto(self, buffer) -> int:
        self._started = True
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class DecryptingReader(io.RawIOBase):
    """The plaintext of a GKF1 file, read from ``raw`` (a binary stream of
    ``ciphertext_size`` bytes). Seekable when ``raw`` is: a chunk is decrypted on its own,
    so a ranged or resumed read costs one chunk. Any failed authentication raises
    :class:`EncryptedFileError` — never returns unauthenticated bytes."""

    def __init__(self, raw, ciphertext_size: int, *, name: str = ""):
        self._raw = raw
        self.name = name
        key_id, salt, self._chunk_size = _parse_header(raw.read(HEADER_SIZE))
        self._header = _HEADER.pack(MAGIC, key_id, salt, self._chunk_size)
        self.key_id = key_id.hex()
        self._aead = _file_key(_key_for(key_id), salt)
        body = ciphertext_size - HEADER_SIZE
        stride = self._chunk_size + TAG_SIZE
        self._full_chunks, last = divmod(body, stride)
        if last < TAG_SIZE:
            raise EncryptedFileError(f"stored file {name} is cut short or malformed")
        self.size = self._full_chunks * self._chunk_size + (last - TAG_SIZE)
        self._position = 0
        self._raw_index = 0  # the chunk the raw stream is positioned at
        self._cache: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(getattr(self._raw, "seekable", lambda: False)())

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._position + offset
        elif whence == io.SEEK_END:
            target = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if target < 0:
            raise ValueError("negative seek position")
        self._position = target
        return target

    def _chunk(self, index: int) -> bytes:
        if self._cache and self._cache[0] == index:
            return self._cache[1]
        stride = self._chunk_size + TAG_SIZE
        if index != self._raw_index:
            self._raw.seek(HEADER_SIZE + index * stride)
        final = index == self._full_chunks
        data = self._raw.read(stride)
        self._raw_index = index + 1
        try:
            plain = self._aead.decrypt(_nonce(index, final), data, self._header)
        except InvalidTag:
            raise EncryptedFileError(
                f"stored file {self.name} failed authentication at chunk {index} "
                "(altered, cut short or not written by gongkai)"
            ) from None
        self._cache = (index, plain)
        return plain

    def readinto(self, buffer) -> int:
        if self._position >= self.size:
            return 0
        index, offset = divmod(self._position, self._chunk_size)
        plain = self._chunk(index)
        n = min(len(buffer), len(plain) - offset)
        buffer[:n] = plain[offset:offset + n]
        self._position += n
        return n

    def readall(self) -> bytes:
        out = bytearray()
        while chunk := self.read(self._chunk_size):
            out += chunk
        return bytes(out)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            self._cache = None
            super().close()


def decrypt_bytes(data: bytes) -> bytes:
    """The plaintext of a whole GKF1 ciphertext (for tests and small files)."""
    return DecryptingReader(io.BytesIO(data), len(data)).readall()


def header_key_id(head: bytes) -> str | None:
    """The key id (hex) in a GKF1 header, or None if ``head`` is not one."""
    try:
        key_id, _, _ = _parse_header(head[:HEADER_SIZE])
    except EncryptedFileError:
        return None
    return key_id.hex()


# --------------------------------------------------------------------------
# The storage
# --------------------------------------------------------------------------


def generated_name(name: str) -> str:
    """``name``'s folder with a random file name: nothing of the original name is kept."""
    folder = posixpath.dirname(name)
    return posixpath.join(folder, secrets.token_hex(16) + GENERATED_SUFFIX)


class _DecryptedFile(File):
    """A stored file opened for reading, decrypting as it is read. Opened again after it
    was closed (a model's FieldFile keeps its file object and reopens it), it decrypts
    from the start again instead of looking for a plaintext path that does not exist."""

    def __init__(self, storage: EncryptedStorage, name: str):
        self._storage = storage
        stream, size = storage._decrypting_stream(name)
        super().__init__(stream, name=name)
        self.size = size
        self.mode = "rb"

    def open(self, mode=None):
        if mode and any(flag in mode for flag in "wa+"):
            raise ValueError("encrypted files are written with save(), never opened for writing")
        if self.closed:
            self.file, self.size = self._storage._decrypting_stream(self.name)
        else:
            self.seek(0)
        return self


@deconstructible(path="gongkai.core.encrypted_storage.EncryptedStorage")
class EncryptedStorage(Storage):
    """The default storage, with every file encrypted (GKF1) and stored under a
    generated name. ``url()`` and ``path()`` are refused: a request's file is only ever
    served by a view that checks who asks and records the download."""

    @property
    def inner(self) -> Storage:
        # Looked up on every use: tests and settings changes replace the default storage.
        return storages["default"]

    # -- names -----------------------------------------------------------------------
    def generate_filename(self, filename: str) -> str:
        return generated_name(self.inner.generate_filename(filename))

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    # -- writing and reading -----------------------------------------------------------
    def save(self, name, content, max_length=None) -> str:
        if name is None:
            name = getattr(content, "name", None) or "file"
        name = generated_name(str(name))
        stream = File(EncryptingReader(content), name=posixpath.basename(name))
        return self.inner.save(name, stream, max_length=max_length)

    def save_generated(self, name: str, content) -> str:
        """Store ``content`` encrypted under ``name`` as given, which must already be a
        generated name (``generated_name``): rotation records the name before the file is
        written, so that an interrupted run leaves no file it cannot find. Returns the
        name stored (the inner storage changes it only if it is taken)."""
        if not posixpath.basename(name).endswith(GENERATED_SUFFIX):
            raise ValueError(f"{name!r} is not a generated name")
        stream = File(EncryptingReader(content), name=posixpath.basename(name))
        return self.inner.save(name, stream)

    def _save(self, name, content):  # pragma: no cover - save() never calls it
        raise NotImplementedError

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written with save(), never opened for writing")
        return _DecryptedFile(self, name)

    def _decrypting_stream(self, name: str):
        inner = self.inner
        size = inner.size(name)
        raw = inner.open(name, "rb")
        try:
            reader = DecryptingReader(raw, size, name=name)
        except BaseException:
            raw.close()
            raise
        # Buffered: read(n) returns n bytes (a raw read stops at a chunk's end).
        return io.BufferedReader(reader, buffer_size=CHUNK_SIZE), reader.size

    def key_id(self, name: str) -> str | None:
        """The id of the field key ``name`` is encrypted under, or None if the stored file
        is not a GKF1 file (a plaintext file left from before encryption)."""
        with self.inner.open(name, "rb") as raw:
            return header_key_id(raw.read(HEADER_SIZE))

    # -- everything else is the inner storage's -----------------------------------------
    def delete(self, name):
        return self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def size(self, name):
        """The plaintext's size, from the ciphertext's size and the header (no decryption)."""
        ciphertext = self.inner.size(name)
        with self.inner.open(name, "rb") as raw:
            _, _, chunk_size = _parse_header(raw.read(HEADER_SIZE))
        full, last = divmod(ciphertext - HEADER_SIZE, chunk_size + TAG_SIZE)
        if last < TAG_SIZE:
            raise EncryptedFileError(f"stored file {name} is cut short or malformed")
        return full * chunk_size + last - TAG_SIZE

    def get_accessed_time(self, name):
        return self.inner.get_accessed_time(name)

    def get_created_time(self, name):
        return self.inner.get_created_time(name)

    def get_modified_time(self, name):
        return self.inner.get_modified_time(name)

    def url(self, name):
        raise NotImplementedError("a request's files have no public address; serve them through a view")

    def path(self, name):
        raise NotImplementedError("a request's files are encrypted; open them, never read the path")

    def __eq__(self, other):
        return isinstance(other, EncryptedStorage)

    def __hash__(self):
        return hash(EncryptedStorage)


_storage = EncryptedStorage()


def encrypted_storage() -> EncryptedStorage:
    """The storage of a request's files; the ``storage=`` of their ``FileField``s (a
    callable, so migrations name it rather than freeze it)."""
    return _storage


def is_encrypted(name: str) -> bool:
    return _storage.key_id(name) is not None


def file_key_id(name: str) -> str | None:
    return _storage.key_id(name)
