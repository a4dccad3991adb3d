"""Free contributions of enterprises (pledges, card payments, transfers recorded by admins).

Importing the package registers a contribution as a payable with payments (PaymentIntents whose
metadata kind is "contribution"; app.py imports it at start to register the blueprint).
"""

from coop.contributions.services import CONTRIBUTION
from coop.contributions.views import bp
from payments import payables

payables.register(CONTRIBUTION)

__all__ = ["bp"]
