"""The FAQs' entry in the back office's navigation (registered from ``AnswersConfig.ready``)."""

from gongkai.answers.permissions import can_view_faqs_area
from gongkai.core.navigation import NavItem, register

register(NavItem("常见问题", "staff:faq-list", can_view_faqs_area, order=45))
