"""The result store: one record per run with its arrays, provenance, neighbour graphs,
and the queries that pick which stored runs belong to a setting.

May import: the parts below ``records``; never :mod:`catuvac.records.reports`."""
