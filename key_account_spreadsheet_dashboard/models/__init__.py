from . import key_account_dashboard_account
from . import key_account_dashboard_target
