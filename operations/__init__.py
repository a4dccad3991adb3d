"""What hubs and producers do between the close of a cycle and the pickup.

Sub-packages, each with its own blueprint: ``backoffice`` (a hub's orders), ``pickup`` (the
pickup-day checklist), ``reports`` (per-cycle reports), ``producers`` (the producer's order
lines and order lists), ``dashboard`` (a hub's sales). Who may do what: ``permissions``.
"""
