from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from ...models.common.groups import KA_MANAGER


class KeyAccountHandoverWizard(models.TransientModel):
    """A salesperson leaves: their key accounts and open documents go to
    another salesperson, or the accounts back to the pool."""

    _name = "key_account.handover.wizard"
    _description = "Key Account Handover"

    user_id = fields.Many2one(
        "res.users",
        string="Leaving Salesperson",
        required=True,
        context={"active_test": False},
    )
    mode = fields.Selection(
        [("reassign", "Hand over to a salesperson"), ("pool", "Release to the pool")],
        required=True,
        default="reassign",
    )
    new_user_id = fields.Many2one(
        "res.users",
        string="New Salesperson",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("key_account.group_key_account_user").id),
            ("share", "=", False),
        ],
    )
    reason = fields.Text(default=lambda self: self.env._("Handover"))
    partner_ids = fields.Many2many(
        "res.partner",
        string="Key Accounts",
        compute="_compute_partner_ids",
        store=True,
        readonly=False,
    )
    done = fields.Boolean(readonly=True)

    @api.model
    def default_get(self, fields_list):
        # opened from a user's form (the action's binding), that user leaves;
        # from the menu, nobody yet (the action has no context: the menu has
        # no active record to evaluate one with)
        res = super().default_get(fields_list)
        ctx = self.env.context
        if (
            "user_id" in fields_list
            and not res.get("user_id")
            and ctx.get("active_model") == "res.users"
            and ctx.get("active_id")
        ):
            res["user_id"] = ctx["active_id"]
        return res

    @api.depends("user_id")
    def _compute_partner_ids(self):
        for wizard in self:
            wizard.partner_ids = (
                self.env["res.partner"]
                .with_context(active_test=False)
                .search(
                    [("user_id", "=", wizard.user_id.id), ("ka_type_id", "!=", False)]
                )
                if wizard.user_id
                else False
            )

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group(KA_MANAGER):
            raise AccessError(
                self.env._("Only Key Account managers can hand accounts over.")
            )
        if self.mode == "reassign" and not self.new_user_id:
            raise UserError(self.env._("Choose who takes over the key accounts."))
        if self.new_user_id == self.user_id:
            raise UserError(self.env._("Choose someone else than the leaving person."))
        partners = self.partner_ids.filtered(lambda p: p.user_id == self.user_id)
        if not partners:
            raise UserError(
                self.env._(
                    "%(user)s owns no key account to hand over.", user=self.user_id.name
                )
            )
        Partner = self.env["res.partner"]
        documents = Partner._ka_handover_open_documents(partners, self.user_id)
        if self.mode == "reassign":
            partners.action_ka_assign(
                self.new_user_id,
                reason=self.reason,
                override_caps=True,
                action="handover",
            )
            Partner._ka_handover_reassign_documents(documents, self.new_user_id)
        else:
            partners._ka_pool_lock_accounts()
            partners._ka_pool_move(
                self.env["res.users"], "handover", reason=self.reason
            )
        self.write({"done": True, "partner_ids": [fields.Command.set(partners.ids)]})
        return self.env.ref(
            "key_account.key_account_handover_report_action"
        ).report_action(self)

    def _report_documents(self, partner):
        """Open documents of ``partner`` now with its owner, for the report."""
        self.ensure_one()
        user = self.new_user_id if self.mode == "reassign" else self.user_id
        documents = self.env["res.partner"]._ka_handover_open_documents(partner, user)
        return [record for records in documents for record in records]

    def _report_access_summary(self):
        """What the leaving person read and exported of the customer files
        in their last 30 days: [(account, operation, count)]."""
        self.ensure_one()
        return self.env["key_account.access.log"]._ka_summary(self.user_id, days=30)
