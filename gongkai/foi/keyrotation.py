"""The requests' blind index under a rotated field key (``gongkai keys rotate``).

``FoiRequest.applicant_key`` ("the same applicant") is derived from the first field key;
after a new key is put first it is recomputed from the decrypted ID number, so that
requests made before and after the rotation still match. Registered with
``core.keyrotation`` in ``FoiConfig.ready``."""

from __future__ import annotations

from django.db import transaction

from gongkai.foi.models import FoiRequest
from gongkai.foi.services.requests import applicant_key


def rotate_applicant_keys(*, batch_size: int = 500) -> int:
    """Recompute ``FoiRequest.applicant_key`` under the first key where it differs."""
    changed, last_pk = 0, 0
    while True:
        with transaction.atomic():
            rows = list(FoiRequest.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk")
                        .only("pk", "id_type", "id_number", "applicant_key")[:batch_size])
            if not rows:
                return changed
            last_pk = rows[-1].pk
            for row in rows:
                if not row.id_number:
                    continue
                key = applicant_key(row.id_type, row.id_number)
                if key != row.applicant_key:
                    FoiRequest.objects.filter(pk=row.pk).update(applicant_key=key)
                    changed += 1
