"""Text and tables made from stored results: Table I, seed tables, the verdict, the
targets, the label-free selection and the studies beyond the paper, read for the book.

May import: :mod:`catuvac.records.store` and the parts below ``records``."""
