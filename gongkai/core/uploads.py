"""Uploaded files are judged by their content, not their name: the first bytes must be
those of an allowed type, and the size within a limit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str
    extension: str


_SIGNATURES: list[tuple[bytes, FileKind]] = [
    (b"%PDF-", FileKind("PDF", "application/pdf", "pdf")),
    (b"\xff\xd8\xff", FileKind("JPEG", "image/jpeg", "jpg")),
    (b"\x89PNG\r\n\x1a\n", FileKind("PNG", "image/png", "png")),
]


def sha256_of(stream) -> str:
    """The SHA-256 of a whole file (an upload, a Django ``File`` or a binary stream), read
    in chunks from the start; the stream is left at the start for whoever reads it next."""
    digest = hashlib.sha256()
    stream.seek(0)
    if hasattr(stream, "chunks"):
        for chunk in stream.chunks():
            digest.update(chunk)
    else:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def sniff(head: bytes) -> FileKind | None:
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def validate_upload(upload, *, allowed: set[str], max_bytes: int) -> FileKind:
    """Return the file's kind, or raise a ValidationError in Chinese."""
    if upload.size > max_bytes:
        raise ValidationError(f"文件“{upload.name}”超过{max_bytes // (1024 * 1024)}MB的大小限制。")
    if upload.size == 0:
        raise ValidationError(f"文件“{upload.name}”是空文件。")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    kind = sniff(head)
    if kind is None or kind.name not in allowed:
        raise ValidationError(
            f"文件“{upload.name}”的内容不是允许的类型（仅限{'、'.join(sorted(allowed))}）。"
        )
    return kind
