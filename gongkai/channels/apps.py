"""Government new-media accounts (政务新媒体) and their monthly figures, with the website's own."""
from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "gongkai.channels"
    label = "channels"
    verbose_name = "政务新媒体"
