import pytest

from gongkai.publishing.models import Column, ColumnKind


@pytest.fixture
def columns(bureau):
    parent = Column.objects.create(agency=bureau, name="重点领域信息", kind=ColumnKind.NOTICE)
    return {
        "parent": parent,
        "recalls": Column.objects.create(
            agency=bureau, parent=parent, name="产品召回信息", kind=ColumnKind.NOTICE
        ),
        "news": Column.objects.create(agency=bureau, name="新闻动态", kind=ColumnKind.DYNAMIC),
    }
