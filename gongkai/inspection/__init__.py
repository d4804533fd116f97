"""Website self-inspection (网站自查, 国办秘函〔2019〕19号): daily findings, score, error reports."""
