from . import key_account_guard_mixin
from . import key_account_number_mixin
from . import key_account_workflow_mixin
from . import key_account_code_mixin
from . import key_account_month_mixin
from . import res_lang
from . import res_config_settings
