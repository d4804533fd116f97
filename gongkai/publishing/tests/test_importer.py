"""Importing an old system's published items: formats and encodings, row-by-row
validation with nothing half-imported, legacy index numbers and the series, dry runs,
who may import, a flat query count, and the command's exit codes."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.core.models import AuditEvent, SequenceCounter
from gongkai.core.tests.helpers import at
from gongkai.publishing import importer
from gongkai.publishing.importer import ImportFileError, import_publications
from gongkai.publishing.importer.validation import parse_date
from gongkai.publishing.importer.writing import Writer
from gongkai.publishing.models import (
    Publication,
    PublicationEvent,
    PublicationRevision,
    PublicationStatus,
    Topic,
    Validity,
)
from gongkai.publishing.services import publications as svc

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
HEADER_ZH = [
    "索引号",
    "标题",
    "发布机构",
    "文号",
    "成文日期",
    "发布日期",
    "主题分类",
    "栏目",
    "公开属性",
    "有效性",
    "正文",
    "关键词",
]
HEADER_EN = [
    "index_number",
    "title",
    "issuing_agency",
    "doc_number",
    "written_on",
    "published_on",
    "topic",
    "columns",
    "disclosure_attribute",
    "validity",
    "body",
    "keywords",
]


@pytest.fixture(autouse=True)
def _today():
    at(TODAY)


def item(agency, **overrides) -> dict:
    """One row as the old system exports it (English keys)."""
    return {
        "index_number": f"{agency.code}/2019-00042",
        "title": "关于2019年第二批食品安全监督抽检情况的通告",
        "issuing_agency": "",
        "doc_number": "测市监通〔2019〕12号",
        "written_on": "2019-06-10",
        "published_on": "2019/06/12",
        "topic": "08",
        "columns": "重点领域信息/产品召回信息;新闻动态",
        "disclosure_attribute": "主动公开",
        "validity": "有效",
        "body": "<p>抽检结果见附件。</p>",
        "keywords": "食品安全;抽检",
    } | overrides


def to_csv(rows: list[dict], *, header=HEADER_ZH, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in HEADER_EN])
    return out.getvalue().encode(encoding)


def run(actor, agency, rows, *, fmt="csv", dry_run=False, **kwargs):
    source = to_csv(rows) if fmt == "csv" else json.dumps(rows, ensure_ascii=False).encode()
    return import_publications(
        actor=actor, agency=agency, source=source, fmt=fmt, dry_run=dry_run, **kwargs
    )


def messages(report) -> list[tuple[int, str, str]]:
    return [(e.row, e.field, e.message) for e in report.errors]


def series(agency) -> dict[int, int]:
    return dict(
        SequenceCounter.objects.filter(scope=f"publishing.index.{agency.pk}").values_list(
            "year", "value"
        )
    )


# --- good files --------------------------------------------------------------------------


def test_csv_items_arrive_published_with_one_revision_event_and_their_columns(
    office, bureau, columns
):
    rows = [
        item(bureau),
        item(
            bureau,
            index_number="",
            title="2019年产品召回公告",
            body='<p onclick="x()">召回<script>alert(1)</script></p>',
            columns="新闻动态",
            topic="市场监管、安全生产监管",
            validity="废止",
        ),
    ]

    report = run(office, bureau, rows)

    assert report.ok, messages(report)
    assert (report.mode, report.rows, report.imported) == ("atomic", 2, 2)
    first, second = Publication.objects.order_by("id")
    assert first.index_number == f"{bureau.code}/2019-00042"
    assert first.status == PublicationStatus.PUBLISHED
    assert (first.written_on, first.published_on) == (dt.date(2019, 6, 10), dt.date(2019, 6, 12))
    assert first.issuing_agency == bureau.name  # blank in the file: the agency itself
    assert first.topic == Topic.objects.get(code="08")
    assert set(first.columns.all()) == {columns["recalls"], columns["news"]}
    assert first.created_by == office
    revision = first.published_revision
    assert revision == first.revisions.get() and revision.number == 1
    assert revision.metadata["column_ids"] == sorted([columns["recalls"].pk, columns["news"].pk])
    event = first.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "import",
        "",
        PublicationStatus.PUBLISHED,
        office,
    )
    assert second.body == "<p>召回</p>"  # sanitised like any body
    assert second.published_revision.body == "<p>召回</p>"
    assert second.validity == Validity.REPEALED
    assert second.topic.code == "08"


def test_one_audit_entry_for_the_whole_import_with_its_counts(office, bureau, columns):
    before = AuditEvent.objects.count()

    report = run(
        office,
        bureau,
        [item(bureau, index_number=f"{bureau.code}/2019-{n}") for n in (1, 2, 3)]
        + [item(bureau, index_number="")],
    )

    assert AuditEvent.objects.count() == before + 1
    entry = AuditEvent.objects.latest("seq")
    assert entry.action == "publishing.import"
    assert entry.agency == bureau
    assert entry.after | {"sha256": None} == {
        "format": "csv",
        "mode": "atomic",
        "sha256": None,
        "rows": 4,
        "imported": 4,
        "index_numbers_kept": 3,
        "index_numbers_generated": 1,
        "series": {"2019": [0, 4]},
    }
    assert entry.after["sha256"] == report.sha256


def test_json_list_with_english_keys_and_a_list_of_columns(office, bureau, columns):
    rows = [item(bureau, columns=["重点领域信息 / 产品召回信息"], published_on="2019年6月12日")]

    report = run(office, bureau, rows, fmt="json")

    assert report.ok, messages(report)
    publication = Publication.objects.get()
    assert list(publication.columns.all()) == [columns["recalls"]]
    assert publication.published_on == dt.date(2019, 6, 12)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_gb18030_and_bom_csv_exports_are_read(office, bureau, columns, encoding):
    source = to_csv([item(bureau, title="关于镕铢𠀀等生僻字的说明")], encoding=encoding)

    report = import_publications(
        actor=office, agency=bureau, source=source, fmt="csv", dry_run=False
    )

    assert report.ok, messages(report)
    assert Publication.objects.get().title == "关于镕铢𠀀等生僻字的说明"


def test_english_header_and_extra_spaces_are_accepted(office, bureau, columns):
    source = to_csv([item(bureau)], header=[f" {name} " for name in HEADER_EN])

    report = import_publications(
        actor=office, agency=bureau, source=source, fmt="csv", dry_run=False
    )

    assert report.ok, messages(report)


def test_csv_read_from_an_open_file_with_a_late_gb18030_character(
    office, bureau, columns, tmp_path
):
    """The first 64 KB are ASCII, so the file looks like UTF-8 until the Chinese comes."""
    rows = [
        item(bureau, index_number=f"{bureau.code}/2019-{n}", title=f"Notice {n}", body="x" * 300)
        for n in range(1, 400)
    ]
    rows.append(item(bureau, index_number=f"{bureau.code}/2019-400", title="关于抽检的通告"))
    path = tmp_path / "export.csv"
    path.write_bytes(to_csv(rows, header=HEADER_EN, encoding="gb18030"))

    with path.open("rb") as source:
        report = import_publications(
            actor=office, agency=bureau, source=source, fmt="csv", dry_run=False, batch_size=100
        )
        assert not source.closed

    assert report.ok, messages(report)
    assert report.imported == 400
    assert Publication.objects.get(index_number=f"{bureau.code}/2019-400").title == "关于抽检的通告"


# --- errors: nothing is half-imported ---------------------------------------------------------


def test_one_bad_row_writes_nothing_and_reports_the_row(office, bureau, columns):
    rows = [item(bureau, index_number=f"{bureau.code}/2019-{n}") for n in range(1, 6)]
    rows[3]["written_on"] = "2019-02-30"
    before = AuditEvent.objects.count()

    report = run(office, bureau, rows)

    assert not report.ok
    assert messages(report) == [(5, "成文日期", "日期不存在")]  # header is row 1
    assert report.imported == 0
    assert not Publication.objects.exists()
    assert not PublicationRevision.objects.exists() and not PublicationEvent.objects.exists()
    assert series(bureau) == {}
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"title": "  "}, "标题", "请填写标题"),
        ({"title": "长" * 301}, "标题", "标题不能超过300个字"),
        ({"written_on": ""}, "成文日期", "请填写成文日期"),
        (
            {"written_on": "2019.06.10"},
            "成文日期",
            "日期格式不正确，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日",
        ),
        ({"published_on": "2019年13月1日"}, "发布日期", "日期不存在"),
        ({"published_on": "2019-06-09"}, "发布日期", "发布日期不能早于成文日期"),
        ({"published_on": "2026-03-03"}, "发布日期", "发布日期不能晚于今天"),
        ({"topic": "99"}, "主题分类", "主题分类“99”不存在"),
        ({"columns": "重点领域信息/不存在的栏目"}, "栏目", "栏目“重点领域信息/不存在的栏目”不存在"),
        (
            {"columns": "产品召回信息"},
            "栏目",
            "栏目“产品召回信息”不存在",
        ),  # a path, not a bare name
        ({"columns": " ; "}, "栏目", "请填写栏目（主动公开的信息至少要选择一个栏目）"),
        ({"disclosure_attribute": "依申请公开"}, "公开属性", "已公开的信息，公开属性应为主动公开"),
        ({"disclosure_attribute": "公开"}, "公开属性", "公开属性“公开”无效"),
        ({"validity": "作废"}, "有效性", "有效性应为有效、失效或废止"),
        ({"index_number": "2019-00042"}, "索引号", "索引号格式不正确，应为{code}/年份-序号"),
        (
            {"index_number": "330000000000/2019-00042"},
            "索引号",
            "索引号不属于本机关（应以本机关代码{code}开头）",
        ),
        ({"index_number": "{code}/1900-1"}, "索引号", "索引号中的年份1900无效"),
        ({"index_number": "{code}/2019-0"}, "索引号", "索引号中的序号无效"),
    ],
)
def test_a_bad_field_is_reported_with_its_row_and_column(
    office, bureau, columns, overrides, field, message
):
    overrides = {k: v.format(code=bureau.code) for k, v in overrides.items()}
    rows = [item(bureau, index_number=""), item(bureau, **overrides)]

    report = run(office, bureau, rows)

    assert messages(report) == [(3, field, message.format(code=bureau.code))]
    assert not Publication.objects.exists()


def test_inactive_column_is_refused(office, bureau, columns):
    columns["news"].is_active = False
    columns["news"].save()

    report = run(office, bureau, [item(bureau, columns="新闻动态")])

    assert messages(report) == [(2, "栏目", "栏目“新闻动态”已停用")]


def test_duplicate_index_numbers_within_the_file_are_reported(office, bureau, columns):
    code = bureau.code
    rows = [
        item(bureau, index_number=f"{code}/2019-00007"),
        item(bureau, index_number=f"{code}/2019-8"),
        item(bureau, index_number=f"{code}/2019-7"),
    ]  # the same number as row 2, unpadded

    report = run(office, bureau, rows)

    assert messages(report) == [(4, "索引号", "索引号与第2行重复")]
    assert not Publication.objects.exists()


def test_index_numbers_already_in_the_database_are_reported(office, bureau, columns):
    assert run(office, bureau, [item(bureau, index_number=f"{bureau.code}/2019-00042")]).ok

    report = run(office, bureau, [item(bureau, index_number=f"{bureau.code}/2019-42")])

    assert messages(report) == [(2, "索引号", "索引号已存在（本机关2019年第42号已被使用）")]
    assert Publication.objects.count() == 1


def test_unknown_and_missing_header_columns_are_reported_once(office, bureau, columns):
    source = "标题,成文日期,发布日期,备注\n通告,2019-06-10,2019-06-12,x\n".encode()

    report = import_publications(
        actor=office, agency=bureau, source=source, fmt="csv", dry_run=False
    )

    assert messages(report) == [
        (1, "备注", "无法识别的表头，可用的表头见导入说明"),
        (1, "栏目", "缺少必填列"),
    ]


def test_errors_are_all_counted_but_only_the_first_are_listed(office, bureau, columns):
    rows = [item(bureau, index_number="", title="") for _ in range(30)]

    report = run(office, bureau, rows, max_errors=10)

    assert report.error_count == 30
    assert len(report.errors) == 10


@pytest.mark.parametrize(
    "source,fmt,message",
    [
        (b"", "csv", "文件为空"),
        (b"\xff\xfe\x00\x00", "csv", "不支持UTF-16编码，请保存为UTF-8或GB18030编码的CSV文件"),
        (
            "标题\n".encode() + b"\x80\x80\n",
            "csv",
            "文件编码无法识别，请保存为UTF-8或GB18030编码的CSV文件",
        ),
        (b'{"title": "x"}', "json", "JSON文件应为对象的列表，每个对象是一条信息"),
        (
            b"[{",
            "json",
            "JSON格式错误（第1行第3列：Expecting property name enclosed in double quotes）",
        ),
    ],
)
def test_unreadable_files_raise_and_write_nothing(office, bureau, source, fmt, message):
    with pytest.raises(ImportFileError) as raised:
        import_publications(actor=office, agency=bureau, source=source, fmt=fmt, dry_run=False)

    assert raised.value.message == message
    assert not Publication.objects.exists()


# --- index numbers and the series ------------------------------------------------------------


def test_legacy_numbers_are_kept_and_the_series_moves_past_them(office, bureau, columns):
    code = bureau.code
    rows = [
        item(bureau, index_number=f"{code}/2019-00042"),
        item(
            bureau,
            index_number=f"{code}/2026-00007",
            written_on="2026-01-05",
            published_on="2026-01-06",
        ),
        item(bureau, index_number="", written_on="2026-02-01", published_on="2026-02-02"),
        item(bureau, index_number="", written_on="2018-12-30", published_on="2019-01-02"),
    ]

    report = run(office, bureau, rows)

    assert report.ok, messages(report)
    numbers = list(Publication.objects.order_by("id").values_list("index_number", flat=True))
    # Generated numbers come after every legacy number of the year they were published in.
    assert numbers == [
        f"{code}/2019-00042",
        f"{code}/2026-00007",
        f"{code}/2026-00008",
        f"{code}/2019-00043",
    ]
    assert series(bureau) == {2019: 43, 2026: 8}
    assert report.series == {2019: (0, 43), 2026: (0, 8)}

    created = svc.publication_create(
        actor=office,
        agency=bureau,
        title="新起草的通告",
        written_on=TODAY,
        disclosure_attribute="proactive",
    )

    assert created.index_number == f"{code}/2026-00009"


def test_the_series_never_goes_back_and_skips_numbers_already_handed_out(office, bureau, columns):
    for _ in range(3):  # 2026-00001..00003 taken by new drafts
        svc.publication_create(
            actor=office,
            agency=bureau,
            title="草稿",
            written_on=TODAY,
            disclosure_attribute="proactive",
        )
    rows = [
        item(
            bureau,
            index_number=f"{bureau.code}/2026-2",
            written_on="2026-01-05",
            published_on="2026-01-06",
        )
    ]

    assert messages(run(office, bureau, rows)) == [
        (2, "索引号", "索引号已存在（本机关2026年第2号已被使用）")
    ]

    rows = [item(bureau, index_number="", written_on="2026-01-05", published_on="2026-01-06")]
    report = run(office, bureau, rows)

    assert report.series == {2026: (3, 4)}
    assert Publication.objects.filter(index_number=f"{bureau.code}/2026-00004").exists()


# --- dry run and batch commit ---------------------------------------------------------------------


def test_dry_run_writes_nothing_and_says_what_would_happen(office, bureau, columns):
    rows = [item(bureau), item(bureau, index_number="")]
    before = AuditEvent.objects.count()

    report = run(office, bureau, rows, dry_run=True)

    assert report.ok
    assert (report.mode, report.valid_rows, report.imported) == ("dry_run", 2, 0)
    assert (report.kept_numbers, report.generated_numbers) == (1, 1)
    assert report.series == {2019: (0, 43)}
    assert not Publication.objects.exists()
    assert series(bureau) == {}
    assert AuditEvent.objects.count() == before


def test_batch_commit_writes_every_batch_and_records_one_entry(office, bureau, columns):
    rows = [item(bureau, index_number=f"{bureau.code}/2019-{n}") for n in range(1, 6)]
    before = AuditEvent.objects.count()

    report = run(office, bureau, rows, batch_commit=True, batch_size=2)

    assert (report.mode, report.imported) == ("batch_commit", 5)
    assert Publication.objects.filter(published_revision__isnull=False).count() == 5
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("seq").after["mode"] == "batch_commit"


def test_batch_commit_validates_the_whole_file_before_writing(office, bureau, columns):
    rows = [item(bureau, index_number=f"{bureau.code}/2019-{n}") for n in range(1, 6)]
    rows[-1]["title"] = ""

    report = run(office, bureau, rows, batch_commit=True, batch_size=2)

    assert messages(report) == [(6, "标题", "请填写标题")]
    assert not Publication.objects.exists()


# --- who may import ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor,allowed",
    [
        ("office", True),
        ("platform_admin", True),
        ("other_office", False),
        ("officer", False),
        ("reviewer", False),
        ("supervisor", False),
    ],
)
def test_only_the_agencys_office_or_a_platform_admin_may_import(
    request, bureau, columns, actor, allowed
):
    user = request.getfixturevalue(actor)

    if allowed:
        assert run(user, bureau, [item(bureau)]).imported == 1
    else:
        with pytest.raises(PermissionDenied):
            run(user, bureau, [item(bureau)], dry_run=True)
        assert not Publication.objects.exists()


# --- queries do not grow with rows -------------------------------------------------------------


def _statements(office, bureau, rows) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert run(office, bureau, rows).ok
    return [q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries]


def test_query_count_does_not_grow_with_the_number_of_rows(
    office, bureau, columns, django_assert_max_num_queries
):
    def rows(year, n):
        return [
            item(
                bureau,
                index_number=f"{bureau.code}/{year}-{i}" if i % 3 else "",
                written_on=f"{year}-06-10",
                published_on=f"{year}-06-12",
            )
            for i in range(n)
        ]

    _statements(office, bureau, rows(2017, 10))  # caches the office's memberships on the user
    few = _statements(office, bureau, rows(2018, 10))
    with django_assert_max_num_queries(60):
        many = _statements(office, bureau, rows(2019, 500))

    # Only Django's own split of a bulk INSERT grows (SQLite: 999 parameters per statement,
    # so ~47 publications per INSERT); every other statement is per import or per batch.
    assert [s for s in many if s != "INSERT"] == [s for s in few if s != "INSERT"]
    if connection.vendor == "postgresql":
        assert len(many) == len(few)
    assert Publication.objects.count() == 520


# --- the command ----------------------------------------------------------------------------------


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_publications", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def test_command_imports_and_exits_0(office, bureau, columns, tmp_path):
    path = tmp_path / "legacy.json"
    path.write_text(json.dumps([item(bureau)], ensure_ascii=False), "utf-8")

    code, out, err = command(str(path), "--agency", bureau.code, "--user", "office")

    assert (code, err) == (0, "")
    assert "imported 1 of 1 rows" in out and "mode: atomic" in out
    assert Publication.objects.count() == 1


def test_command_dry_run_says_so_and_writes_nothing(office, bureau, columns, tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes(to_csv([item(bureau)]))

    code, out, _ = command(str(path), "--agency", bureau.code, "--user", "office", "--dry-run")

    assert code == 0
    assert "would import 1 of 1 rows" in out and "mode: dry_run" in out
    assert not Publication.objects.exists()


def test_command_exits_1_on_validation_errors_and_writes_the_report(
    office, bureau, columns, tmp_path
):
    path, report = tmp_path / "legacy.csv", tmp_path / "errors.csv"
    path.write_bytes(
        to_csv([item(bureau), item(bureau, index_number="", topic="99", columns="无此栏目")])
    )

    code, _, err = command(
        str(path), "--agency", bureau.code, "--user", "office", "--errors", str(report)
    )

    assert code == 1
    assert "2 error(s)" in err and "第3行 主题分类: 主题分类“99”不存在" in err
    assert report.read_text("utf-8-sig").splitlines() == [
        "行号,字段,错误信息",
        "3,主题分类,主题分类“99”不存在",
        "3,栏目,栏目“无此栏目”不存在",
    ]
    assert not Publication.objects.exists()


@pytest.mark.parametrize(
    "content,extra",
    [
        (None, []),  # no such file
        (b"[{", ["--format", "json"]),
        (b"\xff\xfe\x00\x00", []),
    ],
)
def test_command_exits_2_on_an_unreadable_file(office, bureau, tmp_path, content, extra):
    path = tmp_path / "legacy.csv"
    if content is not None:
        path.write_bytes(content)

    code, _, err = command(str(path), "--agency", bureau.code, "--user", "office", *extra)

    assert code == 2
    assert "cannot read" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--agency", "000000000000", "--user", "office"],
        ["--user", "nobody"],
        ["--user", "other_office"],
    ],
)
def test_command_exits_2_for_a_wrong_agency_user_or_permission(
    office, other_office, bureau, tmp_path, args
):
    path = tmp_path / "legacy.csv"
    path.write_bytes(to_csv([item(bureau)]))
    if "--agency" not in args:
        args = ["--agency", bureau.code, *args]

    code, _, _ = command(str(path), *args)

    assert code == 2
    assert not Publication.objects.exists()


def test_error_report_is_rewritten_on_a_clean_run(office, bureau, columns, tmp_path):
    path, report = tmp_path / "legacy.csv", tmp_path / "errors.csv"
    report.write_text("stale", "utf-8")
    path.write_bytes(to_csv([item(bureau)]))

    code, _, _ = command(
        str(path), "--agency", bureau.code, "--user", "office", "--errors", str(report)
    )

    assert code == 0
    assert report.read_text("utf-8-sig").splitlines() == ["行号,字段,错误信息"]


def test_the_importer_module_names_every_chinese_header():
    assert [importer.FIELDS[key][0] for key in HEADER_EN] == HEADER_ZH


def test_a_file_with_a_header_and_no_items_is_an_error(office, bureau, columns):
    report = import_publications(
        actor=office, agency=bureau, source=to_csv([]), fmt="csv", dry_run=False
    )

    assert messages(report) == [(0, "", "文件中没有信息")]


def test_json_keys_outside_the_catalogue_fields_are_reported(office, bureau, columns):
    report = run(office, bureau, [item(bureau) | {"author": "张三"}], fmt="json")

    assert messages(report) == [(1, "author", "无法识别的字段")]
    assert not Publication.objects.exists()


def test_generated_numbers_skip_numbers_in_use_even_when_the_counter_lags(office, bureau, columns):
    code = bureau.code
    rows = [
        item(
            bureau,
            index_number=f"{code}/2026-10",
            written_on="2026-01-05",
            published_on="2026-01-06",
        )
    ]
    assert run(office, bureau, rows).ok
    SequenceCounter.objects.filter(scope=f"publishing.index.{bureau.pk}").update(value=2)

    rows = [item(bureau, index_number="", written_on="2026-01-05", published_on="2026-01-06")]
    report = run(office, bureau, rows)

    assert report.series == {2026: (2, 11)}
    assert Publication.objects.filter(index_number=f"{code}/2026-00011").exists()


def test_an_index_number_taken_during_the_import_rolls_everything_back(
    office, bureau, columns, monkeypatch
):
    number = f"{bureau.code}/2019-00042"
    reserve = Writer.reserve_series

    def reserve_then_someone_takes_the_number(writer):
        reserve(writer)
        svc.publication_create(
            actor=office,
            agency=bureau,
            title="同时起草",
            written_on=TODAY,
            disclosure_attribute="proactive",
        )
        Publication.objects.filter(agency=bureau).update(index_number=number)

    monkeypatch.setattr(Writer, "reserve_series", reserve_then_someone_takes_the_number)

    with pytest.raises(importer.ImportConflict):
        run(office, bureau, [item(bureau, index_number=number), item(bureau, index_number="")])

    assert not Publication.objects.exists()
    assert series(bureau) == {}


def test_whatever_mirrors_the_public_set_hears_of_every_imported_item(
    office, bureau, columns, monkeypatch
):
    heard = []
    monkeypatch.setattr(
        svc,
        "visibility_listeners",
        [lambda p, visible: heard.append((p.pk, p.published_revision_id, visible))],
    )

    run(office, bureau, [item(bureau), item(bureau, index_number="")])

    assert heard == [
        (p.pk, p.published_revision_id, True) for p in Publication.objects.order_by("id")
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2019-06-12", dt.date(2019, 6, 12)),
        ("2019-6-1", dt.date(2019, 6, 1)),
        ("2019/06/12", dt.date(2019, 6, 12)),
        ("2019年6月12日", dt.date(2019, 6, 12)),
        ("2019年06月02日", dt.date(2019, 6, 2)),
        ("2017-12-08 00:00:00", dt.date(2017, 12, 8)),  # as old systems export 发布时间
        ("2020-02-29", dt.date(2020, 2, 29)),
        ("2019-02-29", "日期不存在"),
        ("2019-6-12日", "日期格式不正确，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日"),
        ("2019/06-12", "日期格式不正确，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日"),
        ("12/06/2019", "日期格式不正确，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日"),
        ("20190612", "日期格式不正确，应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日"),
    ],
)
def test_dates_in_the_forms_old_systems_export(text, expected):
    assert parse_date(text) == expected
