from . import key_account_dashboard_mixin
from . import key_account_dashboard_account
from . import key_account_dashboard_target
