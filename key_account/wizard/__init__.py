from . import key_account_commission_compute
from . import key_account_commission_settlement_cancel
from . import key_account_scorecard_compute
from . import key_account_scorecard_reopen
