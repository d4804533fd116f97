"""The office's settings and reply-letter templates, over HTTP: settings saved and named in
the remedy; a template saved and used by the next reply letter, refused with the Chinese
reasons when it lacks what its reply type must say, reset to the default; every other
role refused (403) with nothing changed; another agency's office acting on its own agency
only; audit entries; the platform admin refusing an unlawful default letter."""

import datetime as dt
import html
import io
import re

import docx
import pytest
from django.urls import NoReverseMatch, reverse

from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, AuditEvent
from gongkai.foi.letters import default_templates, template_for
from gongkai.foi.models import AgencyFoiSettings, ReplyTemplate
from gongkai.foi.outcomes import Outcome, ReplyType
from gongkai.foi.services import templates as template_services
from gongkai.foi.services.replies import request_reply

pytestmark = pytest.mark.django_db
D = dt.date

SETTINGS_URL = reverse("staff:foi-settings")
NOT_DISCLOSED = ReplyType.NOT_DISCLOSED.value
EDIT_URL = reverse("staff:foi-template-edit", args=[NOT_DISCLOSED])
RESET_URL = reverse("staff:foi-template-reset", args=[NOT_DISCLOSED])

CUSTOM_TITLE = "不予公开政府信息告知书（本局格式）"
CUSTOM_LINE = "本局依法审查后特此说明如下。"
CUSTOM_BODY = f"{{applicant}}：\n{CUSTOM_LINE}\n{{content}}\n{{legal_basis}}\n{{remedy}}"
SETTINGS = {"review_body": "测试市人民政府", "court": "测试市滨河区人民法院",
            "fee_notice_pauses_clock": "on", "duplicate_window_days": "180"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def cell(response, testid: str) -> str:
    """The text inside the element marked ``data-testid=testid``."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>',
                      response.content.decode(), re.S)
    assert match, f"no element {testid!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def audit_actions(agency) -> list[str]:
    """The agency's audit entries for settings and templates, in order."""
    return list(AuditEvent.objects.filter(agency=agency, action__regex=r"^foi\.(settings|template)\.")
                .order_by("seq").values_list("action", flat=True))


def letter_text(reply) -> str:
    with reply.letter.open("rb") as stored:
        document = docx.Document(io.BytesIO(stored.read()))
    return "\n".join(p.text for p in document.paragraphs)


def reply_not_disclosed(register, office):
    foi = register(D(2025, 3, 3))
    return request_reply(actor=office, request=foi, reply_type=NOT_DISCLOSED,
                         outcome=Outcome.WITHHELD_THIRD_PARTY, content="所申请信息涉及第三方商业秘密。",
                         legal_basis="《中华人民共和国政府信息公开条例》第十五条")


# --- settings ----------------------------------------------------------------------------------

def test_office_saves_the_settings_and_the_remedy_names_the_review_body_and_court(client_for, office, bureau):
    client = client_for(office)
    page = client.get(SETTINGS_URL)
    assert page.status_code == 200
    assert "测试市人民政府办公室" in cell(page, "remedy")  # the parent agency until set

    response = client.post(SETTINGS_URL, SETTINGS)

    assert response.status_code == 302
    saved = AgencyFoiSettings.objects.get(agency=bureau)
    assert (saved.review_body, saved.court, saved.fee_notice_pauses_clock, saved.duplicate_window_days) == (
        "测试市人民政府", "测试市滨河区人民法院", True, 180)
    remedy = cell(client.get(SETTINGS_URL), "remedy")
    assert "测试市人民政府" in remedy and "测试市滨河区人民法院" in remedy
    event = AuditEvent.objects.get(action="foi.settings.save")
    assert event.agency == bureau and event.actor == office
    assert event.after["duplicate_window_days"] == 180

    client.post(SETTINGS_URL, {**SETTINGS, "fee_notice_pauses_clock": ""})
    event = AuditEvent.objects.filter(action="foi.settings.save").latest("seq")
    assert event.before["fee_notice_pauses_clock"] is True
    assert event.after["fee_notice_pauses_clock"] is False


def test_office_chooses_the_signoff_steps_kept_in_their_fixed_order(client_for, office, bureau):
    from gongkai.foi.models.signoff import signoff_steps_for

    client = client_for(office)
    assert 'name="signoff_steps"' in client.get(SETTINGS_URL).content.decode()
    response = client.post(SETTINGS_URL, {**SETTINGS, "signoff_steps": ["sign_off", "draft"]})
    assert response.status_code == 302
    assert AgencyFoiSettings.objects.get(agency=bureau).signoff_steps == ["draft", "sign_off"]
    assert [s.value for s in signoff_steps_for(Agency.objects.get(pk=bureau.pk))] == ["draft", "sign_off"]
    event = AuditEvent.objects.filter(action="foi.settings.save").latest("seq")
    assert event.after["signoff_steps"] == ["draft", "sign_off"]

    bad = client.post(SETTINGS_URL, {**SETTINGS, "signoff_steps": ["draft", "stamp"]})
    assert bad.status_code == 400
    assert AgencyFoiSettings.objects.get(agency=bureau).signoff_steps == ["draft", "sign_off"]

    client.post(SETTINGS_URL, SETTINGS)  # none ticked: the office issues directly
    assert AgencyFoiSettings.objects.get(agency=bureau).signoff_steps == []


def test_the_service_refuses_an_unknown_signoff_step(office, bureau):
    with pytest.raises(DomainError, match="未知的签发环节"):
        template_services.foi_settings_save(actor=office, agency=bureau, signoff_steps=["draft", "seal"])


@pytest.mark.parametrize("days", ["0", "3651", "-5", "七天"])
def test_duplicate_window_outside_1_to_3650_days_is_refused_and_nothing_saved(client_for, office, days):
    response = client_for(office).post(SETTINGS_URL, {**SETTINGS, "duplicate_window_days": days})

    assert response.status_code == 400
    assert "设置未保存" in text_of(response)
    assert not AgencyFoiSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="foi.settings.save").exists()


