"""Factories for agencies and people. Agencies are created through the service, so the
tree paths and audit entries are the real ones."""

import itertools

import factory

from gongkai.core.demo import demo_code
from gongkai.core.models import Agency, AgencyLevel, Department, Membership, Role, User
from gongkai.core.services import agencies as svc

_serial = itertools.count(40000001)
TEST_PASSWORD = "Test-Passw0rd!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AdminFactory(UserFactory):
    is_superuser = True
    is_staff = True


def make_agency(*, parent: Agency | None = None, name: str | None = None,
                level: str = AgencyLevel.CITY, **extra) -> Agency:
    """An agency in the tree, created as the platform's bootstrap administrator."""
    actor = User.objects.filter(username="bootstrap-admin").first() or AdminFactory(
        username="bootstrap-admin"
    )
    serial = next(_serial)
    return svc.agency_create(
        actor=actor, parent=parent, name=name or f"测试机关{serial}", level=level,
        code=demo_code("990300", serial), **extra,
    )


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    agency = factory.LazyFunction(make_agency)
    name = factory.Sequence(lambda n: f"测试科{n}")


def member(user: User, agency: Agency, role: Role, department: Department | None = None) -> User:
    if role == Role.OFFICER and department is None:
        department = DepartmentFactory(agency=agency)
    Membership.objects.create(user=user, agency=agency, role=role, department=department)
    return user
