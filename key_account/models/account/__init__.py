from . import key_account_health_settings
from . import key_account_health
from . import key_account_review
from . import key_account_review_partner
