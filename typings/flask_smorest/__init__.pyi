# flask-smorest ships no type information. Only what mypy must know is written here: ``abort``
# never returns (it is webargs' own, which is typed); everything else stays Any.
from typing import Any

from webargs.flaskparser import abort as abort

def __getattr__(name: str) -> Any: ...
