from . import key_account_commission_plan
from . import key_account_commission_tier
from . import key_account_commission_target
from . import key_account_commission_settlement
from . import key_account_commission_settlement_line
from . import res_users
