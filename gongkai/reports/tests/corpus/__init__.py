"""The checker's own corpus of published annual reports (issue 19): built from data by
``build.py``, committed under ``files/`` with one expected result per file under ``expected/``."""
