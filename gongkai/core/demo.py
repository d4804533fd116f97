"""The fictional demo province: 云泽省 → 青岚市 → 石桥县, with a city market-supervision
bureau, its departments, and one sign-in per role. Every name and code is invented; the
codes are valid unified social credit codes with the (non-existent) division code 99xxxx."""

from __future__ import annotations

from django.db import transaction

from gongkai.core import audit
from gongkai.core.identifiers import org_code_check_char, uscc_check_char
from gongkai.core.models import Agency, AgencyKind, AgencyLevel, Role, User
from gongkai.core.services import agencies as svc

DEMO_PASSWORD = "Gongkai@2026"  # noqa: S105 (printed for the demo; fictional accounts)

# (username, password, what to try with it)
DEMO_LOGINS = [
    ("admin", DEMO_PASSWORD, "平台管理员：全部机关、工作日历、平台管理"),
    ("office", DEMO_PASSWORD, "青岚市市场监督管理局 公开办工作人员"),
    ("officer", DEMO_PASSWORD, "青岚市市场监督管理局 食品安全科信息员"),
    ("reviewer", DEMO_PASSWORD, "青岚市市场监督管理局 保密审查员"),
    ("leader", DEMO_PASSWORD, "青岚市市场监督管理局 审批领导"),
    ("supervisor", DEMO_PASSWORD, "青岚市人民政府办公室 主管部门监督员（可查看全市下级机关）"),
    ("county", DEMO_PASSWORD, "石桥县市场监督管理局 公开办工作人员"),
]


def demo_code(division: str, serial: int) -> str:
    """A valid USCC for a government organ (registration 1, category 1) in a fictional
    division: the organisation-code body carries its own check character (GB 11714)."""
    body = f"{serial:08d}"
    org = body + org_code_check_char(body)
    first17 = "11" + division + org
    return first17 + uscc_check_char(first17)


def demo_users_present() -> bool:
    return User.objects.filter(username="office").exists()


@transaction.atomic
def load_demo() -> bool:
    """Load the demo data if the database has no agency yet; returns whether it did."""
    if Agency.objects.exists():
        return False
    admin = User(username="admin", full_name="赵平", email="admin@example.invalid",
                 is_superuser=True, is_staff=True)
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    audit.record(actor=None, action="user.create", obj=admin, reason="演示数据：初始平台管理员",
                 after={"username": "admin", "is_superuser": True})

    def agency(parent, name, short, level, division, serial, **extra):
        return svc.agency_create(
            actor=admin, parent=parent, name=name, short_name=short, level=level,
            code=demo_code(division, serial), reason="演示数据", **extra,
        )

    # The governments' disclosure offices stand for their governments (人民政府: their
    # reports are the governments' reports, due later under Art. 49).
    government = {"kind": AgencyKind.PEOPLES_GOVERNMENT}
    province = agency(None, "云泽省人民政府", "云泽省政府", AgencyLevel.PROVINCE, "990000", 10000001, **government,
                      address="云泽省云州市政务大道1号", phone="0999-12345000",
                      office_hours="工作日 9:00—12:00，14:00—17:30", accepts_requests=True)
    agency(province, "云泽省市场监督管理局", "省市场监管局", AgencyLevel.PROVINCE, "990000", 10000002,
           address="云泽省云州市长明路8号", phone="0999-12345315",
           office_hours="工作日 9:00—12:00，14:00—17:30")
    city = agency(province, "青岚市人民政府办公室", "青岚市政府办", AgencyLevel.CITY, "990100", 20000001, **government,
                  address="青岚市人民路100号", phone="0999-62345000",
                  office_hours="工作日 8:30—12:00，14:30—18:00")
    bureau = agency(
        city, "青岚市市场监督管理局", "青岚市市场监管局", AgencyLevel.CITY, "990100", 20000002,
        address="青岚市滨河东路36号市场监管大楼一楼政务公开窗口", postal_code="999100",
        phone="0999-62312315", fax="0999-62312316", email="gkb@qinglan.example.invalid",
        office_hours="工作日 8:30—12:00，14:30—18:00（法定节假日除外）",
    )
    county = agency(city, "石桥县人民政府办公室", "石桥县政府办", AgencyLevel.COUNTY, "990121", 30000001, **government,
                    address="石桥县府前街2号", phone="0999-72340000")
    county_bureau = agency(county, "石桥县市场监督管理局", "石桥县市场监管局", AgencyLevel.COUNTY,
                           "990121", 30000002, address="石桥县建设路18号", phone="0999-72312315",
                           office_hours="工作日 8:30—12:00，14:30—17:30")

    departments = {}
    for order, name in enumerate(
        ["办公室", "政策法规科", "食品安全科", "质量监督科", "登记注册科", "价格监督检查科", "执法稽查支队"]
    ):
        departments[name] = svc.department_create(actor=admin, agency=bureau, name=name, sort_order=order)
    for order, name in enumerate(["办公室", "食品安全股", "综合执法大队"]):
        svc.department_create(actor=admin, agency=county_bureau, name=name, sort_order=order)

    people = [
        ("office", "李敏", bureau, Role.OFFICE, None),
        ("officer", "王磊", bureau, Role.OFFICER, departments["食品安全科"]),
        ("reviewer", "陈静", bureau, Role.REVIEWER, None),
        ("leader", "刘洋", bureau, Role.LEADER, None),
        ("supervisor", "周文", city, Role.SUPERVISOR, None),
        ("county", "孙丽", county_bureau, Role.OFFICE, None),
    ]
    for username, full_name, where, role, department in people:
        user = svc.user_create(actor=admin, username=username, password=DEMO_PASSWORD,
                               full_name=full_name, email=f"{username}@example.invalid")
        svc.membership_grant(actor=admin, user=user, agency=where, role=role,
                             department=department, reason="演示数据")
    return True
