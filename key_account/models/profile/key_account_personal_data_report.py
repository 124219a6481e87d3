from odoo import api
from odoo import models


class KeyAccountPersonalDataReport(models.AbstractModel):
    """A person's own customer file and relationship-map entries, exported
    for them on request (Key Account managers), in the reader's language;
    each export is logged."""

    _name = "report.key_account.key_account_personal_data_report"
    _description = "Personal Data of a Person"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        partners._ka_check_personal_data_manager()
        for partner in partners:
            partner._ka_check_person()
        sections = {partner.id: partner._ka_personal_data() for partner in partners}
        self.env["key_account.access.log"]._ka_write(
            {
                (partner.id, "res.partner"): {
                    label for _title, rows in sections[partner.id] for label, _v in rows
                }
                or {"-"}
                for partner in partners
            },
            "subject_export",
            "export",
        )
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners.sudo(),
            "sections": sections,
        }
