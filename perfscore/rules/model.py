"""Former name of `perfscore.rules.schema` (the rule-set language as pydantic models), kept so that
existing imports work."""

from perfscore.rules.schema import *  # noqa: F403
from perfscore.rules.schema import __all__  # noqa: F401
