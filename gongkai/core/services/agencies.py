"""Agencies, departments, people and their roles."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from gongkai.core import audit, clock, deferred, listeners, permissions
from gongkai.core.errors import DomainError, InvalidTransition
from gongkai.core.models import (
    Agency,
    AgencyImport,
    AgencyImportState,
    Department,
    Membership,
    Role,
    User,
)
from gongkai.core.services.people import invitations_revoke_ungrantable

AGENCY_FIELDS = (
    "name", "short_name", "code", "level", "kind", "region_code", "accepts_requests", "address",
    "postal_code", "phone", "fax", "email", "office_hours", "is_active",
)


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _require_admin(actor) -> None:
    if not permissions.is_platform_admin(actor):
        raise PermissionDenied("只有平台管理员可以执行此操作")


def _public_content_changed() -> None:
    """Agencies are shown to the public (names, tree, contacts; an inactive agency and
    everything it published disappear): whatever mirrors public pages must hear of it."""
    listeners.emit(listeners.CONTENT_CHANGED)


def _path_for(agency: Agency) -> str:
    own = str(agency.pk).zfill(Agency.PATH_STEP) + "."
    return (agency.parent.path if agency.parent_id else "") + own


@transaction.atomic
def agency_create(*, actor, parent: Agency | None = None, reason: str = "", **fields) -> Agency:
    """Add an agency to the tree (platform administrators)."""
    _require_admin(actor)
    [agency] = _create_many(actor=actor, items=[(parent, reason, fields)])
    _public_content_changed()
    listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, agency, True)  # its guide, in search
    return agency


def _create_many(*, actor, items: list[tuple[Agency | None, str, dict]],
                 check_unique: bool = True) -> list[Agency]:
    """``agency_create``'s writes, but for telling the public side (a batch does that
    once), for each (parent, reason, fields) of ``items``, whose parents exist already:
    validated, inserted together, given their paths, each audited. ``check_unique=False``
    when the caller has checked the codes (the unique index still holds)."""
    agencies = []
    for parent, _, fields in items:
        agency = Agency(parent=parent, **fields)
        agency.path = f"tmp-{id(agency)}"  # placeholder until the primary key exists
        agency.full_clean(exclude=["path"], validate_unique=check_unique)
        agencies.append(agency)
    Agency.objects.bulk_create(agencies, batch_size=500)
    for agency in agencies:
        agency.path = _path_for(agency)
        agency.depth = (agency.parent.depth + 1) if agency.parent_id else 0
    Agency.objects.bulk_update(agencies, ["path", "depth"], batch_size=500)
    for agency, (_, reason, _) in zip(agencies, items, strict=True):
        audit.record(
            actor=actor, action="agency.create", obj=agency, agency=agency, reason=reason,
            after={**_snapshot(agency, AGENCY_FIELDS), "parent_id": agency.parent_id},
        )
    return agencies


@transaction.atomic
def agency_update(*, actor, agency: Agency, reason: str = "", **changes) -> Agency:
    """Change an agency's details or move it (with its subtree) under another parent."""
    _require_admin(actor)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    before = {**_snapshot(agency, AGENCY_FIELDS), "parent_id": agency.parent_id}
    new_parent = changes.pop("parent", agency.parent)
    for key, value in changes.items():
        if key not in AGENCY_FIELDS:
            raise ValueError(f"unknown agency field {key}")
        setattr(agency, key, value)
    moved = (new_parent.pk if new_parent else None) != agency.parent_id
    if moved and new_parent is not None and new_parent.path.startswith(agency.path):
        raise DomainError("不能把机关移到它自己的下级机关之下")
    agency.parent = new_parent
    agency.full_clean(exclude=["path"])
    agency.save()
    if moved:
        old_path, new_path = agency.path, _path_for(agency)
        depth_change = ((new_parent.depth + 1) if new_parent else 0) - agency.depth
        for node in Agency.objects.select_for_update().filter(path__startswith=old_path):
            node.path = new_path + node.path[len(old_path):]
            node.depth += depth_change
            node.save(update_fields=["path", "depth"])
        agency.refresh_from_db()
        # Records stay with the agency; scopes follow ``path``. What copies the ancestors
        # (the search index's agency filters) hears of it.
        listeners.emit(listeners.AGENCY_MOVED, agency)
    after = {**_snapshot(agency, AGENCY_FIELDS), "parent_id": agency.parent_id}
    audit.record(
        actor=actor, action="agency.update", obj=agency, agency=agency, reason=reason,
        before={k: v for k, v in before.items() if before[k] != after[k]},
        after={k: v for k, v in after.items() if before[k] != after[k]},
    )
    if before != after:
        _public_content_changed()
        listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, agency, agency.is_active)  # its guide
    return agency


