"""Issue 15: a request's files (applicants' attachments, issued letters, disclosed files,
files attached to drafted replies) are stored encrypted (``core.encrypted_storage``,
GKF1) under generated names, and the attachment's original file name is encrypted.

The data step re-stores every plaintext file encrypted under a new generated name, points
every row that names it there, and deletes the plaintext once the migration has
committed. It is idempotent: files already in the GKF1 format and names that already
decrypt are left alone, so a second run (or a run after an interrupted one) does only
what is left. A row whose file is missing from storage is kept as it is and reported.
Not reversible: the reverse would write the plaintext back to disk.
"""

import logging

from django.core.files import File
from django.core.files.storage import storages
from django.db import migrations, models, transaction

import gongkai.core.crypto
import gongkai.core.encrypted_storage
from gongkai.core import crypto
from gongkai.core import encrypted_storage as es

logger = logging.getLogger("gongkai.foi.migrations")

FILE_FIELDS = [
    ("requestattachment", "file"),
    ("letter", "docx"),
    ("letter", "pdf"),
    ("reply", "letter"),
    ("disclosedfile", "file"),
]


def _encrypt_stored(inner, name, done):
    """The new name of ``name``'s content stored encrypted, or None if there is nothing
    to do (already encrypted, or missing). ``done`` maps names already re-stored in this
    run, so a file named by two rows (a reply letter is also the Letter's DOCX) is
    encrypted once."""
    if name in done:
        return done[name]
    if not inner.exists(name):
        logger.warning("encrypted_files: %s is missing from storage; row left as it is", name)
        return None
    with inner.open(name, "rb") as raw:
        if es.header_key_id(raw.read(es.HEADER_SIZE)) is not None:
            return None
        raw.seek(0)
        new = inner.save(es.generated_name(name), File(es.EncryptingReader(raw), name="file"))
    done[name] = new
    return new


def encrypt_files(apps, schema_editor):
    inner = storages["default"]
    done = {}
    for model_name, field in FILE_FIELDS:
        model = apps.get_model("foi", model_name)
        rows = (model.objects.exclude(**{field: ""}).exclude(**{f"{field}__isnull": True})
                .order_by("pk").values_list("pk", field))
        for pk, name in rows.iterator():
            new = _encrypt_stored(inner, name, done)
            if new:
                model.objects.filter(pk=pk).update(**{field: new})
    draft_model = apps.get_model("foi", "LetterDraft")
    for draft in draft_model.objects.order_by("pk").iterator():
        files = (draft.fields or {}).get("files")
        if not isinstance(files, list):
            continue
        changed = False
        for entry in files:
            if isinstance(entry, dict) and entry.get("path"):
                new = _encrypt_stored(inner, entry["path"], done)
                if new:
                    entry["path"] = new
                    changed = True
        if changed:
            draft_model.objects.filter(pk=draft.pk).update(fields=draft.fields)
    plaintext = list(done)
    # Deleted only once the rows pointing at the encrypted copies are committed.
    transaction.on_commit(lambda: [inner.delete(name) for name in plaintext])


def encrypt_original_names(apps, schema_editor):
    model = apps.get_model("foi", "RequestAttachment")
    stored = models.ExpressionWrapper(models.F("original_name"), models.TextField())
    for pk, value in model.objects.annotate(_stored=stored).values_list("pk", "_stored").iterator():
        if not value:
            continue
        try:
            crypto.decrypt(value)
            continue  # already encrypted
        except crypto.DecryptionError:
            pass
        # A Value typed as TextField is written as given, not encrypted again.
        model.objects.filter(pk=pk).update(
            original_name=models.Value(crypto.encrypt(value), models.TextField()))


class Migration(migrations.Migration):

    dependencies = [
        ('foi', '0005_delivery_email'),
    ]

    operations = [
        migrations.AlterField(
            model_name='disclosedfile',
            name='file',
            field=models.FileField(storage=gongkai.core.encrypted_storage.encrypted_storage, upload_to='foi/disclosed/%Y/%m/'),
        ),
        migrations.AlterField(
            model_name='letter',
            name='docx',
            field=models.FileField(blank=True, storage=gongkai.core.encrypted_storage.encrypted_storage, upload_to='foi/letters/%Y/', verbose_name='DOCX'),
        ),
        migrations.AlterField(
            model_name='letter',
            name='pdf',
            field=models.FileField(blank=True, storage=gongkai.core.encrypted_storage.encrypted_storage, upload_to='foi/letters/%Y/', verbose_name='PDF'),
        ),
        migrations.AlterField(
            model_name='reply',
            name='letter',
            field=models.FileField(blank=True, storage=gongkai.core.encrypted_storage.encrypted_storage, upload_to='foi/letters/%Y/', verbose_name='答复告知书'),
        ),
        migrations.AlterField(
            model_name='requestattachment',
            name='file',
            field=models.FileField(storage=gongkai.core.encrypted_storage.encrypted_storage, upload_to='foi/attachments/%Y/%m/'),
        ),
        migrations.AlterField(
            model_name='requestattachment',
            name='original_name',
            field=gongkai.core.crypto.EncryptedTextField(verbose_name='原文件名'),
        ),
        migrations.RunPython(encrypt_original_names, elidable=False),
        migrations.RunPython(encrypt_files, elidable=False),
    ]
