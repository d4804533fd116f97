"""The back office's batch upload for the checker. The form checks the batch's shape
only (how many files); each file's size and content are judged file by file, so one
broken file gives a row saying so instead of refusing the whole batch."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from gongkai.core.widgets import MultipleFileField

MAX_FILES = 30
MAX_FILE_BYTES = 20 * 1024 * 1024


class _ReportFiles(MultipleFileField):
    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise ValidationError("请选择至少一个年度报告文件。")
        if len(files) > MAX_FILES:
            raise ValidationError(f"一次最多检查{MAX_FILES}个文件，本次选择了{len(files)}个，请分批上传。")
        return files


class CheckerUploadForm(forms.Form):
    files = _ReportFiles(
        label="年度报告文件",
        help_text=(f"可多选，一次最多{MAX_FILES}个，每个不超过{MAX_FILE_BYTES // (1024 * 1024)}MB；"
                   "支持网页（HTML）、Word（DOCX）、带文字层的PDF和纯文本，简体或繁体均可。"),
    )
