from . import key_account_pool_log
from . import res_company
