from . import key_account_commission_compute
from . import key_account_commission_settlement_cancel
from . import key_account_handover_wizard
from . import key_account_pool_wizard
from . import key_account_refuse_wizard
from . import key_account_scorecard_compute
from . import key_account_scorecard_reopen
