"""Tests for gongkai.core.crypto: personal data encrypted at rest, key rotation and blind
indexes. The database tests create a throwaway table for a test-only model, so they run
unchanged on SQLite and PostgreSQL."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test.utils import isolate_apps

from gongkai.core import crypto
from gongkai.core.crypto import (
    DecryptionError,
    EncryptedLookupError,
    EncryptedTextField,
    blind_index,
    blind_index_candidates,
    decrypt,
    encrypt,
    rotate_encrypted_fields,
)

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
OTHER_KEY = Fernet.generate_key().decode()
ID_NUMBER = "11010119900307002X"

with isolate_apps("gongkai.core"):

    class CryptoProbe(models.Model):
        """Test-only model; its table exists only inside `probe_table`."""

        secret = EncryptedTextField(null=True, blank=True)
        other = EncryptedTextField(blank=True, default="")
        plain = models.CharField(max_length=20, blank=True)

        class Meta:
            app_label = "core"
            db_table = "core_test_crypto_probe"

        def __str__(self):
            return f"probe {self.pk}"


SECRET = CryptoProbe._meta.get_field("secret")


@pytest.fixture
def keys(settings):
    """Set FIELD_ENCRYPTION_KEYS for one test: `keys(NEW_KEY, OLD_KEY)`."""

    def use(*fernet_keys):
        settings.FIELD_ENCRYPTION_KEYS = list(fernet_keys)

    use(OLD_KEY)
    return use


@pytest.fixture
def probe_table(transactional_db, keys):
    with connection.schema_editor() as editor:
        editor.create_model(CryptoProbe)
    yield CryptoProbe
    with connection.schema_editor() as editor:
        editor.delete_model(CryptoProbe)


def stored(pk, column="secret"):
    """The column's value as it is in the database, bypassing the field."""
    table = connection.ops.quote_name(CryptoProbe._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk]
        )
        return cursor.fetchone()[0]


# --- encrypt / decrypt -------------------------------------------------------


@pytest.mark.parametrize("text", ["", "a", ID_NUMBER, "云泽省青岚市滨河区长安路18号", "x" * 5000])
def test_decrypt_returns_what_was_encrypted(keys, text):
    assert decrypt(encrypt(text)) == text


def test_ciphertext_differs_per_call_and_contains_no_plaintext(keys):
    tokens = {encrypt(ID_NUMBER) for _ in range(5)}
    assert len(tokens) == 5
    for token in tokens:
        assert ID_NUMBER not in token
        assert "19900307" not in token
        assert token.isascii()


def test_encrypt_refuses_non_strings(keys):
    with pytest.raises(TypeError):
        encrypt(b"bytes")
    with pytest.raises(TypeError):
        decrypt(None)


def test_data_under_an_old_key_still_decrypts_after_a_new_key_is_prepended(keys):
    token = encrypt(ID_NUMBER)
    keys(NEW_KEY, OLD_KEY)
    assert decrypt(token) == ID_NUMBER
    # New data is written under the new (first) key only.
    fresh = encrypt(ID_NUMBER)
    keys(NEW_KEY)
    assert decrypt(fresh) == ID_NUMBER
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_a_wrong_key_raises_decryption_error(keys):
    token = encrypt(ID_NUMBER)
    keys(OTHER_KEY)
    with pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        decrypt(token)


@pytest.mark.parametrize("garbage", ["", ID_NUMBER, "gAAAAAB-not-a-token", "身份证"])
def test_a_value_that_is_not_a_token_raises_decryption_error(keys, garbage):
    with pytest.raises(DecryptionError):
        decrypt(garbage)


def test_a_key_list_change_is_picked_up_without_restart(keys):
    keys(OLD_KEY)
    old_token = encrypt("x")
    keys(OTHER_KEY)
    with pytest.raises(DecryptionError):
        decrypt(old_token)
    keys(OLD_KEY)
    assert decrypt(old_token) == "x"


