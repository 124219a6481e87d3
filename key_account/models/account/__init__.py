from . import key_account_health_settings
from . import key_account_health
