from . import key_account_expense_product
from . import key_account_expense
from . import key_account_expense_mixin
from . import key_account_visit
from . import key_account_reception
from . import hr_expense
from . import hr_expense_sheet
