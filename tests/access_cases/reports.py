"""Access rows of a cycle's reports: hub A's cycle (A is a hub managed by manager_of_a)."""

from __future__ import annotations

from tests.access import MANAGERS_OF_A, Case, citizens_order, statuses

PREFIXES = ["reports"]


def _cycle_of_a(w):
    return {"hub_id": w.a.id, "cycle_id": citizens_order(w)["cycle_id"]}


def _report_of_a(report: str, fmt: str):
    def params(w):
        return {**_cycle_of_a(w), "report": report, "fmt": fmt}

    return params


def _cycle_of_a_under_b(w):
    # A's cycle through hub B's URL: B's manager must not learn it exists (404), A's gets 403
    return {"hub_id": w.b.id, "cycle_id": citizens_order(w)["cycle_id"]}


CASES: list[Case] = [
    Case("reports.index", MANAGERS_OF_A, params=_cycle_of_a),
    Case("reports.index", statuses(302, 403, 403, 404, 404), params=_cycle_of_a_under_b),
    Case("reports.show", MANAGERS_OF_A, params=_report_of_a("packing", "html")),
    Case("reports.show", MANAGERS_OF_A, params=_report_of_a("suppliers", "csv")),
    Case("reports.show", MANAGERS_OF_A, params=_report_of_a("pickup", "pdf")),
    Case(
        "reports.show",
        statuses(302, 403, 403, 404, 404),
        params=lambda w: {**_cycle_of_a_under_b(w), "report": "payments", "fmt": "html"},
    ),
    # an unknown report or format is a 404 for those allowed to see the reports
    Case("reports.show", statuses(302, 403, 404, 403, 404), params=_report_of_a("nope", "html")),
    Case("reports.show", statuses(302, 403, 404, 403, 404), params=_report_of_a("fees", "xlsx")),
]
