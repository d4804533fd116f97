"""The back office's batch upload for the checker. The form checks the batch's shape
(how many files, how many bytes in all); each file's own size and content are judged file
by file, so one broken file gives a row saying so instead of refusing the whole batch."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from gongkai.core.widgets import MultipleFileField

MAX_FILES = 20
MAX_FILE_BYTES = 20 * 1024 * 1024
# One request reads at most this much (the files are checked one at a time, but the
# upload itself is received before any is read).
MAX_TOTAL_BYTES = 50 * 1024 * 1024


def _mb(n: int) -> int:
    return n // (1024 * 1024)


class _ReportFiles(MultipleFileField):
    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise ValidationError("请选择至少一个年度报告文件。")
        if len(files) > MAX_FILES:
            raise ValidationError(f"一次最多检查{MAX_FILES}个文件，本次选择了{len(files)}个，请分批上传。")
        total = sum(f.size or 0 for f in files)
        if total > MAX_TOTAL_BYTES:
            raise ValidationError(f"一次上传的文件合计不能超过{_mb(MAX_TOTAL_BYTES)}MB，"
                                  f"本次约{max(1, round(total / (1024 * 1024)))}MB，请分批上传。")
        return files


class CheckerUploadForm(forms.Form):
    files = _ReportFiles(
        label="年度报告文件",
        help_text=(f"可多选，一次最多{MAX_FILES}个、合计不超过{_mb(MAX_TOTAL_BYTES)}MB，"
                   f"每个不超过{_mb(MAX_FILE_BYTES)}MB；"
                   "支持网页（HTML）、Word（DOCX）、带文字层的PDF和纯文本，简体或繁体均可。"),
    )