@transaction.atomic
def agency_import(*, actor, data: bytes, file_name: str, dry_run: bool = False):
    """Import the agency tree from a CSV or XLSX file (platform administrators): the plan
    (``core.agency_import.make_plan``) is made again here, in the transaction, from the
    file itself, and its good rows applied through ``agency_create`` and ``agency_update``
    (each change audited, its reason naming the file and row), parents before children.
    Bad rows are left out and returned in the plan. Raises ``agency_import.FileRefused``."""
    from gongkai.core import agency_import as rules

    _require_admin(actor)
    plan = rules.make_plan(data, file_name=file_name)
    if dry_run:
        return plan
    fresh: dict[str, Agency] = {}  # by code; emptied by a move (paths below it change)
    created: list[Agency] = []

    def by_code(code: str) -> Agency:
        if code not in fresh:
            fresh[code] = Agency.objects.get(code=code)
        return fresh[code]

    # Level by level of the resulting tree, so that every parent is in place (created or
    # moved) before its children: the moves and updates one by one through
    # ``agency_update``, then the level's new agencies together (the plan checked their
    # codes), each audited as ``agency_create`` audits; the public side (page cache, the
    # guides in search) is told once for all of them at the end.
    for depth in sorted({c.depth for c in plan.pending}):
        level = [c for c in plan.pending if c.depth == depth]
        new = []
        for change in level:
            values = {k: v for k, v in change.values.items() if k in rules.FIELDS}
            parent = by_code(change.parent_code) if change.parent_code else None
            reason = f"导入文件“{file_name}”第{change.row}行"
            if change.action == rules.CREATE:
                new.append((parent, reason, {"code": change.code, **values}))
                continue
            if change.parent_code is not None:
                values["parent"] = parent
            agency_update(actor=actor, agency=by_code(change.code), reason=reason, **values)
            if change.action == rules.MOVE:
                fresh.clear()
        for agency in _create_many(actor=actor, items=new, check_unique=False) if new else []:
            fresh[agency.code] = agency
            created.append(agency)
    if created:
        _public_content_changed()
        listeners.emit(listeners.PUBLIC_OBJECT_CHANGED, created, True)
    if plan.pending:  # the import itself: which file (by digest), what it did
        audit.record(actor=actor, action="agency.import", object_type="agency_import",
                     object_id=plan.digest[:16], object_repr=file_name, reason=f"导入文件“{file_name}”",
                     after={**plan.counts(), "sha256": plan.digest})
    return plan


AGENCY_IMPORT_JOB = "core.agency_import"
AGENCY_IMPORT_KEPT = dt.timedelta(days=7)  # an upload never applied goes at a later upload
IMPORT_ADMINS_ONLY = "只有平台管理员可以导入机关名录"


@transaction.atomic
def agency_import_stage(*, actor, data: bytes, file_name: str) -> AgencyImport:
    """Keep an uploaded agency file in the database for its dry run and its apply (a
    worker elsewhere reads it there). An unreadable file raises ``FileRefused`` and is not
    kept. The same file uploaded again by the same person, not yet confirmed, is the same
    upload. Uploads left unconfirmed for ``AGENCY_IMPORT_KEPT`` go now; a queued one never
    (a worker is about to apply it)."""
    from gongkai.core import agency_import as rules

    if not permissions.is_platform_admin(actor):
        raise PermissionDenied(IMPORT_ADMINS_ONLY)
    rules.read_rows(data)  # an unreadable file is said at once, not kept
    now = clock.now()
    AgencyImport.objects.filter(created_at__lt=now - AGENCY_IMPORT_KEPT).exclude(
        state=AgencyImportState.QUEUED).delete()
    digest = rules.digest(data)
    upload = AgencyImport.objects.filter(uploaded_by=actor, digest=digest,
                                         state=AgencyImportState.STAGED).first()
    if upload is not None:
        upload.file_name, upload.created_at = file_name, now
        upload.save(update_fields=["file_name", "created_at"])
        return upload
    return AgencyImport.objects.create(uploaded_by=actor, file_name=file_name, digest=digest,
                                       content=data, created_at=now)


