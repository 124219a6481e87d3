from . import test_key_account_hr_expense
from . import test_claimed_reports
from . import test_approved_money
