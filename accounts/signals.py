"""What the accounts domain tells the domains above it (blinker signals, as Flask uses).

``email_proven`` is sent INSIDE the transaction that proves the address (confirmation link,
password reset, change of address), before its commit: a receiver writes in the same unit of
work (orders attach the guest orders placed with that address). The sender: the user.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

email_proven = _signals.signal("email-proven")
