from . import key_account_scorecard_compute
from . import key_account_scorecard_reopen
