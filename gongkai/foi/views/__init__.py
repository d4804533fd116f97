"""Views for requests. ``staff`` holds the back office's pages (dashboard, list,
registration, a request's page, personal data and downloads); ``staff_actions`` the one
POST view per step of a request's handling."""
