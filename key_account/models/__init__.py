# One folder per capability, each importing only the folders above it:
# common (mixins) < profile < pool < engagement < account < commission < kpi.
from . import common
from . import profile
from . import pool
from . import engagement
from . import account
from . import commission
from . import kpi
