from odoo import models

from ..common.groups import KA_MANAGER
from ..common.groups import KA_USER
from ..common.lang import env_for


class ResUsers(models.Model):
    _inherit = "res.users"

    # ---- archived salespeople: their key accounts go back to the pool ------------
    def write(self, vals):
        leaving = self.filtered("active") if vals.get("active") is False else self
        res = super().write(vals)
        if vals.get("active") is False and leaving:
            leaving._ka_release_key_accounts()
            leaving._ka_hand_over_open_documents()
        return res

    def _ka_release_key_accounts(self):
        """Archived salespeople: their key accounts go back to the pool (a
        manager can then hand them over with the handover wizard)."""
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("user_id", "in", self.ids), ("ka_type_id", "!=", False)])
        )
        if partners:
            partners._ka_pool_move(
                self.env["res.users"],
                "handover",
                reason=self.env._("The salesperson's user was archived."),
            )

    # ---- archived salespeople: their open documents ---------------------------------
    def _ka_hand_over_open_documents(self):
        """The open documents of archived salespeople (the handover hook of
        each capability, on any account): the requests nobody will carry out
        (not yet approved) are cancelled, the others (approved requests, plans,
        reviews to comment) go to their successor in each company, with a note
        in their chatter. As superuser: archiving was checked by the ORM."""
        Partner = self.env["res.partner"]
        for user in self:
            for records in Partner._ka_handover_open_documents(None, user):
                records = records.sudo()
                withdrawn = records.filtered(
                    lambda r: r.state in r._ka_cancelled_without_owner
                )
                if withdrawn:
                    withdrawn.action_cancel()
                    withdrawn._message_log_batch(
                        bodies=dict.fromkeys(
                            withdrawn.ids,
                            self.env._(
                                "Cancelled: its owner %(user)s was archived, "
                                "nobody will carry it out.",
                                user=user.name,
                            ),
                        )
                    )
                for company, kept in (
                    (records - withdrawn).grouped("company_id").items()
                ):
                    successor = user._ka_successor(company)
                    if successor:
                        user._ka_give_to_successor(kept, successor)

    def _ka_successor(self, company):
        """Who takes over the open documents of this archived salesperson in
        ``company``: the leader of their sales team, else a Key Account
        manager of the company (an active internal user other than them)."""
        self.ensure_one()

        def fit(user):
            return (
                user.active
                and user != self
                and not user.share
                and company in user.company_ids
            )

        # the memberships were archived with the user: read them all
        memberships = (
            self.env["crm.team.member"]
            .sudo()
            .with_context(active_test=False)
            .search([("user_id", "=", self.id)], order="id")
        )
        for leader in memberships.crm_team_id.user_id:
            if fit(leader) and leader.has_group(KA_USER):
                return leader
        managers = self.env.ref(KA_MANAGER).sudo().users.filtered(fit).sorted("id")
        return managers[:1]

    def _ka_give_to_successor(self, records, successor):
        """``records`` of this archived salesperson go to ``successor``,
        told in their language in each document's chatter."""
        self.ensure_one()
        self.env["res.partner"]._ka_handover_reassign_documents([records], successor)
        body = env_for(self.env, successor)._(
            "%(user)s was archived: %(successor)s takes this over.",
            user=self.name,
            successor=successor.name,
        )
        for record in records:
            record.message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                partner_ids=successor.partner_id.ids,
            )
