"""Training: the optimisation loop with checkpoints and exact resume, and the annealing
schedules of the temperature and the learning rate.

May import: the top-level modules, ``data``, ``features`` and ``model``."""
