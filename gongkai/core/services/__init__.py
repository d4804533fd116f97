"""All writes. One service per change, keyword-only, each takes ``actor=``, runs in a
transaction and appends its audit entry in that same transaction."""
