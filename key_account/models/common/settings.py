"""Settings of the module kept as system parameters (res.config.settings
``config_parameter`` fields)."""


def days_setting(env, key, default):
    """The integer setting ``key`` (days), ``default`` when it is not set.
    0 is a setting of its own: res.config.settings drops an integer
    parameter of 0, so the module's settings of days store it as "0"
    (``ResConfigSettings._ka_days_settings``)."""
    value = env["ir.config_parameter"].sudo().get_param(key)
    return int(value) if value not in (None, False, "") else default
