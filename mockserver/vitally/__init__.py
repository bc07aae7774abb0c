"""Vitally's REST API under /resources: one isolated workspace per API key.

vendor.py (what the core sees) -> operations.py (the table) -> views.py (HTTP in,
JSON out) -> models.py (state and rules) / shapes.py (JSON objects); errors.py,
options.py, seed.py, handle.py (what a test holds).
"""
