from dateutil.relativedelta import relativedelta

from odoo import api
from odoo import fields
from odoo import models

from ..common.dates import local_day
from ..common.key_account_guard_mixin import trusted_write
from ..common.lang import envs_by_lang
from ..common.settings import days_setting

# days after a deal by which its key account is visited or contacted again
# (Settings): seed 001, 资源库 2.1.5, "一个月内完成终端客户回访"
DEFAULT_DEAL_REVISIT_DAYS = 30


class SaleOrder(models.Model):
    """A deal on a key account asks its owner for a visit or a contact within
    a month: the order keeps who owes it, by when, when it came and whether
    it came late. Only the module writes these fields (readonly: the guard
    of ``key_account.guard.mixin`` refuses them from clients)."""

    _inherit = "sale.order"

    ka_revisit_user_id = fields.Many2one(
        "res.users",
        string="Revisit Owed By",
        readonly=True,
        copy=False,
        help="The owner of the key account when the order was confirmed.",
    )
    ka_revisit_due = fields.Date(
        string="Revisit Due",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The day of the deal plus the days of Settings (Revisit after a "
        "deal): by then the key account is visited or contacted.",
    )
    ka_revisit_done = fields.Date(
        string="Revisited On",
        readonly=True,
        copy=False,
        help="The day of the first visit or contact recorded on the key account "
        "after the deal.",
    )
    ka_revisit_late = fields.Boolean(
        string="Revisit Late",
        readonly=True,
        copy=False,
        index=True,
        help="No visit or contact was recorded by the revisit's due day.",
    )

    # ---- the deal asks for a revisit -----------------------------------------------
    @api.model
    def _ka_revisit_days(self):
        return days_setting(
            self.env, "key_account.deal_revisit_days", DEFAULT_DEAL_REVISIT_DAYS
        )

    def action_confirm(self):
        res = super().action_confirm()
        self._ka_ask_revisit()
        return res

    def _ka_ask_revisit(self):
        """The confirmed orders of key accounts with an owner: due the deal's
        day (the owner's) plus the days of Settings, with a reminder to the
        owner on the account, a call that counts as the contact once done."""
        days = self._ka_revisit_days()
        orders = self.sudo().filtered(
            lambda o: o.state == "sale"
            and not o.ka_revisit_due
            and o.ka_commercial_partner_id.ka_type_id
            and o.ka_commercial_partner_id.user_id
        )
        envs = envs_by_lang(self.env, orders.ka_commercial_partner_id.user_id)
        for order in orders:
            account = order.ka_commercial_partner_id
            owner = account.user_id
            due = local_day(owner, order.date_order) + relativedelta(days=days)
            with trusted_write():
                order.write({"ka_revisit_user_id": owner.id, "ka_revisit_due": due})
            account.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=due,
                summary=envs[owner.id]._(
                    "Revisit %(account)s after order %(order)s",
                    account=account.display_name,
                    order=order.name,
                ),
                user_id=owner.id,
            )

    def _ka_deal_day(self):
        self.ensure_one()
        return local_day(self.ka_revisit_user_id, self.date_order)

    @api.model
    def _ka_revisit_pending_domain(self):
        return [
            ("ka_revisit_due", "!=", False),
            ("ka_revisit_done", "=", False),
            ("state", "=", "sale"),
        ]

    @api.model
    def _ka_register_revisits(self, accounts, day):
        """A visit or contact of ``day`` on ``accounts``: the revisits their
        deals of that day or before still wait for are done (late after their
        due day)."""
        pending = (
            self.sudo()
            .search(
                [
                    ("ka_commercial_partner_id", "in", accounts.ids),
                    *self._ka_revisit_pending_domain(),
                ]
            )
            .filtered(lambda o: o._ka_deal_day() <= day)
        )
        with trusted_write():
            for order in pending:
                order.write(
                    {
                        "ka_revisit_done": day,
                        "ka_revisit_late": order.ka_revisit_late
                        or day > order.ka_revisit_due,
                    }
                )

    @api.model
    def _ka_cron_revisits(self):
        """Deals whose revisit did not come by its due day (the owner's day)
        are marked late."""
        late = (
            self.sudo()
            .search(
                [
                    *self._ka_revisit_pending_domain(),
                    ("ka_revisit_late", "=", False),
                    # no time zone is a day ahead of UTC's: the days are at most
                    ("ka_revisit_due", "<=", fields.Date.today()),
                ]
            )
            .filtered(
                lambda o: fields.Date.context_today(
                    o.with_context(tz=o.ka_revisit_user_id.tz or "UTC")
                )
                > o.ka_revisit_due
            )
        )
        with trusted_write():
            late.write({"ka_revisit_late": True})
