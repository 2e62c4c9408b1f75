"""Training: the declared run configuration (``run_spec``: every option of a run, once,
with the lambda defaults beside it in ``lambdas``), the optimisation loop with checkpoints,
exact resume and a lock that keeps one training at a time in a run folder, and the
annealing schedules of the temperature and the learning rate.

May import: the top-level modules, ``data``, ``features`` and ``model``."""