@pytest.mark.parametrize(
    "setting",
    [[], "not-a-list", None, ["too-short"], [OLD_KEY, "x" * 44]],
    ids=["empty", "string", "none", "invalid", "second-invalid"],
)
def test_bad_key_settings_fail_loudly_without_echoing_the_keys(settings, setting):
    settings.FIELD_ENCRYPTION_KEYS = setting
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS") as exc:
        encrypt("x")
    assert OLD_KEY not in str(exc.value)
    assert "x" * 44 not in str(exc.value)


# --- blind index -------------------------------------------------------------


def test_blind_index_is_equal_for_equal_values(keys):
    first = blind_index(ID_NUMBER, purpose="resident_id")
    assert first == blind_index(ID_NUMBER, purpose="resident_id")
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert ID_NUMBER not in first


def test_blind_index_differs_per_value_purpose_and_key(keys):
    base = blind_index(ID_NUMBER, purpose="resident_id")
    assert blind_index("110101199003070011", purpose="resident_id") != base
    assert blind_index(ID_NUMBER, purpose="mobile") != base
    keys(OTHER_KEY)
    assert blind_index(ID_NUMBER, purpose="resident_id") != base


def test_blind_index_does_not_normalise(keys):
    # Normalising is the caller's job; the index hashes exactly what it is given.
    assert blind_index(ID_NUMBER.lower(), purpose="resident_id") != blind_index(
        ID_NUMBER, purpose="resident_id"
    )


def test_blind_index_is_keyed_by_the_first_key_only(keys):
    keys(NEW_KEY)
    under_new = blind_index(ID_NUMBER, purpose="resident_id")
    keys(NEW_KEY, OLD_KEY)
    assert blind_index(ID_NUMBER, purpose="resident_id") == under_new


def test_blind_index_candidates_match_rows_indexed_under_every_key(keys):
    keys(OLD_KEY)
    under_old = blind_index(ID_NUMBER, purpose="resident_id")
    keys(NEW_KEY, OLD_KEY)
    under_new = blind_index(ID_NUMBER, purpose="resident_id")
    assert blind_index_candidates(ID_NUMBER, "resident_id") == [under_new, under_old]


def test_blind_index_candidates_are_not_repeated_for_a_repeated_key(keys):
    keys(NEW_KEY, NEW_KEY)
    assert len(blind_index_candidates(ID_NUMBER, "resident_id")) == 1


@pytest.mark.parametrize(
    ("value", "purpose", "error"),
    [("", "resident_id", ValueError), (ID_NUMBER, "", ValueError), (None, "x", TypeError)],
)
def test_blind_index_refuses_empty_values_and_purposes(keys, value, purpose, error):
    with pytest.raises(error):
        blind_index(value, purpose=purpose)
    with pytest.raises(error):
        blind_index_candidates(value, purpose)


# --- the field, without a database ------------------------------------------


def test_field_encrypts_on_the_way_in_and_decrypts_on_the_way_out(keys):
    token = SECRET.get_prep_value(ID_NUMBER)
    assert token != ID_NUMBER
    assert ID_NUMBER not in token
    assert SECRET.from_db_value(token, None, connection) == ID_NUMBER


@pytest.mark.parametrize("value", [None, ""])
def test_field_stores_null_and_blank_as_themselves(keys, value):
    assert SECRET.get_prep_value(value) == value
    assert SECRET.from_db_value(value, None, connection) == value


def test_field_that_cannot_decrypt_names_the_field(keys):
    token = SECRET.get_prep_value(ID_NUMBER)
    keys(OTHER_KEY)
    with pytest.raises(DecryptionError, match=r"core\.CryptoProbe\.secret") as exc:
        SECRET.from_db_value(token, None, connection)
    assert exc.value.field == "core.CryptoProbe.secret"
    assert token not in str(exc.value)


