"""Helpers that exist for the chapters: toy problems, plots, audio players, listening
to clusters and decoded spectrograms, stored clips of stored runs.

May import: every other part; nothing in the library imports it."""
