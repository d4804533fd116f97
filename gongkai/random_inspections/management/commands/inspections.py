"""`gongkai inspections`: random inspections (双随机、一公开) from the command line.

    gongkai inspections verify TASK [--draw N] [--list FILE]
        re-run a task's published draw from its frozen inputs and seed (with the full
        exclusion snapshot, which is not published), and compare it with the stored targets,
        inspectors and skips (or, with --list, with a published list file); check every
        skipped pair against the committed exclusions, the draw's commit and draw entries
        in the hash-chained audit trail, and the names shown against those frozen at the
        commit. Each check is printed with [ok] or [FAILED].
        TASK is the task's id or its draw reference (e.g. 1201000000000001/2026/003);
        without --draw, the task's current drawn draw. Exit status: 0 when the draw re-runs
        identically, 1 when it does not, 2 for a usage error (no such task or draw, a draw
        not yet made, an unreadable file).
    gongkai inspections import-entities AGENCY_CODE FILE
    gongkai inspections import-inspectors AGENCY_CODE FILE
        import a directory file (CSV or XLSX) into the agency's entity or inspector
        directory; bad rows are listed and the rest are kept.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from gongkai.core.errors import DomainError
from gongkai.core.models import Agency
from gongkai.random_inspections.models import Draw, DrawStatus, InspectionTask
from gongkai.random_inspections.verify import is_drawn, verify_draw, verify_published_list

USAGE = 2  # exit status of a usage error (argparse's too)
REFUSED_SHOWN = 50


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE)


class Command(BaseCommand):
    help = "Random inspections: verify a published draw; import the two directories."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="re-run a published draw: exit 0 when identical, 1 when not")
        verify.add_argument("task", help="the task's id, or its draw reference")
        verify.add_argument("--draw", type=int, help="the draw's number (default: the current drawn draw)")
        verify.add_argument("--list", dest="list_file", help="a published list file to verify instead of the stored rows")
        for action, what in (("import-entities", "entity directory (检查对象名录)"),
                             ("import-inspectors", "inspector directory (执法检查人员名录)")):
            imp = sub.add_parser(action, help=f"import the agency's {what} from a CSV or XLSX file")
            imp.add_argument("agency_code", help="the agency's code (机关代码)")
            imp.add_argument("file", help="path of the CSV or XLSX file")

    def handle(self, *args, action, **options):
        if action == "verify":
            self._verify(task=options["task"], number=options.get("draw"), list_file=options.get("list_file"))
        else:
            self._import(kind=action.removeprefix("import-"), code=options["agency_code"], file=options["file"])

    # --- verify -------------------------------------------------------------------------

    def _find_task(self, key: str) -> InspectionTask:
        task = None
        if key.isdigit():
            task = InspectionTask.objects.filter(pk=int(key)).first()
        if task is None:
            reference = key.split("#", 1)[0]
            task_ids = set(Draw.objects.filter(reference__in=[key, reference]).values_list("task_id", flat=True))
            task_ids |= set(Draw.objects.filter(reference__startswith=f"{reference}#").values_list(
                "task_id", flat=True))
            if len(task_ids) == 1:
                task = InspectionTask.objects.get(pk=task_ids.pop())
            elif len(task_ids) > 1:
                raise _usage(f"reference {key!r} names several tasks; give the task's id")
        if task is None:
            raise _usage(f"no task with id or draw reference {key!r}")
        return task

    def _find_draw(self, task: InspectionTask, number: int | None) -> Draw:
        draws = Draw.objects.filter(task=task)
        if number is not None:
            found = draws.filter(number=number).first()
            if found is None:
                raise _usage(f"task {task.pk} has no draw number {number}")
            if not is_drawn(found):
                raise _usage(f"draw {number} of task {task.pk} has not been drawn (status {found.status}): "
                             "nothing to verify")
            return found
        current = draws.filter(status=DrawStatus.DRAWN).order_by("-number").first()
        if current is None:
            raise _usage(f"task {task.pk} has no drawn draw yet: nothing to verify "
                         "(give --draw N for a superseded one)")
        return current

    def _verify(self, *, task: str, number: int | None, list_file: str | None) -> None:
        task_obj = self._find_task(task)
        found = self._find_draw(task_obj, number)
        data = None
        if list_file is not None:
            path = Path(list_file)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise _usage(f"{list_file}: {exc.strerror or exc}") from None
        self.stdout.write(f"task {task_obj.pk} ({task_obj.number}), draw {found.number}, "
                          f"reference {found.reference}, status {found.status}")
        if data is None:
            self.stdout.write("verifying the stored targets, inspectors and skips against a re-run of the draw, "
                              "the audit trail's entries of the draw and the frozen names")
            result = verify_draw(found)
        else:
            self.stdout.write(f"verifying the list {list_file} against a re-run of the draw")
            result = verify_published_list(found, data)
        for check in result.checks:
            self.stdout.write(f"  [{'ok' if check.passed else 'FAILED'}] {check.label}")
        if result.matches:
            self.stdout.write("(a consistent rewrite of the platform's own records cannot be seen from inside: "
                              "compare inputs_sha256 and the commitment with a copy kept when they were published)")
            self.stdout.write(self.style.SUCCESS(
                f"the draw re-runs identically: {len(result.outcome.rows)} targets, "
                f"result SHA-256 {result.outcome.result_sha256}"))
            return
        for problem in result.problems:
            self.stderr.write(f"  {problem}")
        self.stderr.write(self.style.ERROR("the draw does NOT re-run identically"))
        raise SystemExit(1)

    # --- import -------------------------------------------------------------------------

    def _import(self, *, kind: str, code: str, file: str) -> None:
        from gongkai.random_inspections import importer
        from gongkai.random_inspections.models import DirectoryImport

        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise _usage(f"no agency with code {code!r}")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _usage(f"{file}: {exc.strerror or exc}") from None
        kind_value = DirectoryImport.Kind.ENTITIES if kind == "entities" else DirectoryImport.Kind.INSPECTORS
        try:
            done = importer.import_directory(actor=None, agency=agency, kind=kind_value, file_name=path.name,
                                             data=data)
        except (PermissionDenied, DomainError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{path.name}: {done.row_count} row(s): {done.created_count} created, {done.updated_count} updated, "
            f"{done.unchanged_count} unchanged, {done.refused_count} refused")
        refused = list(done.refused_rows or [])
        for row in refused[:REFUSED_SHOWN]:
            self.stderr.write(f"  row {row.get('row')}: {row.get('message')}")
        if len(refused) > REFUSED_SHOWN:
            self.stderr.write(f"  … and {len(refused) - REFUSED_SHOWN} more refused row(s)")
