from . import key_account_pool_log
from . import res_partner
from . import res_company
from . import crm_team
from . import res_users
from . import key_account_grade
from . import key_account_type
from . import res_config_settings
