"""The record of results, in two parts: :mod:`~catuvac.records.store` reads, writes and
selects the stored runs under ``results/`` (with their provenance and neighbour graphs);
:mod:`~catuvac.records.reports` makes the text and tables the book shows from them
(Table I, seed tables, the verdict, the targets). Reports read the store; the store never
imports reports.

May import: everything below it (``evaluation`` and the lower parts); never ``experiments``
or ``book``."""
