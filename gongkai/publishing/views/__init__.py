"""Back-office views for proactive disclosure: the list (`listing`), drafting and editing
(`drafting`, `attachments`), the item's page and its review, approval and publication steps
(`workflow`, with the steps' table in `steps` and the wording in `presentation`), the
catalogue (`catalogue`), the registers and statistics; the reads they share are
`publishing.selectors` and `publishing.revisions`."""
