"""The one error type of the DFC layer, ``DfcError``: it lives in :mod:`core.dfc.errors` (below
products, which reads the DFC taxonomies); re-exported here for the DFC modules."""

from core.dfc.errors import CODES as CODES
from core.dfc.errors import DfcError as DfcError
