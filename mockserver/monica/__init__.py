"""Monica 4.x's API under /api: one isolated account per token, one id space per server.

vendor.py (what the core sees: Laravel's pipeline) -> operations.py (the table) ->
views.py (the controllers) -> models.py (the services and state) / shapes.py (the
JSON resources); laravel.py (what Monica inherits from Laravel and PHP), errors.py,
options.py, seed.py, handle.py (what a test holds).
"""
