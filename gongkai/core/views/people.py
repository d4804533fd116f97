"""The back-office pages where an agency's office manages its people and departments, and
the public page where an invited person accepts (``services.people``; who may do what is
``permissions.can_manage_people`` / ``can_assign_role``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from gongkai.core import clock, masking, permissions, selectors
from gongkai.core.errors import DomainError
from gongkai.core.models import Agency, Department, InvitationStatus, Membership, Role, User
from gongkai.core.services import agencies as agency_services
from gongkai.core.services import people as services
from gongkai.core.views.base import staff_required

REASON = forms.CharField(label="理由", max_length=200)


class InviteForm(forms.Form):
    email = forms.EmailField(label="电子邮箱", max_length=150)
    full_name = forms.CharField(label="姓名（选填）", max_length=50, required=False)
    role = forms.ChoiceField(label="岗位")
    department = forms.ModelChoiceField(label="内设机构（信息员必选）", queryset=Department.objects.none(),
                                        required=False)

    def __init__(self, *args, agency: Agency, roles: list[Role], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        self.fields["department"].queryset = agency.departments.filter(is_active=True)


class GrantForm(InviteForm):
    """Another role for someone who already works in the agency."""

    email = None
    full_name = None
    person = forms.ModelChoiceField(label="人员", queryset=User.objects.none())
    reason = REASON

    field_order = ["person", "role", "department", "reason"]

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, agency=agency, **kwargs)
        self.fields["person"].queryset = User.objects.filter(memberships__agency=agency).distinct().order_by(
            "username")


class ReasonForm(forms.Form):
    reason = REASON


class DepartmentForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)


class AcceptForm(forms.Form):
    full_name = forms.CharField(label="姓名", max_length=50)
    password = forms.CharField(label="设置登录密码", widget=forms.PasswordInput(render_value=False),
                               strip=False, required=False)
    password_again = forms.CharField(label="再次输入密码", widget=forms.PasswordInput(render_value=False),
                                     strip=False, required=False)

    def __init__(self, *args, with_password: bool, new_account: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not new_account:
            for name in ("full_name", "password", "password_again"):
                del self.fields[name]
        elif not with_password:
            del self.fields["password"], self.fields["password_again"]
        else:
            for name in ("password", "password_again"):
                self.fields[name].required = True
                self.fields[name].widget.attrs["autocomplete"] = "new-password"
            self.fields["password"].help_text = "；".join(password_validation.password_validators_help_texts())

    def clean(self):
        data = super().clean()
        if "password" in self.fields and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "两次输入的密码不一致")
        return data


def _found(obj, what: str):
    """What a ``*_managed_get`` found, else the same 404 for "does not exist" and "not
    yours"."""
    if obj is None:
        raise Http404(f"{what}不存在")
    return obj


def _managed_agency(request, pk: int) -> Agency:
    return _found(services.agency_managed_get(user=request.user, pk=pk), "机关")


def _membership(request, pk: int) -> Membership:
    return _found(services.membership_managed_get(user=request.user, pk=pk), "岗位")


def _people_url(agency: Agency) -> str:
    return reverse("staff:people", args=[agency.pk])


def _invitation_rows(agency: Agency) -> list[dict]:
    now = clock.now()
    rows = []
    for invitation in services.invitations_of(agency)[:100]:
        status = invitation.status_at(now)
        rows.append({"invitation": invitation, "email": masking.mask_email(invitation.email),
                     "status": status, "pending": status == InvitationStatus.PENDING})
    return rows


def _page(request, agency: Agency, *, invite=None, grant=None, department=None, status=200):
    roles = permissions.roles_assignable(request.user, agency)
    memberships = list(selectors.membership_list(agency=agency))
    people: dict[int, dict] = {}
    for m in memberships:
        row = people.setdefault(m.user_id, {"user": m.user, "memberships": [], "active": False})
        row["memberships"].append({"m": m, "may_change": permissions.can_assign_role(
            request.user, agency, m.role, person=m.user)})
        row["active"] = row["active"] or m.is_active
    for row in people.values():
        row["may_disable"] = row["active"] and all(
            x["may_change"] for x in row["memberships"] if x["m"].is_active)
    return render(request, "core/people.html", {
        "agency": agency,
        "people": list(people.values()),
        "departments": selectors.department_list(agency=agency),
        "invitations": _invitation_rows(agency),
        "invite_form": invite or InviteForm(agency=agency, roles=roles, prefix="invite"),
        "grant_form": grant or GrantForm(agency=agency, roles=roles, prefix="grant"),
        "department_form": department or DepartmentForm(prefix="department"),
        "reason_form": ReasonForm(),
    }, status=status)


