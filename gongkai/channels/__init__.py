"""Government new-media accounts (政务新媒体) and their monthly figures, with the website's own."""
