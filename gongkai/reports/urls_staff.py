staff_patterns: list = []
