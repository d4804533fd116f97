"""URLs of the workplans area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py)."""

from django.urls import path

from gongkai.workplans import views

staff_patterns: list = [
    path("workplans/", views.plan_list, name="workplan-list"),
    path("workplans/new/", views.plan_create, name="workplan-create"),
    path("workplans/<int:pk>/", views.plan_detail, name="workplan-detail"),
    path("workplans/<int:pk>/edit/", views.plan_edit, name="workplan-edit"),
    path("workplans/<int:pk>/tasks/new/", views.task_add, name="workplan-task-add"),
    path("workplans/<int:pk>/settings/", views.plan_settings, name="workplan-settings"),
    path("workplans/tasks/", views.task_queue, name="workplan-tasks"),
    path("workplans/tasks/<int:pk>/", views.task_detail, name="workplan-task"),
    path("workplans/tasks/<int:pk>/edit/", views.task_edit, name="workplan-task-edit"),
    path("workplans/tasks/<int:pk>/note/", views.task_note, name="workplan-task-note"),
    path("workplans/tasks/<int:pk>/state/", views.task_state, name="workplan-task-state"),
    path("workplans/tasks/<int:pk>/evidence/", views.task_evidence, name="workplan-task-evidence"),
    path("workplans/tasks/<int:pk>/evidence/remove/", views.task_evidence_remove,
         name="workplan-task-evidence-remove"),
    path("workplans/tasks/<int:pk>/supervise/", views.task_supervise, name="workplan-task-supervise"),
    path("workplans/tasks/<int:pk>/reply/", views.task_reply, name="workplan-task-reply"),
    path("workplans/assign/", views.assign, name="workplan-assign"),
    path("workplans/assignments/", views.assignments, name="workplan-assignments"),
]

public_patterns: list = []
