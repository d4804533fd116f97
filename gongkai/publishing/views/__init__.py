"""Back-office views for proactive disclosure: drafting, review, approval and publication
(`workflow`), the catalogue (`catalogue`), and the reads they share (`lookups`)."""