@transaction.atomic
def agency_import_confirm(*, actor, upload: AgencyImport) -> AgencyImport:
    """Confirm a dry-run upload: a worker applies it (3,000 agencies take seconds, not to
    be spent while a request waits), as ``actor``. Confirming twice applies once: the
    second time raises ``InvalidTransition``."""
    if not permissions.is_platform_admin(actor):
        raise PermissionDenied(IMPORT_ADMINS_ONLY)
    upload = AgencyImport.objects.select_for_update().get(pk=upload.pk)
    if upload.state != AgencyImportState.STAGED:
        raise InvalidTransition("该文件已确认导入")
    upload.state, upload.confirmed_by, upload.confirmed_at = (
        AgencyImportState.QUEUED, actor, clock.now())
    upload.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    deferred.later(AGENCY_IMPORT_JOB, args={"import_id": upload.pk},
                   key=f"{AGENCY_IMPORT_JOB}:{upload.pk}")
    return upload


def _agency_import_gave_up(*, import_id: int, error: BaseException) -> None:
    """The queue gave up (every attempt failed, each rolled back): the page must not wait
    for ever."""
    AgencyImport.objects.filter(pk=import_id, state=AgencyImportState.QUEUED).update(
        state=AgencyImportState.REFUSED, content=b"",
        outcome={"reason": "后台导入多次出错，请重新上传；如仍出错，请联系运维人员。"})


@deferred.job(AGENCY_IMPORT_JOB, on_give_up=_agency_import_gave_up)
def agency_import_run(*, import_id: int) -> None:
    """The worker's part: apply a confirmed upload as the administrator who confirmed it,
    their right checked again now. The apply and the row's outcome commit together, so a
    redelivery finds the row done and applies nothing twice. A refusal (the file, a rule,
    a code saved by someone else meanwhile) rolls the apply back to its savepoint, writing
    nothing, and the row is refused with the reason. The file is dropped either way: a
    refused file is uploaded again."""
    from gongkai.core import agency_import as rules

    with transaction.atomic():
        # No select_related: PostgreSQL locks no row of an outer join's nullable side.
        upload = (AgencyImport.objects.select_for_update()
                  .filter(pk=import_id, state=AgencyImportState.QUEUED).first())
        if upload is None:
            return  # applied or refused already (a redelivery), or removed
        actor = upload.confirmed_by
        if not permissions.is_platform_admin(actor):
            outcome = {"reason": IMPORT_ADMINS_ONLY}
        else:
            try:
                with transaction.atomic():  # the savepoint a refusal rolls back to
                    plan = agency_import(actor=actor, data=bytes(upload.content),
                                         file_name=upload.file_name)
            except rules.FileRefused as exc:
                outcome = {"reason": exc.message}
            except PermissionDenied:
                outcome = {"reason": IMPORT_ADMINS_ONLY}
            except (DomainError, ValidationError) as exc:
                # The database changed since the dry run in a way the plan made now did not
                # catch (another administrator at the same moment).
                outcome = {"reason": "；".join(getattr(exc, "messages", [str(exc)]))}
            except IntegrityError:
                # The same code saved by someone else between the plan and the insert (the
                # database's own words stay out of the page).
                outcome = {"reason": "导入期间另有相同机关代码的机关被保存，请重新上传并试导入。"}
            else:
                outcome = {"counts": plan.counts()}
        upload.state = AgencyImportState.DONE if "counts" in outcome else AgencyImportState.REFUSED
        upload.content, upload.outcome = b"", outcome
        upload.save(update_fields=["state", "content", "outcome"])


@transaction.atomic
def department_create(*, actor, agency: Agency, name: str, sort_order: int = 0) -> Department:
    if not permissions.can_manage_departments(actor, agency):
        raise PermissionDenied("无权管理该机关的内设机构")
    department = Department(agency=agency, name=name.strip(), sort_order=sort_order)
    department.full_clean()
    department.save()
    audit.record(
        actor=actor, action="department.create", obj=department, agency=agency,
        after={"name": department.name, "sort_order": sort_order},
    )
    return department


@transaction.atomic
def department_update(
    *, actor, department: Department, name: str | None = None, is_active: bool | None = None,
    sort_order: int | None = None, reason: str = "",
) -> Department:
    if not permissions.can_manage_departments(actor, department.agency):
        raise PermissionDenied("无权管理该机关的内设机构")
    fields = ("name", "is_active", "sort_order")
    before = _snapshot(department, fields)
    if name is not None:
        department.name = name.strip()
    if is_active is not None:
        department.is_active = is_active
    if sort_order is not None:
        department.sort_order = sort_order
    department.full_clean()
    department.save()
    after = _snapshot(department, fields)
    audit.record(
        actor=actor, action="department.update", obj=department, agency=department.agency,
        reason=reason, before=before, after=after,
    )
    return department


