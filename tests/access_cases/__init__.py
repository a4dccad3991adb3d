"""Rows of the access matrix, one module per area (``tests/integration/test_access_matrix.py``).

Each module defines ``CASES: list[Case]`` (rows built with ``tests.access``), ``PREFIXES``
(blueprint names whose every route must have a row) and optionally ``EXEMPT`` (endpoints covered
by their own tests, with the reason in a comment).
"""
