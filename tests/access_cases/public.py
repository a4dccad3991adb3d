"""Access rows of the public pages of hubs and producers (issue 19, item 6): the map, the request
for a hub, "mes comptoirs", following, and the admins' list of requests.

Enterprise A is a producer and a hub: its ``/e/<slug>`` address redirects (301) to its hub page.
"""

from __future__ import annotations

from tests.access import ADMINS, LOGGED_IN, PUBLIC, Case, statuses

PREFIXES: list[str] = []

CASES: list[Case] = [
    Case("hubs.public", PUBLIC, params=lambda w: {"hub_id": w.a.id}),
    Case("hubs.map", PUBLIC),
    Case("hubs.ask", PUBLIC),
    Case("hubs.followed", LOGGED_IN),
    Case(
        "hubs.follow",
        statuses(302, 302, 302, 302, 302),
        method="POST",
        params=lambda w: {"hub_id": w.a.id},
        data=lambda w: {},
    ),
    Case("coop_admin.hub_requests", ADMINS),
]
