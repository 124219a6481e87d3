from odoo import api
from odoo import models


class CrmTeam(models.Model):
    """A team's leader, its archiving and its removal change a department: the cached
    ``res.users._ka_department_user_ids`` and ``_ka_served_user_ids`` are
    cleared (a team deleted takes
    its memberships with it in SQL)."""

    _inherit = "crm.team"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        if {"user_id", "active"} & set(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
