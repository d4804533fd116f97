"""Valid applicant input shared by the portal, API and browser tests."""

NATURAL_PERSON = {
    "applicant_type": "natural_person",
    "name": "张三",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "email": "zhangsan@example.com",
    "description": "2024年本市食品安全抽检结果的汇总表",
    "form": "electronic",
    "delivery": "email",
}

ORGANISATION = {
    "applicant_type": "commercial_enterprise",
    "name": "某某科技有限公司",
    "contact_person": "李四",
    "id_number": "91350100M000100Y43",
    "phone": "010-12345678",
    "address": "北京市东城区某某路1号",
    "postal_code": "100010",
    "description": "关于许可办理流程的规范性文件",
    "form": "paper",
    "delivery": "post",
}


def natural_person(to, **changes) -> dict:
    """A valid natural person's request to the agency ``to``, with ``changes``."""
    return {"agency": to.code, **NATURAL_PERSON, **changes}
