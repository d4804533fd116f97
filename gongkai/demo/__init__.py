"""The demo site: the fictional province of ``core.demo`` with requests, publications and
annual reports loaded into it (``gongkai demo``, ``make run``).

This package sits above every app (last in ``INSTALLED_APPS``) because loading a whole
demo site needs all of them: core must not import foi, publishing or reports, so the
orchestration lives here. Each app keeps its own demo data (``foi.demo``,
``publishing.demo``, ``reports.demo``); this package only runs them in order.
"""
