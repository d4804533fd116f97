from django.db import models


class SignInFailure(models.Model):
    """One failed sign-in. Enough of them for one user name within the window locks the
    account for a while; a successful sign-in clears them."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"
        indexes = [models.Index(fields=["username", "at"], name="signin_failure_user_at")]

    def __str__(self) -> str:
        return f"{self.username} @ {self.at:%Y-%m-%d %H:%M}"
