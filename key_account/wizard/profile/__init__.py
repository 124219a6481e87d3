from . import key_account_erasure_wizard
