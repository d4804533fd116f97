"""One request from the public form to the applicant's downloads, in Chromium, with every
person doing their own part through their own pages: the applicant submits on /apply/
and keeps the number and secret; the office confirms it and assigns it; a correction
notice (补正) goes through the agency's three sign-off steps and the correction is
recorded; the assigned officer asks for an extension and the leader approves it (延期答复
告知书); a third party is consulted (征询函, drafted and signed off) and the pause ends; the
officer drafts the reply with a disclosed file, the office checks it, the leader signs it
off; the office delivers it by e-mail; the applicant looks the request up on /status/
and downloads the reply letter and the file. Every letter issued on the way is opened in
LibreOffice and read back.

Only the set-up (people, the agency's sign-off steps) is made directly; every step of the
walk is a click in a browser signed in as the person who takes it."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from gongkai.core.models import AuditEvent
from gongkai.core.tests.helpers import at
from gongkai.core.tests.libreoffice import convert_to_pdf, pdf_text, squeezed
from gongkai.foi import deadlines
from gongkai.foi.models import (
    AgencyFoiSettings,
    DisclosedFile,
    ExtensionRequest,
    FoiEvent,
    FoiRequest,
    Letter,
    LetterDraft,
    LetterKind,
    SignoffStep,
)
from gongkai.foi.models.signoff import DraftState, ExtensionState
from gongkai.foi.services import signoff
from gongkai.foi.workflow import Action, RequestStatus

pytestmark = pytest.mark.browser

D = dt.date
SUBMITTED = D(2025, 3, 3)  # a Monday; March 2025 has no public holiday
DESCRIPTION = "本局2024年食品安全监督抽检结果"
EMAIL = "zhangsan@example.com"
ITEMS = ["请写明所需抽检结果的食品类别", "请写明所需信息的形成时间范围（如2024年第四季度）"]
CORRECT_BY = D(2025, 3, 14)
EXTENSION_DAYS = 15
EXTENSION_REASON = "所需信息涉及十二个食品类别的抽检档案，需逐项汇总核对"
THIRD_PARTY = "青岚某某食品有限公司"
REPLY_CONTENT = "经审查，您申请的信息属于公开范围，现将2024年第四季度蔬菜制品抽检结果汇总表随本告知书提供。"
FILE_NAME = "2024年第四季度蔬菜制品抽检结果汇总表.pdf"


def label(text: str) -> re.Pattern:
    """A form label as Django renders it (with or without its colon), matched whole."""
    return re.compile(rf"^\s*{re.escape(text)}\s*[:：]?\s*$")


def disclosed_pdf() -> bytes:
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.drawString(72, 760, "2024 Q4 vegetable products: 120 samples, 118 passed.")
    sheet.save()
    return buffer.getvalue()


def open_request(page, foi: FoiRequest):
    page.goto(f"/staff/requests/{foi.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"申请 {foi.tracking_number}"


def act(page, key: str, button: str, done: str, *, fields=(), choose=(), select=(), files=()):
    """Open the action panel ``panel-<key>``, fill it in as a clerk would and send it; the
    page that comes back must say ``done``."""
    panel = page.get_by_test_id(f"panel-{key}")
    assert panel.count() == 1, f"{key}: {panel.count()} panels on {page.url}"
    panel.locator("summary").click()
    for name, value in fields:
        panel.get_by_label(label(name)).fill(value)
    for name, option in select:
        panel.get_by_label(label(name)).select_option(label=option)
    for name in choose:
        panel.get_by_label(name, exact=True).check()
    for name, upload in files:
        panel.get_by_label(label(name)).set_input_files(upload)
    with page.expect_navigation():
        panel.get_by_role("button", name=button).click()
    refused = page.get_by_test_id("action-error")
    assert not refused.count(), f"{key} refused: {refused.inner_text()}"
    assert done in page.get_by_role("status").inner_text()


def status_cell(page) -> str:
    return page.get_by_test_id("status").inner_text()


def signoff_walk(drafter_page, office_page, leader_page, foi, kind_key: str, *, fields=(),
                 select=(), files=(), done: str):
    """Draft (``draft-<kind>``), check, sign off: the letter is issued on the last step."""
    open_request(drafter_page, foi)
    act(drafter_page, f"draft-{kind_key}", "保存", "已提交，待办公室核稿", fields=fields,
        select=select, files=files, choose=["提交下一环节"])
    open_request(office_page, foi)
    act(office_page, "draft-check", "提交核稿意见", "已核稿，待领导签发", choose=["同意"])
    open_request(leader_page, foi)
    act(leader_page, "draft-sign-off", "提交签发意见", f"已签发，已出具{done}",
        choose=["同意"], fields=[("意见说明（退回时必填）", "同意。")])


# --- the walk ------------------------------------------------------------------------------------

def test_one_request_from_the_form_to_the_applicants_downloads(
    page, signed_in_browser, axe, bureau, department, office, officer, leader, settings, tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGKAI_BASE_URL = "https://gongkai.example.gov.cn"
    AgencyFoiSettings.objects.update_or_create(
        agency=bureau, defaults={"signoff_steps": [step.value for step in SignoffStep]})

    # 1. The applicant submits on /apply/ and keeps the number and secret.
    at(SUBMITTED, 9)
    page.goto(f"/apply/?agency={bureau.code}")
    page.get_by_label("申请人类型").select_option("natural_person")
    page.get_by_label("姓名/名称").fill("张三")
    page.get_by_label("证件类型").select_option("resident_id")
    page.get_by_label("证件号码").fill("11010519491231002X")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("电子邮箱").fill(EMAIL)
    page.get_by_label("所需政府信息").fill(DESCRIPTION)
    page.get_by_label("电子文件", exact=True).check()
    page.get_by_label("电子邮件", exact=True).check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/apply/receipt/*/")
    number = page.locator("#tracking-number").inner_text().strip()
    secret = page.locator("#secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{10}", secret)
    foi = FoiRequest.objects.get(tracking_number=number)
    assert (foi.email, foi.delivery, foi.status) == (EMAIL, "email", RequestStatus.AWAITING_CONFIRMATION)

    # 2. The office confirms receipt and assigns the request; a correction notice goes
    # through drafting, the office's check and the leader's sign-off; the correction comes.
    office_page = signed_in_browser(office)
    officer_page = signed_in_browser(officer)
    leader_page = signed_in_browser(leader)
    at(SUBMITTED, 14)
    office_page.goto("/staff/requests/list/")
    office_page.get_by_role("row").filter(has_text=number).get_by_role("link").first.click()
    office_page.wait_for_url(f"**/staff/requests/{foi.pk}/")
    act(office_page, "confirm", "确认收到", "已确认收到申请", fields=[("确认收到日期", "2025-03-03")])
    assert status_cell(office_page) == "办理中"
    act(office_page, "assign", "分办", f"已分办至{department.name}", select=[("承办科室", department.name)])

    at(D(2025, 3, 4), 10)
    signoff_walk(office_page, office_page, leader_page, foi, "correction",
                 fields=[("需要补正的内容（每行一项，一次性告知）", "\n".join(ITEMS)),
                         ("补正期限", CORRECT_BY.isoformat())],
                 done="补正申请告知书")
    open_request(office_page, foi)
    assert status_cell(office_page) == "待补正"
    at(D(2025, 3, 6), 10)
    office_page.reload()
    act(office_page, "correction-received", "登记收到补正", "已登记收到补正",
        fields=[("收到补正日期", "2025-03-06"), ("说明", "申请人来函补正：所需信息为2024年第四季度蔬菜制品抽检结果。")])
    assert status_cell(office_page) == "办理中"

    # 3. The assigned officer asks for an extension; the leader approves it and the
    # 延期答复告知书 is issued.
    at(D(2025, 3, 10), 9)
    open_request(officer_page, foi)
    act(officer_page, "extension-request", "报领导审批", f"已提交延期申请（延长{EXTENSION_DAYS}个工作日）",
        fields=[("拟延长工作日数", str(EXTENSION_DAYS)), ("延期理由", EXTENSION_REASON)])
    at(D(2025, 3, 10), 15)
    open_request(leader_page, foi)
    act(leader_page, "extension-decide", "提交审批意见", f"已批准延长答复期限{EXTENSION_DAYS}个工作日",
        choose=["同意延期"], fields=[("批准日期（同意时）", "2025-03-10")])
    assert leader_page.get_by_test_id("extension-requests").get_by_text("已批准").is_visible()

    # 4. A third party is consulted (the letter drafted by the office and signed off);
    # its answer ends the pause.
    at(D(2025, 3, 11), 10)
    signoff_walk(office_page, office_page, leader_page, foi, "consultation",
                 select=[("征求对象类型", "第三方")], fields=[("征求对象", THIRD_PARTY)],
                 done="第三方意见征询函")
    open_request(office_page, foi)
    assert status_cell(office_page) == "征求意见中"
    at(D(2025, 3, 13), 10)
    office_page.reload()
    act(office_page, "consultation-end", "登记结束", "已登记征求意见结束",
        select=[("意见", "同意公开")], fields=[("结束日期（收到答复或期满之日）", "2025-03-13")])
    assert status_cell(office_page) == "办理中"

    # 5. The officer drafts the reply with the disclosed file; the office checks it; the
    # leader signs it off and the reply letter is issued.
    at(D(2025, 3, 17), 10)
    open_request(officer_page, foi)
    officer_page.get_by_test_id("panel-draft-reply").locator("summary").click()
    axe(officer_page)
    signoff_walk(officer_page, office_page, leader_page, foi, "reply",
                 select=[("答复类型", "予以公开（第三十六条第二项）")], fields=[("答复内容", REPLY_CONTENT)],
                 files=[("公开的政府信息文件（选填；PDF、JPG、PNG，每个不超过20MB；签发后随答复提供）",
                         {"name": FILE_NAME, "mimeType": "application/pdf", "buffer": disclosed_pdf()})],
                 done="答复告知书")
    [drafted_file] = signoff.draft_files(LetterDraft.objects.get(request=foi, kind=LetterKind.REPLY))
    foi.refresh_from_db()
    assert foi.status == RequestStatus.REPLIED
    disclosed = DisclosedFile.objects.get(request=foi)
    assert disclosed.display_name == FILE_NAME
    assert disclosed.sha256 == drafted_file["sha256"]  # what was signed off is what goes out
    assert not any((tmp_path / "media" / "foi" / "drafts").rglob("*.pdf"))  # the draft's copy

    # 6. The office delivers by e-mail: the letters and the file go out, the Message-ID
    # is kept with the delivery.
    at(D(2025, 3, 18), 9)
    open_request(office_page, foi)
    mail.outbox.clear()
    act(office_page, "deliver", "登记送达", "已登记送达",
        select=[("送达方式", "电子邮件")], fields=[("送达日期", "2025-03-18")])
    assert status_cell(office_page) == "已送达"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL] and number in message.subject
    letters = {letter.kind: letter for letter in Letter.objects.filter(request=foi)}
    assert set(letters) == {LetterKind.CORRECTION, LetterKind.EXTENSION, LetterKind.CONSULTATION,
                            LetterKind.REPLY}
    attached = {name: content for name, content, _ in message.attachments}
    reply_letter = letters[LetterKind.REPLY]
    reply_pdf_name = f"{reply_letter.title}（{reply_letter.document_number}）.pdf"
    with reply_letter.pdf.open("rb") as stored:
        assert attached[reply_pdf_name] == stored.read()
    assert attached[FILE_NAME] == disclosed_pdf_bytes(disclosed)
    assert not any(letters[LetterKind.CONSULTATION].document_number in name for name in attached)
    delivered = FoiEvent.objects.get(request=foi, action=Action.DELIVER)
    assert delivered.data["message_id"] == message.extra_headers["Message-ID"]
    assert delivered.data["message_id"].endswith("@gongkai.example.gov.cn>")
    assert delivered.data["method"] == "email" and f"disclosed-{disclosed.pk}" in delivered.data["attached"]
    audited = AuditEvent.objects.get(action="foi.deliver", object_id=str(foi.pk))
    assert audited.after["message_id"] == delivered.data["message_id"]
    assert audited.actor == office

    # 7. The applicant looks the request up, reads the steps, downloads the reply letter
    # and the file; each download is in the audit trail.
    at(D(2025, 3, 19), 20)
    page.goto("/status/")
    page.get_by_label("申请编号").fill(number)
    page.get_by_label("查询码").fill(secret)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#status-result")
    assert page.locator("#status-label").inner_text() == "已送达"
    axe(page)
    timeline = page.locator("#timeline li").all_inner_texts()
    for step in ("行政机关确认收到申请", "行政机关告知补正申请", "收到补正后的申请",
                 f"延期答复，答复期限延长{EXTENSION_DAYS}个工作日", "征求第三方意见", "征求意见结束",
                 "作出答复", "答复已送达（电子邮件）"):
        assert any(step in entry for entry in timeline), (step, timeline)
    assert not any(THIRD_PARTY in entry for entry in timeline)
    documents = page.locator("#letters").inner_text()
    assert letters[LetterKind.CONSULTATION].document_number not in documents  # to the third party only
    for kind in (LetterKind.CORRECTION, LetterKind.EXTENSION, LetterKind.REPLY):
        assert letters[kind].document_number in documents

    with page.expect_download() as letter_download:
        page.locator("#letters").get_by_role("link", name=re.compile(
            rf"^PDF\s*：\s*{re.escape(reply_letter.title)}$")).click()
    with reply_letter.pdf.open("rb") as stored:
        assert letter_download.value.path().read_bytes() == stored.read()
    assert letter_download.value.suggested_filename == reply_pdf_name
    with page.expect_download() as file_download:
        page.locator("#disclosed-files").get_by_role("link", name=FILE_NAME).click()
    assert file_download.value.path().read_bytes() == disclosed_pdf_bytes(disclosed)

    downloads = AuditEvent.objects.filter(action="foi.applicant.download", object_id=str(foi.pk))
    assert sorted(e.after["file"] for e in downloads) == sorted(
        [f"letter-{reply_letter.pk}.pdf", f"disclosed-{disclosed.pk}"])
    assert all(e.after["who"] == "申请人" and e.after["via"] == "status" for e in downloads)

    # The history: each step, who took it and when.
    history = [(e.action, e.actor.username if e.actor else "", e.on, e.at.date())
               for e in FoiEvent.objects.filter(request=foi).order_by("id")]
    expected = [
        (Action.SUBMIT, "", SUBMITTED),
        (Action.CONFIRM_RECEIPT, "office", SUBMITTED),
        (Action.ASSIGN, "office", SUBMITTED),
        (Action.SUBMIT_DRAFT, "office", D(2025, 3, 4)),
        (Action.CHECK_DRAFT, "office", D(2025, 3, 4)),
        (Action.SIGN_OFF, "leader", D(2025, 3, 4)),
        (Action.REQUEST_CORRECTION, "leader", D(2025, 3, 4)),
        (Action.CORRECTION_RECEIVED, "office", D(2025, 3, 6)),
        (Action.REQUEST_EXTENSION, "officer", D(2025, 3, 10)),
        (Action.EXTEND, "leader", D(2025, 3, 10)),
        (Action.SUBMIT_DRAFT, "office", D(2025, 3, 11)),
        (Action.CHECK_DRAFT, "office", D(2025, 3, 11)),
        (Action.SIGN_OFF, "leader", D(2025, 3, 11)),
        (Action.START_CONSULTATION, "leader", D(2025, 3, 11)),
        (Action.END_CONSULTATION, "office", D(2025, 3, 13)),
        (Action.SUBMIT_DRAFT, "officer", D(2025, 3, 17)),
        (Action.CHECK_DRAFT, "office", D(2025, 3, 17)),
        (Action.SIGN_OFF, "leader", D(2025, 3, 17)),
        (Action.REPLY, "leader", D(2025, 3, 17)),
        (Action.DELIVER, "office", D(2025, 3, 18)),
    ]
    assert [(a, who, on) for a, who, on, _ in history] == expected
    assert all(at_day == on for _, _, on, at_day in history)  # recorded when it was done
    drafts = list(LetterDraft.objects.filter(request=foi).order_by("id"))
    assert [(d.kind, d.state) for d in drafts] == [
        (LetterKind.CORRECTION, DraftState.ISSUED), (LetterKind.CONSULTATION, DraftState.ISSUED),
        (LetterKind.REPLY, DraftState.ISSUED)]
    assert (drafts[2].drafted_by, drafts[2].checked_by, drafts[2].signed_by) == (officer, office, leader)
    extension = ExtensionRequest.objects.get(request=foi)
    assert (extension.state, extension.requested_by, extension.decided_by) == (
        ExtensionState.APPROVED, officer, leader)
    # The office's page lists the same steps with the names of who took them.
    open_request(office_page, foi)
    rows = office_page.get_by_test_id("events").locator("tbody tr").all_inner_texts()
    assert len(rows) == len(expected)
    for row, (action, who, on) in zip(rows, expected, strict=True):
        assert on.isoformat() in row and Action(action).label in row, (row, action)
        assert str({"": "申请人", "office": office, "officer": officer, "leader": leader}[who]) in row, row

    # Every letter issued on the way opens in LibreOffice and says what it must.
    key_lines = {
        LetterKind.CORRECTION: ["张三：", *ITEMS, "请您于2025年3月14日前向本机关提交补正后的申请"],
        # The new date as it stood that day: 20 working days from the day after the
        # correction came (to 3 April), 15 more across the Qingming holiday.
        LetterKind.EXTENSION: ["张三：", f"因{EXTENSION_REASON}", f"答复期限延长{EXTENSION_DAYS}个工作日",
                               "本机关将于2025年4月25日前作出答复"],
        LetterKind.CONSULTATION: [f"{THIRD_PARTY}：", "现书面征求您（单位）的意见",
                                  f"自收到本函之日起{deadlines.THIRD_PARTY_REPLY_DAYS}个工作日内"],
        LetterKind.REPLY: ["张三：", REPLY_CONTENT,
                           "本机关将通过电子邮件将上述政府信息发送至您在申请中提供的电子邮箱"],
    }
    kinds = list(key_lines)
    sources = []
    for kind in kinds:
        source = tmp_path / "docx" / f"{kind}.docx"
        source.parent.mkdir(exist_ok=True)
        with letters[kind].docx.open("rb") as stored:
            source.write_bytes(stored.read())
        sources.append(source)
    for kind, pdf in zip(kinds, convert_to_pdf(sources, tmp_path / "converted"), strict=True):
        text = squeezed(pdf_text(pdf))
        letter = letters[kind]
        for line in (letter.document_number, letter.title, *key_lines[kind]):
            assert squeezed(line) in text, (kind, line)


def disclosed_pdf_bytes(disclosed: DisclosedFile) -> bytes:
    with disclosed.file.open("rb") as stored:
        return stored.read()
