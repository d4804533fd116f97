from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from gongkai.answers.urls import public_patterns as answers_public_patterns
from gongkai.answers.urls import staff_patterns as answers_staff_patterns
from gongkai.channels.urls import public_patterns as channels_public_patterns
from gongkai.channels.urls import staff_patterns as channels_staff_patterns
from gongkai.consultations.urls import public_patterns as consultations_public_patterns
from gongkai.consultations.urls import staff_patterns as consultations_staff_patterns
from gongkai.conversions.urls import staff_patterns as conversions_staff_patterns
from gongkai.core.health import healthz
from gongkai.core.permissions import is_platform_admin
from gongkai.core.urls import staff_patterns as core_staff_patterns
from gongkai.decisions.urls import public_patterns as decisions_public_patterns
from gongkai.decisions.urls import staff_patterns as decisions_staff_patterns
from gongkai.foi.urls import staff_patterns as foi_staff_patterns
from gongkai.hotspots.urls import staff_patterns as hotspots_staff_patterns
from gongkai.identity.public_urls import public_patterns as identity_public_patterns
from gongkai.inspection.urls import public_patterns as inspection_public_patterns
from gongkai.inspection.urls import staff_patterns as inspection_staff_patterns
from gongkai.interaction.urls import public_patterns as interaction_public_patterns
from gongkai.interaction.urls import staff_patterns as interaction_staff_patterns
from gongkai.oversight.urls import public_patterns as oversight_public_patterns
from gongkai.oversight.urls import staff_patterns as oversight_staff_patterns
from gongkai.portal.urls import urlpatterns as portal_patterns
from gongkai.portal.urls_machine import urlpatterns as portal_machine_patterns
from gongkai.powerlists.urls import public_patterns as powerlists_public_patterns
from gongkai.powerlists.urls import staff_patterns as powerlists_staff_patterns
from gongkai.publishing.urls import staff_patterns as publishing_staff_patterns
from gongkai.random_inspections.urls import public_patterns as random_inspections_public_patterns
from gongkai.random_inspections.urls import staff_patterns as random_inspections_staff_patterns
from gongkai.reports.urls import public_patterns as reports_public_patterns
from gongkai.reports.urls import staff_patterns as reports_staff_patterns
from gongkai.workplans.urls import public_patterns as workplans_public_patterns
from gongkai.workplans.urls import staff_patterns as workplans_staff_patterns

staff_patterns = (
    core_staff_patterns + foi_staff_patterns + publishing_staff_patterns
    + decisions_staff_patterns + reports_staff_patterns + consultations_staff_patterns
    + interaction_staff_patterns + conversions_staff_patterns + hotspots_staff_patterns
    + answers_staff_patterns + powerlists_staff_patterns + workplans_staff_patterns
    + channels_staff_patterns + inspection_staff_patterns + oversight_staff_patterns
    + random_inspections_staff_patterns
)
portal_patterns = (
    portal_patterns + decisions_public_patterns + reports_public_patterns
    + consultations_public_patterns + interaction_public_patterns + answers_public_patterns
    + powerlists_public_patterns + workplans_public_patterns + channels_public_patterns
    + inspection_public_patterns + oversight_public_patterns + random_inspections_public_patterns
    + identity_public_patterns + portal_machine_patterns
)


admin.site.site_header = "gongkai 平台管理"
admin.site.site_title = "gongkai 平台管理"
admin.site.index_title = "平台管理"
# The admin is the platform administrators' alone, whatever ``is_staff`` says: agencies'
# offices manage their people in the back office (core.views.people), through services.
admin.site.has_permission = lambda request: is_platform_admin(request.user)

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    # Staff sign-in through the identity platform (before "staff/": its own namespace).
    path("staff/sso/", include("gongkai.identity.urls")),
    path("staff/", include((staff_patterns, "staff"))),
    path("api/v1/", include("gongkai.api.urls")),
    # One sign-in page for everyone, with its lock-out; the admin's own form is not used.
    path(
        "admin/login/",
        RedirectView.as_view(url=reverse_lazy("staff:sign-in"), query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
