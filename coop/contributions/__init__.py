"""Free contributions of enterprises (pledges, card payments, transfers recorded by admins)."""
