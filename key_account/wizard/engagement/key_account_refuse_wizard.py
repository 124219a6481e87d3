from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class KeyAccountRefuseWizard(models.TransientModel):
    _name = "key_account.refuse.wizard"
    _description = "Refuse an Engagement Request"

    res_model = fields.Char(required=True)
    res_ids = fields.Char(string="Record Ids", required=True)
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        ctx = self.env.context
        res.setdefault("res_model", ctx.get("active_model"))
        res.setdefault("res_ids", ",".join(str(i) for i in ctx.get("active_ids") or []))
        return res

    def action_refuse(self):
        self.ensure_one()
        model = self.env.registry.get(self.res_model)
        if model is None or not issubclass(
            model, self.env.registry["key_account.approval.mixin"]
        ):
            raise UserError(
                self.env._("Only visits, receptions and gifts are refused here.")
            )
        self.env[self.res_model].browse(
            [int(i) for i in self.res_ids.split(",") if i]
        ).action_refuse(self.reason)
        return {"type": "ir.actions.act_window_close"}
