"""Experiments: profiles, preparing a dataset's features, one run of Table I
(``reproduce``), the studies (lambda) and the baselines they compare against.

May import: every part but ``book``; this is where runs are trained and results written."""
