"""All writes to the catalogue, publications and the normative-documents register. Each
service checks role and state, writes, records a PublicationEvent where the item changes,
and appends the audit entry in the same transaction."""
