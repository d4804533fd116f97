"""All writes to requests, replies and appeals. Each service locks the request, checks
the transition table, writes the change and its ``FoiEvent``, and appends the audit entry
in the same transaction."""
