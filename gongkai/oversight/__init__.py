"""What a supervising office sees across its subtree: the compliance table and its drill-downs."""
