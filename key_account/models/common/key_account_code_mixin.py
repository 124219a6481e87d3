from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class KeyAccountCodeMixin(models.AbstractModel):
    """A configuration record with a code unique per company.

    A record without company is shared by all companies, so its code may not
    be reused by any company's record either.
    """

    _name = "key_account.code.mixin"
    _description = "Key Account Configuration Code"

    code = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the record between all companies.",
    )

    @api.constrains("code", "company_id")
    def _check_code_unique(self):
        for record in self:
            domain = [("code", "=", record.code), ("id", "!=", record.id)]
            if record.company_id:
                domain += [("company_id", "in", [record.company_id.id, False])]
            clash = self.with_context(active_test=False).search(domain, limit=1)
            if clash:
                raise ValidationError(
                    self.env._(
                        "The code %(code)s is already used by %(name)s.",
                        code=record.code,
                        name=clash.display_name,
                    )
                )