def test_settings_page_lists_every_reply_type_with_its_source(client_for, office, bureau):
    client = client_for(office)
    client.post(EDIT_URL, {"title": CUSTOM_TITLE, "body": CUSTOM_BODY})

    page = client.get(SETTINGS_URL)

    assert "本机关模板" in cell(page, f"template-{NOT_DISCLOSED}")
    for reply_type in ReplyType:
        if reply_type != ReplyType.NOT_DISCLOSED:
            assert "平台默认" in cell(page, f"template-{reply_type.value}")
    assert reverse("staff:foi-template-edit", args=[ReplyType.DISCLOSED.value]) in text_of(page)


# --- templates ---------------------------------------------------------------------------------

def test_office_saves_a_template_and_the_next_reply_letter_uses_its_text(
        client_for, office, bureau, register):
    client = client_for(office)
    page = client.get(EDIT_URL)
    assert page.status_code == 200
    assert cell(page, "source") == "平台默认模板"
    assert "{remedy} 救济途径 必须" in cell(page, "placeholders")
    assert default_templates()[ReplyType.NOT_DISCLOSED][0] in cell(page, "preview")

    response = client.post(EDIT_URL, {"title": CUSTOM_TITLE, "body": CUSTOM_BODY})

    assert response.status_code == 302
    template = ReplyTemplate.objects.get(agency=bureau, reply_type=NOT_DISCLOSED)
    assert (template.title, template.body) == (CUSTOM_TITLE, CUSTOM_BODY)
    page = client.get(EDIT_URL)
    assert cell(page, "source").startswith("本机关模板")
    assert CUSTOM_LINE in cell(page, "preview") and CUSTOM_TITLE in cell(page, "preview")

    text = letter_text(reply_not_disclosed(register, office))
    assert CUSTOM_TITLE in text and CUSTOM_LINE in text
    assert "所申请信息涉及第三方商业秘密。" in text

    event = AuditEvent.objects.get(action="foi.template.save")
    assert event.agency == bureau and event.actor == office and event.before is None
    assert event.after["title"] == CUSTOM_TITLE
    assert event.after["body_length"] == len(CUSTOM_BODY)
    assert CUSTOM_LINE not in str(event.after)  # a fingerprint, not the text


