"""Contract checks: the fake's declarations (operation tables, JSON Schemas) applied to a
real vendor's answers, live (`mockserver contract VENDOR --base-url ...`), recorded
(`--recorded PATH`: HAR, VCR.py cassettes, a folder of JSON), or from a user's own
tests re-run against the vendor (`pytest --mockserver-target=live|both`).

Nothing here is imported by `import mockserver` or by the pytest plugin's import: the
CLI and the plugin import these modules inside the functions that need them.
"""
