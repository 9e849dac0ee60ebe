"""The spend ledger: what the organisation spent on each source channel (the input side of
the publicity cost input/output table)."""
