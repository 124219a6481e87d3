from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..common.key_account_guard_mixin import is_trusted
from ..common.key_account_guard_mixin import trusted_write

# kept in step with the request (its owner and company), whatever its state
FOLLOWING_FIELDS = frozenset({"owner_id", "company_id"})


class KeyAccountApprovalLine(models.Model):
    _name = "key_account.approval.line"
    _inherit = ["key_account.number.mixin", "key_account.guard.mixin"]
    _description = "Key Account Approval Step"
    _order = "round desc, sequence, id"

    res_model = fields.Char(string="Document Model", required=True, index=True)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", required=True, index=True
    )
    round = fields.Integer(
        string="Submission",
        default=1,
        help="Each submission gets a new round of approvals; earlier rounds are "
        "kept as history.",
    )
    sequence = fields.Integer(string="Level", default=1)
    rule_id = fields.Many2one("key_account.approval.rule", ondelete="set null")
    name = fields.Char(string="Level Name", required=True)
    group_id = fields.Many2one("res.groups", string="Approver Group")
    user_id = fields.Many2one("res.users", string="Approver")
    state = fields.Selection(
        [
            ("pending", "To Approve"),
            ("approved", "Approved"),
            ("refused", "Refused"),
            ("skipped", "Not Reached"),
        ],
        default="pending",
        required=True,
    )
    done_by_id = fields.Many2one("res.users", string="Approved By", readonly=True)
    done_date = fields.Datetime(string="Approved On", readonly=True)

    def _ka_protected_fields(self):
        # decided by the approvers' buttons only: a line is created pending,
        # whatever the context of the request that creates it
        return super()._ka_protected_fields() | {"state"}

    # who may read the line (record rules): the request's owner and company,
    # kept in step with the request (its owner changes on a handover)
    owner_id = fields.Many2one(
        "res.users",
        string="Request Owner",
        compute="_compute_request_owner",
        store=True,
        readonly=False,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_request_owner",
        store=True,
        readonly=False,
        index=True,
    )

    def write(self, vals):
        """A decided step (approved, refused, not reached) is history: it
        changes no more, whoever writes, the superuser too; only the approval
        actions decide the pending ones."""
        if not is_trusted() and vals.keys() - FOLLOWING_FIELDS:
            decided = self.filtered(lambda line: line.state != "pending")
            if decided:
                raise UserError(
                    self.env._(
                        "The approval step %(level)s was decided: it can no longer "
                        "change.",
                        level=decided[0].name,
                    )
                )
        return super().write(vals)

    def _ka_trusted_write(self, vals):
        """The module's own write of decided steps (the demo data dates them
        back). Private: no client can call it."""
        with trusted_write():
            return self.sudo().write(vals)

    @api.depends("res_model", "res_id")
    def _compute_request_owner(self):
        by_model = defaultdict(lambda: self.browse())
        for line in self:
            by_model[line.res_model] |= line
        for model, lines in by_model.items():
            documents = self.env[model].sudo().browse(lines.mapped("res_id")).exists()
            found = {doc.id: doc for doc in documents}
            for line in lines:
                doc = found.get(line.res_id)
                line.owner_id = doc.user_id if doc else False
                line.company_id = doc.company_id if doc else False