@pytest.mark.parametrize("body, message", [
    ("{applicant}：\n{content}\n{legal_basis}",
     "缺少占位符{remedy}（救济途径）：不予公开、无法提供或者不予处理的答复应当告知申请行政复议或者提起行政诉讼的途径（第三十六条）"),
    ("{applicant}：\n{content}\n{remedy}", "缺少占位符{legal_basis}（不予公开的理由和法律依据）"),
    ("{aplicant}：\n{content}\n{legal_basis}\n{remedy}", "未知的占位符{aplicant}，将原样显示在答复告知书中"),
])
def test_a_template_lacking_what_the_reply_type_requires_is_refused_with_the_reason(
        client_for, office, body, message):
    response = client_for(office).post(EDIT_URL, {"title": CUSTOM_TITLE, "body": body})

    assert response.status_code == 400
    assert "模板未保存" in cell(response, "template-error")
    assert message in text_of(response)
    assert not ReplyTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="foi.template").exists()


def test_unknown_placeholder_in_the_title_is_refused(client_for, office):
    response = client_for(office).post(EDIT_URL, {"title": "{agency_nam}告知书", "body": CUSTOM_BODY})

    assert response.status_code == 400
    assert "标题中未知的占位符{agency_nam}" in text_of(response)
    assert not ReplyTemplate.objects.exists()


def test_reset_removes_the_agencys_template_and_letters_use_the_default_again(
        client_for, office, bureau, register):
    client = client_for(office)
    client.post(EDIT_URL, {"title": CUSTOM_TITLE, "body": CUSTOM_BODY})

    response = client.post(RESET_URL)

    assert response.status_code == 302
    assert not ReplyTemplate.objects.filter(agency=bureau).exists()
    assert cell(client.get(EDIT_URL), "source") == "平台默认模板"
    text = letter_text(reply_not_disclosed(register, office))
    assert default_templates()[ReplyType.NOT_DISCLOSED][0] in text and CUSTOM_LINE not in text
    assert audit_actions(bureau) == ["foi.template.save", "foi.template.reset"]
    reset = AuditEvent.objects.get(action="foi.template.reset")
    assert reset.before["title"] == CUSTOM_TITLE and reset.after is None


def test_reset_without_an_own_template_is_refused(client_for, office):
    response = client_for(office).post(RESET_URL)

    assert response.status_code == 400
    assert "没有本机关自定义的模板" in cell(response, "template-error")
    assert not AuditEvent.objects.filter(action="foi.template.reset").exists()


def test_reset_is_post_only(client_for, office):
    assert client_for(office).get(RESET_URL).status_code == 405


def test_unknown_reply_type_is_404(client_for, office):
    client = client_for(office)
    edit = reverse("staff:foi-template-edit", args=["no_such_type"])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"title": CUSTOM_TITLE, "body": CUSTOM_BODY}).status_code == 404
    assert client.post(reverse("staff:foi-template-reset", args=["no_such_type"])).status_code == 404
    assert not ReplyTemplate.objects.exists()


# --- who may ------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["officer", "reviewer", "leader", "supervisor", "platform_admin"])
def test_roles_other_than_the_office_are_refused_and_nothing_changes(
        request, client_for, office, bureau, persona):
    template_services.reply_template_save(actor=office, agency=bureau, reply_type=NOT_DISCLOSED,
                                          title=CUSTOM_TITLE, body=CUSTOM_BODY)
    events = AuditEvent.objects.count()
    client = client_for(request.getfixturevalue(persona))

    assert client.get(SETTINGS_URL).status_code == 403
    assert client.post(SETTINGS_URL, SETTINGS).status_code == 403
    assert client.get(EDIT_URL).status_code == 403
    assert client.post(EDIT_URL, {"title": "改", "body": CUSTOM_BODY + "\n改"}).status_code == 403
    assert client.post(RESET_URL).status_code == 403

    assert not AgencyFoiSettings.objects.exists()
    assert ReplyTemplate.objects.get().title == CUSTOM_TITLE
    assert AuditEvent.objects.count() == events


