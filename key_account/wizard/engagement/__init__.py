from . import key_account_refuse_wizard
