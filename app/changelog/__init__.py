"""The change log: the kernel every synced record is written through.

Counters and versions (``versions``), who may hold a record (``audiences``), tombstones
(``models``), each record's stored wire change (``stored``) and the registry of synced
entities and mutations (``registry``). It sits below every domain and imports none: the
domains register with it, and the sync protocol above reads it.
"""
