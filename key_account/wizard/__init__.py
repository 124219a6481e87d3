from . import pool
from . import engagement
from . import account
from . import commission
from . import kpi