def test_field_deconstructs_to_its_own_path_for_stable_migrations():
    name, path, args, kwargs = SECRET.deconstruct()
    assert (name, path, args) == ("secret", "gongkai.core.crypto.EncryptedTextField", [])
    assert kwargs == {"null": True, "blank": True}
    rebuilt = EncryptedTextField(*args, **kwargs)
    assert rebuilt.deconstruct()[1:] == (path, args, kwargs)


@pytest.mark.parametrize("option", ["unique", "db_index"])
def test_system_check_refuses_an_index_on_ciphertext(option):
    with isolate_apps("gongkai.core"):

        class Indexed(models.Model):
            secret = EncryptedTextField(**{option: True})

            class Meta:
                app_label = "core"

            def __str__(self):
                return "indexed"

    errors = Indexed._meta.get_field("secret").check()
    assert [e.id for e in errors] == ["core.E101"]


@pytest.mark.parametrize(
    "lookup",
    [
        {"secret": ID_NUMBER},
        {"secret__exact": ID_NUMBER},
        {"secret__iexact": ID_NUMBER},
        {"secret__icontains": "1101"},
        {"secret__startswith": "110"},
        {"secret__in": [ID_NUMBER]},
        {"secret__gt": "a"},
        {"secret__lower": "x"},
        {"secret": models.F("plain")},
    ],
    ids=lambda lookup: next(iter(lookup)),
)
def test_filtering_on_ciphertext_is_refused_with_a_clear_error(keys, lookup):
    with pytest.raises(EncryptedLookupError, match=r"core\.CryptoProbe\.secret.*blind index"):
        CryptoProbe.objects.filter(**lookup)
    assert issubclass(EncryptedLookupError, FieldError)


# --- the field, through the database ----------------------------------------


def test_database_round_trip_stores_only_ciphertext(probe_table):
    row = probe_table.objects.create(secret=ID_NUMBER, other="13812345678")
    raw = stored(row.pk)
    assert raw != ID_NUMBER
    assert "19900307" not in raw
    assert decrypt(raw) == ID_NUMBER
    assert probe_table.objects.get(pk=row.pk).secret == ID_NUMBER
    assert probe_table.objects.values_list("other", flat=True).get() == "13812345678"


def test_database_keeps_null_and_blank_unencrypted(probe_table):
    row = probe_table.objects.create(secret=None, other="")
    assert stored(row.pk) is None
    assert stored(row.pk, "other") == ""
    fetched = probe_table.objects.get(pk=row.pk)
    assert (fetched.secret, fetched.other) == (None, "")


def test_queryset_update_encrypts_too(probe_table):
    row = probe_table.objects.create(secret="old")
    probe_table.objects.filter(pk=row.pk).update(secret="新地址")
    assert "新地址" not in stored(row.pk)
    row.refresh_from_db()
    assert row.secret == "新地址"


def test_null_and_blank_can_still_be_filtered(probe_table):
    empty = probe_table.objects.create(secret=None, other="")
    full = probe_table.objects.create(secret=ID_NUMBER, other="x")
    assert list(probe_table.objects.filter(secret=None)) == [empty]
    assert list(probe_table.objects.filter(secret__isnull=False)) == [full]
    assert list(probe_table.objects.filter(other="")) == [empty]
    assert list(probe_table.objects.exclude(other="")) == [full]


def test_reading_a_row_under_a_removed_key_raises_naming_the_field(probe_table, keys):
    probe_table.objects.create(secret=ID_NUMBER)
    keys(OTHER_KEY)
    with pytest.raises(DecryptionError, match=r"core\.CryptoProbe\.secret"):
        list(probe_table.objects.all())


# --- rotation ----------------------------------------------------------------


