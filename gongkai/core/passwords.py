"""Password rules beyond Django's own (length, common, numeric, similarity)."""

import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

_CLASSES = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in Chinese: Django 5.2 changed the message's
    msgid and its zh_Hans catalogue still carries the old one, so the stock validator
    tells users "This password is too short…" in English. (Its help text is still
    translated.)"""

    def get_error_message(self):
        # The wording of Django's own zh_Hans translation of the old msgid.
        return f"密码长度太短。密码必须包含至少 {self.min_length} 个字符。"


class CharacterClassValidator:
    """等保 level 3 asks for complex passwords: at least ``min_classes`` of upper-case
    letters, lower-case letters, digits and other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for _, chars in _CLASSES if any(c in chars for c in password))
        if any(not c.isalnum() or not c.isascii() for c in password):
            present += 1
        if present < self.min_classes:
            raise ValidationError(
                "密码至少需要包含大写字母、小写字母、数字、特殊字符中的%(n)d类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self):
        return f"密码至少需要包含大写字母、小写字母、数字、特殊字符中的{self.min_classes}类。"