@transaction.atomic
def user_create(
    *, actor, username: str, password: str, full_name: str = "", email: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a sign-in account; the password must pass the platform's password rules."""
    _require_admin(actor)
    user = User(username=username.strip(), full_name=full_name, email=email)
    user.is_superuser = user.is_staff = is_superuser
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor, action="user.create", obj=user,
        after={"username": user.username, "full_name": full_name, "is_superuser": is_superuser},
    )
    return user


# What an administrator changes on an account; the password has its own service, and
# ``is_staff`` (entry to the platform admin) follows ``is_superuser``.
USER_FIELDS = ("username", "full_name", "email", "is_active", "is_superuser")


@transaction.atomic
def user_update(*, actor, user: User, reason: str = "", **changes) -> User:
    """Change an account's name, e-mail, whether it may sign in, and whether it is a
    platform administrator (platform administrators). Nobody disables or demotes their own
    account, so the platform cannot lose its last administrator by a slip."""
    _require_admin(actor)
    if unknown := set(changes) - set(USER_FIELDS):
        raise TypeError(f"unknown user fields: {', '.join(sorted(unknown))}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _snapshot(user, USER_FIELDS)
    for key, value in changes.items():
        setattr(user, key, value.strip() if isinstance(value, str) else value)
    if user.pk == actor.pk and not (user.is_active and user.is_superuser):
        raise DomainError("不能停用自己的账号或取消自己的平台管理员身份")
    user.is_staff = user.is_superuser
    user.full_clean(exclude=["password"])
    after = _snapshot(user, USER_FIELDS)
    changed = [f for f in USER_FIELDS if before[f] != after[f]]
    if not changed:
        return user
    user.save()
    audit.record(
        actor=actor, action="user.update", obj=user, reason=reason,
        before={f: before[f] for f in changed}, after={f: after[f] for f in changed},
    )
    if not user.is_active:  # a disabled account invites nobody any more: withdraw its invitations
        invitations_revoke_ungrantable(actor=actor, inviter=user, reason=reason or "账号已停用")
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str | None, reason: str = "") -> User:
    """Set an account's password (platform administrators); ``None`` turns password sign-in
    off. The password must pass the platform's password rules; the audit entry says only
    that it changed."""
    _require_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    had_password = user.has_usable_password()
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        actor=actor, action="user.set_password", obj=user, reason=reason,
        before={"usable_password": had_password}, after={"usable_password": password is not None},
    )
    return user


@transaction.atomic
def membership_grant(
    *, actor, user: User, agency: Agency, role: Role, department: Department | None = None,
    reason: str = "",
) -> Membership:
    """Give a user a role in an agency (whoever manages the agency's people may grant that
    role, ``permissions.can_assign_role``). An information officer is bound to one
    department of that agency; other roles are not."""
    if not permissions.can_assign_role(actor, agency, role, person=user):
        raise PermissionDenied("无权在该机关授予此岗位")
    if role == Role.OFFICER and department is None:
        raise ValidationError({"department": "信息员必须绑定一个内设机构"})
    if department is not None and department.agency_id != agency.pk:
        raise ValidationError({"department": "内设机构不属于该机关"})
    if role != Role.OFFICER:
        department = None
    membership, created = Membership.objects.get_or_create(
        user=user, agency=agency, role=role,
        defaults={"department": department, "is_active": True},
    )
    if not created:
        membership.department, membership.is_active = department, True
        membership.save(update_fields=["department", "is_active"])
    audit.record(
        actor=actor, action="membership.grant", obj=membership, agency=agency, reason=reason,
        after={"user": user.username, "role": role, "department_id": getattr(department, "pk", None)},
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor, membership: Membership, reason: str) -> Membership:
    """Withdraw a role (whoever may grant it, ``permissions.can_assign_role``)."""
    if not permissions.can_assign_role(actor, membership.agency, membership.role,
                                       person=membership.user):
        raise PermissionDenied("无权撤销该岗位")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤销理由"})
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(
        actor=actor, action="membership.revoke", obj=membership, agency=membership.agency,
        reason=reason, before={"is_active": True}, after={"is_active": False},
    )
    invitations_revoke_ungrantable(actor=actor, inviter=membership.user, reason=reason)
    return membership