def test_rotation_re_encrypts_so_that_the_old_key_can_be_removed(probe_table, keys):
    keys(OLD_KEY)
    rows = [probe_table.objects.create(secret=f"secret {i}", other=f"other {i}") for i in range(5)]
    blank = probe_table.objects.create(secret=None, other="")
    before = {row.pk: stored(row.pk) for row in rows}

    keys(NEW_KEY, OLD_KEY)
    assert rotate_encrypted_fields(probe_table, ["secret", "other"], batch_size=2) == 5

    keys(NEW_KEY)
    for i, row in enumerate(rows):
        assert stored(row.pk) != before[row.pk]
        row.refresh_from_db()
        assert (row.secret, row.other) == (f"secret {i}", f"other {i}")
    assert (stored(blank.pk), stored(blank.pk, "other")) == (None, "")


def test_rotation_is_idempotent_and_skips_values_already_under_the_first_key(probe_table, keys):
    keys(OLD_KEY)
    old = probe_table.objects.create(secret="old")
    keys(NEW_KEY, OLD_KEY)
    new = probe_table.objects.create(secret="new")
    new_token = stored(new.pk)
    assert rotate_encrypted_fields(probe_table, ["secret"]) == 1
    assert stored(new.pk) == new_token
    assert rotate_encrypted_fields(probe_table, ["secret"]) == 0
    keys(NEW_KEY)
    old.refresh_from_db()
    assert old.secret == "old"


def test_rotation_stops_on_a_value_no_key_can_read(probe_table, keys):
    keys(OTHER_KEY)
    probe_table.objects.create(secret="lost")
    keys(NEW_KEY, OLD_KEY)
    with pytest.raises(DecryptionError, match=r"core\.CryptoProbe\.secret"):
        rotate_encrypted_fields(probe_table, ["secret"])


@pytest.mark.parametrize(("fields", "batch_size"), [(["plain"], 500), ([], 500), (["secret"], 0)])
def test_rotation_refuses_bad_arguments(keys, fields, batch_size):
    with pytest.raises(ValueError):
        rotate_encrypted_fields(CryptoProbe, fields, batch_size=batch_size)


def test_keyring_is_cached_while_the_setting_is_unchanged(keys):
    encrypt("x")
    ring = crypto._get_keyring()
    encrypt("y")
    assert crypto._get_keyring() is ring


def test_key_ids_name_each_key_without_revealing_it(keys):
    keys(NEW_KEY, OLD_KEY)
    ids = crypto.field_key_ids()
    assert len(ids) == 2 and len(set(ids)) == 2 and all(len(i) == 16 for i in ids)
    assert all(i not in NEW_KEY + OLD_KEY for i in ids)
    assert [k for k, _ in crypto.file_keys()][0].hex() == ids[0]
    keys(OLD_KEY)
    assert crypto.field_key_ids() == ids[1:]


def test_token_key_id_tells_which_key_encrypted_a_value(keys):
    token = encrypt("13800138000")
    old_id = crypto.field_key_ids()[0]
    keys(NEW_KEY, OLD_KEY)
    assert crypto.token_key_id(token) == old_id
    assert crypto.token_key_id(encrypt("x")) == crypto.field_key_ids()[0]
    keys(NEW_KEY)
    assert crypto.token_key_id(token) is None


def test_raw_tokens_read_the_stored_ciphertext_not_the_plaintext(probe_table, keys):
    keys(OLD_KEY)
    row = probe_table.objects.create(secret="secret", other="")
    (secret, other), = probe_table.objects.filter(pk=row.pk).annotate(
        **crypto.raw_tokens(["secret", "other"])).values_list("_raw_secret", "_raw_other")
    assert secret == stored(row.pk) != "secret" and decrypt(secret) == "secret"
    assert other == ""
    keys(NEW_KEY, OLD_KEY)
    assert crypto.token_key_id(secret) == crypto.field_key_ids()[1]


def test_an_unreadable_value_names_the_environment_variable(probe_table, keys):
    keys(OLD_KEY)
    probe_table.objects.create(secret="secret")
    keys(NEW_KEY)
    with pytest.raises(DecryptionError, match="GONGKAI_FIELD_KEYS"):
        list(probe_table.objects.all())
