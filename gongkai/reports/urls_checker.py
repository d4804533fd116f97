checker_patterns: list = []
