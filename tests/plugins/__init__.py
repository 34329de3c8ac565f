"""Plugins used by the tests, registered with ``pm.register(...)`` as an outside package would be."""
