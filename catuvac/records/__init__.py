"""The record of results: the result store under ``results/``, provenance, and the tables
built from stored runs (Table I, seed tables, which runs share a setting).

May import: everything below it (``evaluation`` and the lower parts); never ``experiments``
or ``book``."""