def _refused(form, exc: Exception) -> None:
    """A service's refusal onto the form it came from."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, DomainError):
        form.add_error(None, exc.message)
    else:
        form.add_error(None, list(getattr(exc, "messages", [str(exc)])))


@staff_required
def people_home(request):
    """人员管理 in the menu: the active membership's agency when its people are the user's
    to manage, else the first agency that is."""
    membership = request.membership
    if membership is not None and permissions.can_manage_people(request.user, membership.agency):
        return redirect(_people_url(membership.agency))
    first = permissions.agencies_managed_by(request.user).order_by("path").first()
    if first is None:
        raise PermissionDenied("只有本机关的政府信息公开工作机构（公开办）可以管理人员。")
    if permissions.is_platform_admin(request.user):
        return redirect("staff:agency-list")
    return redirect(_people_url(first))


@staff_required
def people_page(request, pk: int):
    return _page(request, _managed_agency(request, pk))


def _submitted(request, agency: Agency, form, page_form: str, act):
    """One of the people page's forms: valid and taken by the service (``act(data)`` returns
    what to tell the user) → back to the page; else the page again with the form's errors."""
    if form.is_valid():
        try:
            done = act(form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _refused(form, exc)
        else:
            messages.success(request, done)
            return redirect(_people_url(agency))
    return _page(request, agency, status=400, **{page_form: form})


@staff_required
@require_POST
def people_invite(request, pk: int):
    agency = _managed_agency(request, pk)

    def act(d):
        invitation = services.invitation_create(
            actor=request.user, agency=agency, email=d["email"], role=d["role"],
            department=d["department"], full_name=d["full_name"])
        return f"已向 {masking.mask_email(invitation.email)} 发出邀请，7天内有效。"

    form = InviteForm(request.POST, agency=agency, roles=permissions.roles_assignable(request.user, agency),
                      prefix="invite")
    return _submitted(request, agency, form, "invite", act)


@staff_required
@require_POST
def people_grant(request, pk: int):
    agency = _managed_agency(request, pk)

    def act(d):
        agency_services.membership_grant(actor=request.user, user=d["person"], agency=agency,
                                         role=d["role"], department=d["department"], reason=d["reason"])
        return f"已为 {d['person']} 授予岗位。"

    form = GrantForm(request.POST, agency=agency, roles=permissions.roles_assignable(request.user, agency),
                     prefix="grant")
    return _submitted(request, agency, form, "grant", act)


def _reason_or_back(request) -> str | None:
    form = ReasonForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["reason"]
    messages.error(request, "请填写理由。")
    return None


@staff_required
@require_POST
def membership_revoke(request, pk: int):
    membership = _membership(request, pk)
    if (reason := _reason_or_back(request)) is not None:
        agency_services.membership_revoke(actor=request.user, membership=membership, reason=reason)
        messages.success(request, f"已撤销：{membership.user} 的{membership.get_role_display()}岗位。")
    return redirect(_people_url(membership.agency))


@staff_required
@require_POST
def person_disable(request, pk: int, user_id: int):
    agency = _managed_agency(request, pk)
    person = _found(User.objects.filter(pk=user_id, memberships__agency=agency).distinct().first(), "人员")
    if (reason := _reason_or_back(request)) is not None:
        try:
            services.person_disable_in_agency(actor=request.user, user=person, agency=agency, reason=reason)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已停用 {person} 在本机关的全部岗位。")
    return redirect(_people_url(agency))


class TransferForm(forms.Form):
    department = forms.ModelChoiceField(label="调入内设机构", queryset=Department.objects.none(), required=False)
    reason = REASON

    def __init__(self, *args, target: Agency, role: Role, **kwargs):
        super().__init__(*args, **kwargs)
        if role == Role.OFFICER:
            self.fields["department"].queryset = target.departments.filter(is_active=True)
            self.fields["department"].required = True
        else:
            del self.fields["department"]


@staff_required
@require_http_methods(["GET", "POST"])
def membership_transfer(request, pk: int):
    """调动: choose the agency (GET ``to``; the agencies the user manages), then the
    department for an officer, and the reason."""
    membership = _membership(request, pk)
    targets = permissions.agencies_managed_by(request.user).filter(is_active=True).order_by("path")
    raw = request.POST.get("to") or request.GET.get("to") or str(membership.agency_id)
    target = targets.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) <= 18 else None
    if target is None:
        raise Http404("机关不存在")
    form = TransferForm(request.POST or None, target=target, role=Role(membership.role))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.person_transfer(actor=request.user, membership=membership, agency=target,
                                         department=form.cleaned_data.get("department"),
                                         reason=form.cleaned_data["reason"])
            except (DomainError, ValidationError) as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"已调动 {membership.user}。")
                return redirect(_people_url(membership.agency))
        status = 400
    return render(request, "core/people_transfer.html", {
        "membership": membership, "target": target, "targets": targets[:500], "form": form,
    }, status=status)


