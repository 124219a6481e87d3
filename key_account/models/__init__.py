# One folder per capability, each importing only the folders above it:
# common (mixins) < profile < pool < engagement < receivable < commission
# < kpi < account.
from . import common
from . import profile
from . import pool
from . import engagement
from . import receivable
from . import commission
from . import kpi
from . import account
