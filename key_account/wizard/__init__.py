from . import profile
from . import pool
from . import engagement
from . import commission
from . import kpi
from . import account
