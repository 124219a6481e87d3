from odoo import api
from odoo import models


class CrmTeamMember(models.Model):
    """A membership changes a team leader's department: the cached
    ``res.users._ka_department_user_ids`` and ``_ka_served_user_ids`` are
    cleared."""

    _inherit = "crm.team.member"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        if {"crm_team_id", "user_id", "active"} & set(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
