"""Free contributions of enterprises (pledges, card payments, transfers recorded by admins).

Importing the package registers the Stripe webhook handler for PaymentIntents whose metadata
kind is "contribution" (app.py imports it at start to register the blueprint).
"""

from coop.contributions.services import handle_contribution_intent
from coop.contributions.views import bp
from payments import events

events.register("contribution", handle_contribution_intent)

__all__ = ["bp"]
