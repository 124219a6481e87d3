from odoo import api
from odoo import models
from odoo.exceptions import AccessError

# the last orders printed in the form's "transactions with our company"
FORM_ORDERS = 10


class ReportCustomerFile(models.AbstractModel):
    """The printed customer file (seed 000 form 1, 客户档案表) of key accounts,
    persons and companies: it reads the file, the relationship map and the
    orders with the current user's rules, and refuses an account whose file
    the user may not read."""

    _name = "report.key_account.report_customer_file"
    _description = "Customer File Form"

    @api.model
    def _get_report_values(self, docids, data=None):
        # printed from a contact: the file of its key account
        partners = self.env["res.partner"].browse(docids).exists().commercial_partner_id
        File = self.env["key_account.file"]
        files = File.sudo().search_fetch([("partner_id", "in", partners.ids)], [])
        readable = files.with_env(File.env)._filtered_access("read")
        refused = (files - readable).partner_id
        # no file yet: its owner and the Key Account managers print the blank
        # form to fill; another salesperson does not print the account's
        filed = files.partner_id
        refused |= partners.filtered(
            lambda partner: partner not in filed and not partner.ka_file_access
        )
        if refused:
            raise AccessError(
                self.env._(
                    "%(account)s is not your key account: only those who read its "
                    "customer file can print it.",
                    account=refused[0].display_name,
                )
            )
        file_by_partner = {file.partner_id.id: file for file in readable}
        relations = self.env["key_account.relation"].search(
            [("account_id", "in", partners.ids), ("contact_id.active", "=", True)]
        )
        self._ka_log_print(readable, relations)
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            # no file yet: a blank one, the form to fill by hand
            "files": {
                partner.id: file_by_partner.get(partner.id)
                or File.new({"partner_id": partner.id})
                for partner in partners
            },
            # the last confirmed orders of each account, as the user reads them
            "orders": {
                partner.id: self.env["sale.order"].search(
                    [
                        ("ka_commercial_partner_id", "=", partner.id),
                        ("state", "=", "sale"),
                    ],
                    order="date_order desc, id desc",
                    limit=FORM_ORDERS,
                )
                for partner in partners
            },
            "relations": {
                partner.id: relations.filtered(
                    lambda relation, p=partner: relation.account_id == p
                )
                for partner in partners
            },
        }

    @api.model
    def _ka_log_print(self, files, relations):
        """Printing files and maps is exporting them: logged (one INSERT),
        and counted for the large-export alert."""
        if self.env.su:
            return
        notes = {}
        for records in (files, relations):
            fnames = records._ka_confidential_fields()
            for account_id in set(records._ka_access_accounts().values()):
                notes.setdefault((account_id, records._name), set()).update(fnames)
        if notes:
            self.env["key_account.access.log"]._ka_write(notes, "export", "export")
