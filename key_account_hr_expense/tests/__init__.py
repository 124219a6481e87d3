from . import test_key_account_hr_expense
