from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from gongkai.core.urls import staff_patterns as core_staff_patterns
from gongkai.foi.urls import staff_patterns as foi_staff_patterns

staff_patterns = core_staff_patterns + foi_staff_patterns


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


admin.site.site_header = "gongkai 平台管理"
admin.site.site_title = "gongkai 平台管理"
admin.site.index_title = "平台管理"

urlpatterns = [
    path("", include("gongkai.portal.urls")),
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
