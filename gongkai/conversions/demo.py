"""Demo data for 依申请转主动 in the fictional city bureau: three applicants asked for the
same sampling results and were each sent the same file, so the office sees a proposal on
its desk; three others asked for the cosmetics sampling results, and that proposal was
already converted into a draft now waiting for the secrecy review (sign in as
``reviewer``). Requests are made and answered through foi's services, with foi's demo
helpers; dates are relative to today. Runs after the foi and publishing demo loaders (it
needs the bureau's catalogue)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from weasyprint import HTML

from gongkai.conversions import selectors, services
from gongkai.conversions.models import Conversion
from gongkai.core import clock
from gongkai.core.fonts import check_cjk_fonts
from gongkai.core.models import Agency, User
from gongkai.foi.demo import _person, _working_days_ago
from gongkai.foi.services import replies
from gongkai.foi.services import requests as foi_services
from gongkai.publishing.models import Column
from gongkai.publishing.services import publications as publishing


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small PDF with a text layer (publishing screens the text of every attachment)."""
    body = "".join(f"<p>{line}</p>" for line in lines)
    html = (f"<html><head><meta charset='utf-8'><style>body{{font-family:'Noto Sans CJK SC',sans-serif}}"
            f"</style></head><body><h1>{title}</h1>{body}</body></html>")
    return check_cjk_fonts(HTML(string=html).write_pdf())


def _disclose(office, bureau, serial: int, name: str, description: str, received_days_ago: int,
              file_name: str, data: bytes):
    request, _ = foi_services.request_register(
        actor=office, agency=bureau, data=_person(serial, name, description), channel="in_person",
        received_on=_working_days_ago(received_days_ago))
    replies.request_reply(
        actor=office, request=request, reply_type="disclosed", outcome="disclosed",
        replied_on=_working_days_ago(max(received_days_ago - 8, 0)),
        content=f"经审查，您申请的信息属于公开范围，现将《{file_name}》随本告知书提供。",
        disclosed_files=[(SimpleUploadedFile(f"{file_name}.pdf", data), file_name)],
    )
    return request


@transaction.atomic
def load_demo_conversions() -> int:
    """Load the demo once (when the bureau has no conversion yet); returns how many
    requests it added."""
    bureau = Agency.objects.filter(name="青岚市市场监督管理局").first()
    if bureau is None or Conversion.objects.filter(agency=bureau).exists():
        return 0
    office = User.objects.get(username="office")
    year = clock.today().year

    sampling_name = f"{year}年第二季度食品安全监督抽检不合格产品名单"
    sampling = _pdf(sampling_name, ["序号 1 某品牌酱油 氨基酸态氮不合格 已责令下架", "序号 2 某品牌挂面 菌落总数超标 已立案调查"])
    for serial, name, description, days in (
        (31, "刘洋", f"请公开{year}年第二季度本局食品安全监督抽检不合格产品名单。", 30),
        (32, "黄静", f"申请获取{year}年二季度食品抽检不合格产品名单及处置情况", 26),
        (33, "何磊", f"想了解贵局{year}年第二季度食品安全抽检中不合格的产品有哪些", 22),
    ):
        _disclose(office, bureau, serial, name, description, days, sampling_name, sampling)

    cosmetics_name = f"{year}年上半年化妆品监督抽检结果"
    cosmetics = _pdf(cosmetics_name, ["共抽检化妆品120批次，不合格3批次。", "不合格产品已全部下架并依法处理。"])
    converted = [
        _disclose(office, bureau, serial, name, description, days, cosmetics_name, cosmetics)
        for serial, name, description, days in (
            (34, "林涛", f"请公开{year}年上半年化妆品监督抽检结果。", 45),
            (35, "郭婷", f"申请公开本局{year}年上半年化妆品抽检结果", 40),
            (36, "马骏", f"请提供{year}年上半年化妆品监督抽检结果全文", 35),
        )
    ]
    proposal = next(c for c in selectors.proposals_for(bureau) if converted[0].pk in c.undecided)
    conversion = services.proposal_convert(
        actor=office, agency=bureau, key=proposal.key,
        column=Column.objects.get(agency=bureau, name="抽检计划及结果发布"),
        title=cosmetics_name)
    publishing.publication_submit(actor=office, publication=conversion.publication)
    return 6