@staff_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = _found(services.invitation_managed_get(user=request.user, pk=pk), "邀请")
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation,
                                   reason=request.POST.get("reason", "")[:200])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤销邀请，邀请链接即时失效。")
    return redirect(_people_url(invitation.agency))


@staff_required
@require_POST
def department_add(request, pk: int):
    agency = _managed_agency(request, pk)

    def act(d):
        agency_services.department_create(actor=request.user, agency=agency, name=d["name"])
        return f"已添加内设机构：{d['name']}。"

    return _submitted(request, agency, DepartmentForm(request.POST, prefix="department"), "department", act)


@staff_required
@require_POST
def department_toggle(request, pk: int):
    department = _found(services.department_managed_get(user=request.user, pk=pk), "内设机构")
    if (reason := _reason_or_back(request)) is not None:
        done = "停用" if department.is_active else "启用"
        agency_services.department_update(actor=request.user, department=department,
                                          is_active=not department.is_active, reason=reason)
        messages.success(request, f"已{done}：{department.name}。")
    return redirect(_people_url(department.agency))


# --- The invited person (no sign-in) ---------------------------------------------------


# The link's token leaves the address bar (and with it the history, later access-log lines
# and Referer headers) at the first request: the session keeps its hash and the page moves
# to this segment, which no token can be (tokens are 43 characters).
HERE = "accept"
SESSION_INVITATION = "gongkai.invitation"


def _refusal(request, message: str, status: int):
    return render(request, "core/people_invitation.html", {"refusal": message}, status=status)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    if token != HERE:
        request.session[SESSION_INVITATION] = services.token_hash(token)
        return redirect("staff:invitation-accept", HERE)
    digest = request.session.get(SESSION_INVITATION, "")
    if not digest:
        return _refusal(request, "请通过邀请邮件中的链接打开本页。", 404)
    try:
        invitation = services.invitation_for_token(digest=digest)
        account = services.invitation_account(invitation)
    except services.InvitationUnusable as exc:
        return _refusal(request, exc.message, 404 if exc.status is None else 410)
    except DomainError as exc:
        return _refusal(request, exc.message, 409)
    with_password = services.local_passwords()
    form = AcceptForm(request.POST or None, with_password=with_password, new_account=account is None,
                      initial={"full_name": invitation.full_name})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                membership = services.invitation_accept(
                    digest=digest, full_name=form.cleaned_data.get("full_name", ""),
                    password=form.cleaned_data.get("password") or None)
            except services.InvitationUnusable as exc:
                return _refusal(request, exc.message, 410)
            except (DomainError, ValidationError) as exc:
                _refused(form, exc)
            else:
                request.session.pop(SESSION_INVITATION, None)
                return render(request, "core/people_invitation_done.html", {
                    "membership": membership, "with_password": with_password,
                    "username": membership.user.username,
                })
        status = 400
    return render(request, "core/people_invitation.html", {
        "invitation": invitation, "account": account, "form": form, "with_password": with_password,
    }, status=status)
