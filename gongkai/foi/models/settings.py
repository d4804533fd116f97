from django.db import models


class AgencyFoiSettings(models.Model):
    """How one agency handles requests, where the rules leave it a choice."""

    agency = models.OneToOneField("core.Agency", on_delete=models.CASCADE, related_name="foi_settings")
    review_body = models.CharField(
        "行政复议机关", max_length=200, blank=True,
        help_text="答复中告知的行政复议机关，如“青岚市人民政府”；留空则使用上级机关名称",
    )
    court = models.CharField("管辖法院", max_length=200, blank=True, help_text="如“青岚市滨河区人民法院”")
    fee_notice_pauses_clock = models.BooleanField(
        "收费通知期间不计入答复期限", default=True,
        help_text="通行理解：自发出收费通知至缴费之日不计入答复期限",
    )
    duplicate_window_days = models.PositiveIntegerField(
        "重复申请比对期间（天）", default=365,
        help_text="同一申请人在此期间内内容相似的申请将被标记为可能重复",
    )

    letter_number_pattern = models.CharField(
        "文号格式", max_length=100, default="{year}年依申请公开第{n}号",
        help_text="告知文书的文号，{year} 为年度，{n} 为本机关当年顺序号（不留空号），"
                  "如“青市监公开〔{year}〕{n}号”",
    )
    signoff_steps = models.JSONField(
        "签发流程", default=list, blank=True,
        help_text="答复和告知书出具前经过的环节：draft（承办科室拟稿）、check（办公室核稿）、"
                  "sign_off（领导签发）；为空则由办公室直接出具",
    )

    class Meta:
        verbose_name = "依申请公开设置"
        verbose_name_plural = "依申请公开设置"

    def __str__(self) -> str:
        return f"{self.agency} 依申请公开设置"