def test_another_agencys_office_acts_on_its_own_agency_only(
        client_for, office, other_office, bureau, other_agency):
    template_services.reply_template_save(actor=office, agency=bureau, reply_type=NOT_DISCLOSED,
                                          title=CUSTOM_TITLE, body=CUSTOM_BODY)
    client = client_for(other_office)

    page = client.get(EDIT_URL)
    assert cell(page, "source") == "平台默认模板"  # not bureau's text
    assert CUSTOM_LINE not in text_of(page)
    assert client.post(RESET_URL).status_code == 400  # nothing of its own to reset
    assert client.post(SETTINGS_URL, SETTINGS).status_code == 302
    assert client.post(EDIT_URL, {"title": "县局告知书", "body": CUSTOM_BODY}).status_code == 302

    assert AgencyFoiSettings.objects.get().agency == other_agency
    assert ReplyTemplate.objects.get(agency=bureau).title == CUSTOM_TITLE
    assert ReplyTemplate.objects.get(agency=other_agency).title == "县局告知书"
    assert template_for(bureau, NOT_DISCLOSED) == (CUSTOM_TITLE, CUSTOM_BODY)
    assert audit_actions(other_agency) == ["foi.settings.save", "foi.template.save"]


def test_settings_link_is_in_the_navigation_of_offices_only(client_for, office, officer):
    assert SETTINGS_URL in text_of(client_for(office).get(reverse("staff:home")))
    assert SETTINGS_URL not in text_of(client_for(officer).get(reverse("staff:home")))


# --- platform admin ----------------------------------------------------------------------------

ADMIN_ADD = reverse("admin:foi_replytemplate_add")


def test_admin_refuses_a_platform_default_letter_without_the_remedy(client_for, platform_admin):
    response = client_for(platform_admin).post(ADMIN_ADD, {
        "agency": "", "reply_type": NOT_DISCLOSED, "title": CUSTOM_TITLE,
        "body": "{applicant}：\n{content}\n{legal_basis}",
    })

    assert response.status_code == 200  # the form again, with its errors
    assert "缺少占位符{remedy}（救济途径）" in text_of(response)
    assert not ReplyTemplate.objects.exists()


def test_admin_saves_a_platform_default_through_the_service(client_for, platform_admin, bureau):
    client = client_for(platform_admin)
    data = {"agency": "", "reply_type": NOT_DISCLOSED, "title": CUSTOM_TITLE, "body": CUSTOM_BODY}

    assert client.post(ADMIN_ADD, data).status_code == 302
    template = ReplyTemplate.objects.get()
    assert template.agency is None
    assert template_for(bureau, NOT_DISCLOSED) == (CUSTOM_TITLE, CUSTOM_BODY)
    event = AuditEvent.objects.get(action="foi.template.save")
    assert event.actor == platform_admin and event.agency is None

    again = client.post(ADMIN_ADD, data)  # a second platform default for the same type
    assert again.status_code == 200
    assert "该答复类型已有平台默认模板" in text_of(again)
    assert ReplyTemplate.objects.count() == 1


def test_admin_registers_nothing_with_applicants_personal_data(client_for, platform_admin):
    for model in ["foirequest", "reply", "requestattachment", "foievent", "feenotice", "appeal"]:
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:foi_{model}_changelist")
    assert client_for(platform_admin).get(reverse("admin:foi_agencyfoisettings_changelist")).status_code == 200


def test_admin_sets_an_agencys_settings_through_the_service(client_for, platform_admin, bureau):
    response = client_for(platform_admin).post(reverse("admin:foi_agencyfoisettings_add"), {
        "agency": bureau.pk, **SETTINGS, "duplicate_window_days": "0",
    })
    assert response.status_code == 200 and not AgencyFoiSettings.objects.exists()

    response = client_for(platform_admin).post(reverse("admin:foi_agencyfoisettings_add"), {
        "agency": bureau.pk, **SETTINGS,
    })

    assert response.status_code == 302
    assert AgencyFoiSettings.objects.get(agency=bureau).duplicate_window_days == 180
    assert audit_actions(bureau) == ["foi.settings.save"]
