from django.db import models


class SignInFailure(models.Model):
    """One failed sign-in. Enough of them for one user name within the window locks the
    account for a while; a successful sign-in clears them.

    An attempt is written here, ``pending``, *before* its password is checked, under the
    user name's ``SignInGuard`` lock: parallel attempts each take a place in the count,
    so no more than the limit are ever checked. A wrong password settles the row
    (``pending=False``); a right one removes it."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    pending = models.BooleanField(default=False)

    class Meta:
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"
        indexes = [models.Index(fields=["username", "at"], name="signin_failure_user_at")]

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M}"


class SignInGuard(models.Model):
    """One row per user name that has been tried, locked (SELECT … FOR UPDATE) while an
    attempt is counted against its limit, so that parallel attempts for one user name are
    counted one after another. Rows not used for a day are purged."""

    username = models.CharField(max_length=150, unique=True)
    used_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "登录计数锁"
        verbose_name_plural = "登录计数锁"

    def __str__(self) -> str:
        return self.username
