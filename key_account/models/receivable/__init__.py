from . import account_move
from . import account_partial_reconcile
from . import res_partner
from . import key_account_collection_report
