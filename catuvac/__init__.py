"""Categorical Unsupervised Variational Acoustic Clustering."""
