"""What happened to an order, said once, after the commit (blinker signals, as Flask uses).

A use case commits its change, then sends one of these; subscribers do the side effects that
live outside the database (payments refunds a cancelled order's card payment, or cancels its
open PaymentIntent). The sender is the committed ``Order``; keyword arguments say more. A
subscriber runs in the sender's request or job, after the commit: it opens its own transaction
and must not raise for the sender (log and leave it to a retry). ``orders`` never imports the
subscribers: they connect themselves (``payments.subscribers``, connected by ``payments``).

E-mails are not subscribers: they go through the outbox in the change's own transaction
(``notifications.services.queue_email``), so a message exists if and only if its change was
committed, and are delivered after the commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: an order was placed. Keyword: ``by`` (orders.history.Actor)
order_placed = _signals.signal("order-placed")
#: an order's payment was recorded (card or at pickup). Keywords: ``by``, ``amount_cents``
order_paid = _signals.signal("order-paid")
#: an order was cancelled (or, already cancelled, was paid late: the money must go back).
#: Keywords: ``by``, ``reason`` (str)
order_cancelled = _signals.signal("order-cancelled")
#: an order's lines changed (by the citizen or the hub). Keywords: ``by``,
#: ``total_before_cents``
order_lines_changed = _signals.signal("order-lines-changed")
#: an order's hold is about to be released (its card payment not completed in time). Sent
#: outside any lock, before the order is cancelled; a receiver returns ``HOLD_KEEP`` when the
#: order must stay (the card payment succeeded or is under way: payments asks Stripe).
hold_expiring = _signals.signal("hold-expiring")

HOLD_KEEP = "keep"
HOLD_RELEASE = "release"
