"""Demo data: ``flask demo seed`` is the one place demo data comes from (idempotent)."""
