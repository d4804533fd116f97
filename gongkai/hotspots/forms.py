"""Forms of the hot-spot area: they check the input's shape; the importer and the
services check the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from gongkai.hotspots import permissions
from gongkai.hotspots.analysis import SOURCES
from gongkai.hotspots.columns import FIELDS
from gongkai.hotspots.importer import MAX_FILE_BYTES
from gongkai.hotspots.periods import GRAINS

NOT_MAPPED = ""


class UploadForm(forms.Form):
    agency = forms.ModelChoiceField(label="机关", queryset=None, empty_label=None)
    file = forms.FileField(
        label="12315平台导出文件",
        help_text=f"CSV（UTF-8或GBK/GB18030编码）或XLSX，不超过{MAX_FILE_BYTES // (1024 * 1024)}MB")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = permissions.agencies_importable_by(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(f"文件超过{MAX_FILE_BYTES // (1024 * 1024)}MB的大小上限，请按月份分批导出后导入。")
        return upload


class MappingForm(forms.Form):
    """One select a field: which column of the file holds it."""

    def __init__(self, *args, headers: list[str], samples: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        samples = samples or []
        choices = [(NOT_MAPPED, "（不导入）")] + [
            (str(i), f"{h}（例：{samples[i]}）" if i < len(samples) and samples[i] else h)
            for i, h in enumerate(headers)]
        for f in FIELDS:
            self.fields[f.name] = forms.ChoiceField(
                label=f.label + ("（必选）" if f.required else ""), choices=choices,
                required=f.required, help_text=f.note)

    def mapping(self) -> dict[str, int]:
        return {name: int(value) for name, value in self.cleaned_data.items()
                if value not in (None, NOT_MAPPED)}


class AnalysisForm(forms.Form):
    grain = forms.ChoiceField(label="周期", choices=[("W", "周报"), ("M", "月报")], required=False)
    period = forms.CharField(label="期间", required=False, max_length=10,
                             help_text="周如2026-W10，月如2026-03；留空为上一个完整周期")
    sources = forms.ChoiceField(label="来源", choices=list(SOURCES.items()), required=False)
    agency = forms.ModelChoiceField(label="机关", queryset=None, required=False, empty_label=None)
    subtree = forms.BooleanField(label="含下级机关（汇总）", required=False)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies

    def clean_grain(self):
        return self.cleaned_data.get("grain") if self.cleaned_data.get("grain") in GRAINS else "W"

    def clean_sources(self):
        return self.cleaned_data.get("sources") or "all"
