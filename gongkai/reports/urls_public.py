public_patterns: list = []
