"""URLs of the powerlists area. ``staff_patterns`` are mounted under /staff/ in the `staff:`
namespace, ``public_patterns`` at the site root in the `portal:` namespace (gongkai/urls.py)."""

staff_patterns: list = []

public_patterns: list = []
