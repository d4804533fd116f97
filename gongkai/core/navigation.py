"""The back office's navigation. Each area adds its entries here when it is built, with
the predicate that decides who sees them; the shell only presents the list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from gongkai.core import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[object], bool]
    order: int = 100


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)
        _items.sort(key=lambda i: i.order)


def items_for(user, current_path: str) -> list[dict]:
    result = []
    for item in _items:
        if item.visible(user):
            url = reverse(item.url_name)
            result.append({"label": item.label, "url": url, "current": current_path == url})
    return result


register(NavItem("工作台", "staff:home", permissions.is_staff_user, order=0))
register(NavItem("机构与人员", "staff:agency-list", permissions.is_staff_user, order=80))
register(NavItem("人员管理", "staff:people-home", permissions.manages_people_somewhere, order=82))
register(NavItem("工作日历", "staff:calendar", permissions.is_staff_user, order=85))
register(NavItem("审核词表", "staff:moderation-words", permissions.is_staff_user, order=86))
register(NavItem("审计日志", "staff:audit-list", permissions.can_view_audit, order=90))
register(NavItem("平台管理", "admin:index", permissions.is_platform_admin, order=99))
