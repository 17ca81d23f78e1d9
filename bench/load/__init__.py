"""The load scenario on the production image: `make load` (see __main__.py)."""
