"""Requests answered with disclosed information, made through foi's services, for the
conversions tests: ``disclose(serial, description, files=...)`` registers a request from
applicant number ``serial`` (one ID number per serial: the same serial is the same
applicant) and replies to it with the files."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.core.identifiers import resident_id_check_char
from gongkai.core.tests.helpers import at
from gongkai.foi.services.replies import request_reply
from gongkai.foi.services.requests import ApplicantData, request_register
from gongkai.publishing.models import Column, ColumnKind
from gongkai.publishing.tests.fixtures.documents import pdf_bytes

TODAY = dt.date(2025, 6, 16)  # a Monday
RECEIVED = dt.date(2025, 6, 2)

# Disclosed files with a text layer (publishing screens the text of every attachment).
SAMPLING = pdf_bytes([["2025年第一季度食品安全监督抽检不合格产品名单", "某品牌酱油 氨基酸态氮不合格"]])
BUDGET = pdf_bytes([["2025年部门预算"]])


# Replies that refuse in part or in whole must give their ground (foi.outcomes).
GROUNDS = {
    "partially_disclosed": ("", "《中华人民共和国政府信息公开条例》第三十七条"),
    "not_disclosed": ("withheld_internal_affairs", "《中华人民共和国政府信息公开条例》第十六条"),
}


def resident_id(serial: int) -> str:
    first17 = f"89010119850101{serial:03d}"
    return first17 + resident_id_check_char(first17)


def applicant(serial: int, description: str) -> ApplicantData:
    return ApplicantData(
        applicant_type="natural_person", name=f"申请人{serial}", id_type="resident_id",
        id_number=resident_id(serial), phone=f"1390999{serial:04d}", description=description,
        delivery="email", email=f"applicant{serial}@example.invalid",
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _today():
    at(TODAY)


@pytest.fixture
def disclose(office):
    """``disclose(serial, description, files=[(name, bytes)], agency=, reply_type=)`` → a
    request of applicant ``serial`` received on RECEIVED and replied today."""

    def make(serial, description, *, files=(), agency=None, reply_type="disclosed", actor=None):
        actor = actor or office
        agency = agency or actor.memberships.first().agency
        at(RECEIVED)
        request, _ = request_register(actor=actor, agency=agency, data=applicant(serial, description),
                                      channel="in_person", received_on=RECEIVED)
        at(TODAY)
        outcome, legal_basis = GROUNDS.get(reply_type, ("", ""))
        request_reply(
            actor=actor, request=request, reply_type=reply_type, outcome=outcome,
            content="经审查，予以公开。", legal_basis=legal_basis,
            disclosed_files=[(SimpleUploadedFile(f"{name}.pdf", data), name) for name, data in files],
        )
        request.refresh_from_db()
        return request

    return make


@pytest.fixture
def column(bureau):
    return Column.objects.create(agency=bureau, name="依申请公开转主动公开", kind=ColumnKind.NOTICE)


@pytest.fixture
def three_alike(disclose):
    """Three applicants asked for the same list, each was sent the same file."""
    return [
        disclose(1, "请公开2025年第一季度食品安全监督抽检不合格产品名单。", files=[("抽检不合格产品名单", SAMPLING)]),
        disclose(2, "申请获取本局2025年一季度食品抽检不合格名单", files=[("抽检不合格产品名单", SAMPLING)]),
        disclose(3, "想了解食品安全抽检不合格的产品有哪些（2025年第一季度）", files=[("抽检不合格产品名单", SAMPLING)]),
    ]
