from . import (
    key_account_code_mixin,
    key_account_file_check,
    key_account_grade,
    key_account_grade_history,
    key_account_type,
    res_config_settings,
    res_partner,
    sale_order,
)
