"""Tests for gongkai.core.encrypted_storage: the GKF1 chunked format and the storage that
keeps a request's files encrypted under generated names."""

import io
import os

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.http import FileResponse

from gongkai.core import crypto
from gongkai.core import encrypted_storage as es

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
STRIDE = es.CHUNK_SIZE + es.TAG_SIZE


@pytest.fixture
def keys(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def use(*fernet_keys):
        settings.FIELD_ENCRYPTION_KEYS = list(fernet_keys)

    use(OLD_KEY)
    return use


@pytest.mark.parametrize("size", [0, 1, es.CHUNK_SIZE - 1, es.CHUNK_SIZE, es.CHUNK_SIZE + 1,
                                  3 * es.CHUNK_SIZE, 3 * es.CHUNK_SIZE + 17])
def test_round_trip_at_every_chunk_boundary(keys, size):
    data = os.urandom(size)
    sealed = es.encrypt_bytes(data)
    assert es.decrypt_bytes(sealed) == data
    # A full last chunk is followed by an empty final chunk: the size tells where it ends.
    full, last = divmod(size, es.CHUNK_SIZE)
    assert len(sealed) == es.HEADER_SIZE + full * STRIDE + last + es.TAG_SIZE


def test_random_access_reads_the_right_bytes(keys):
    data = os.urandom(3 * es.CHUNK_SIZE + 100)
    sealed = es.encrypt_bytes(data)
    reader = io.BufferedReader(es.DecryptingReader(io.BytesIO(sealed), len(sealed)))
    reader.seek(es.CHUNK_SIZE - 3)
    assert reader.read(10) == data[es.CHUNK_SIZE - 3:es.CHUNK_SIZE + 7]
    reader.seek(-5, io.SEEK_END)
    assert reader.read() == data[-5:]


def test_same_plaintext_gives_different_ciphertext_without_the_plaintext_in_it(keys):
    data = b"%PDF-1.4 110101199003070021 " * 5000
    one, two = es.encrypt_bytes(data), es.encrypt_bytes(data)
    assert one != two
    assert b"110101199003070021" not in one and b"%PDF" not in one


@pytest.mark.parametrize("cut", ["last byte", "final chunk", "at chunk boundary"])
def test_a_file_cut_short_is_refused(keys, cut):
    data = os.urandom(2 * es.CHUNK_SIZE + 10)
    sealed = es.encrypt_bytes(data)
    short = {"last byte": sealed[:-1], "final chunk": sealed[:es.HEADER_SIZE + 2 * STRIDE],
             "at chunk boundary": sealed[:es.HEADER_SIZE + STRIDE]}[cut]
    with pytest.raises(es.EncryptedFileError):
        es.decrypt_bytes(short)


def test_altered_swapped_or_foreign_chunks_are_refused(keys):
    data = os.urandom(2 * es.CHUNK_SIZE + 10)
    sealed = bytearray(es.encrypt_bytes(data))
    flipped = bytes(sealed[:100]) + bytes([sealed[100] ^ 1]) + bytes(sealed[101:])
    with pytest.raises(es.EncryptedFileError, match="authentication"):
        es.decrypt_bytes(flipped)
    h = es.HEADER_SIZE
    swapped = bytes(sealed[:h]) + bytes(sealed[h + STRIDE:h + 2 * STRIDE]) + bytes(sealed[h:h + STRIDE]) \
        + bytes(sealed[h + 2 * STRIDE:])
    with pytest.raises(es.EncryptedFileError):
        es.decrypt_bytes(swapped)
    other = es.encrypt_bytes(data)  # same plaintext, another file: its chunks do not fit here
    spliced = bytes(sealed[:h]) + other[h:]
    with pytest.raises(es.EncryptedFileError):
        es.decrypt_bytes(spliced)


def test_plaintext_is_not_mistaken_for_a_file(keys):
    assert es.header_key_id(b"%PDF-1.4" + b"\0" * 40) is None
    with pytest.raises(es.EncryptedFileError, match="not encrypted"):
        es.decrypt_bytes(b"%PDF-1.4" + b"\0" * 100)


def test_header_names_the_key_and_old_keys_still_read(keys):
    data = b"scan" * 1000
    sealed = es.encrypt_bytes(data)
    old_id = crypto.field_key_ids()[0]
    assert es.header_key_id(sealed) == old_id
    keys(NEW_KEY, OLD_KEY)
    assert crypto.field_key_ids()[1] == old_id
    assert es.decrypt_bytes(sealed) == data  # an old key still decrypts
    assert es.header_key_id(es.encrypt_bytes(data)) == crypto.field_key_ids()[0] != old_id
    keys(NEW_KEY)
    with pytest.raises(es.EncryptedFileError, match=old_id) as refused:
        es.decrypt_bytes(sealed)
    assert "GONGKAI_FIELD_KEYS" in str(refused.value)  # the variable operators actually set


def test_the_storage_deconstructs_to_its_own_path_and_the_file_class_does_not():
    path, args, kwargs = es.encrypted_storage().deconstruct()
    assert (path, args, kwargs) == ("gongkai.core.encrypted_storage.EncryptedStorage", (), {})
    assert not hasattr(es._DecryptedFile, "deconstruct")


def test_save_generated_keeps_the_given_generated_name(keys, tmp_path):
    storage = es.encrypted_storage()
    name = es.generated_name("foi/attachments/2025/03/x.png")
    assert storage.save_generated(name, ContentFile(b"scan")) == name
    with storage.open(name) as handle:
        assert handle.read() == b"scan"
    with pytest.raises(ValueError, match="not a generated name"):
        storage.save_generated("foi/attachments/2025/03/张三.png", ContentFile(b"scan"))


def test_storage_keeps_no_trace_of_the_name_or_the_content_on_disk(keys, tmp_path):
    storage = es.encrypted_storage()
    content = b"%PDF-1.4 \xe5\xbc\xa0\xe4\xb8\x89 ID 110101199003070021"
    name = storage.save("foi/attachments/2025/03/张三身份证.pdf", ContentFile(content))
    assert name.startswith("foi/attachments/2025/03/") and name.endswith(".enc")
    assert "张三" not in name and ".pdf" not in name
    on_disk = list((tmp_path / "media").rglob("*"))
    files = [p for p in on_disk if p.is_file()]
    assert len(files) == 1 and "张三" not in str(files[0])
    assert b"110101199003070021" not in files[0].read_bytes()
    assert storage.size(name) == len(content)
    with storage.open(name) as handle:
        assert handle.read() == content
    assert storage.generate_filename("foi/letters/2025/2025-0003-00001.docx").startswith("foi/letters/2025/")
    assert "2025-0003" not in storage.generate_filename("foi/letters/2025/2025-0003-00001.docx")
    with pytest.raises(NotImplementedError):
        storage.url(name)
    with pytest.raises(NotImplementedError):
        storage.path(name)
    with pytest.raises(ValueError):
        storage.open(name, "wb")


def test_a_download_streams_the_plaintext_with_its_length(keys):
    storage = es.encrypted_storage()
    content = os.urandom(2 * es.CHUNK_SIZE + 5)
    name = storage.save("foi/disclosed/2025/03/x.pdf", ContentFile(content))
    response = FileResponse(storage.open(name), as_attachment=True, filename="公开文件.pdf")
    assert int(response["Content-Length"]) == len(content)
    assert b"".join(response.streaming_content) == content


def test_a_closed_file_opened_again_decrypts_from_the_start(keys):
    # A model's FieldFile keeps its file object: the second .open() reopens that object,
    # which has no plaintext path to fall back on.
    storage = es.encrypted_storage()
    content = os.urandom(es.CHUNK_SIZE + 7)
    name = storage.save("foi/letters/2025/x.pdf", ContentFile(content))
    handle = storage.open(name)
    assert handle.read(10) == content[:10]
    handle.open()  # still open: back to the start
    assert handle.read() == content
    handle.close()
    with handle.open("rb") as again:
        assert again.read() == content
    with pytest.raises(ValueError):
        handle.open("wb")
