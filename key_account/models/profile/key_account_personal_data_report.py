from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import format_date


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
                    f"{record._name}.{fname}"
                    for _title, record, fnames in sections[partner.id]
                    for fname in fnames
                }
                or {"-"}
                for partner in partners
            },
            "subject_export",
            "export",
        )
        today = format_date(self.env, fields.Date.context_today(self))
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners.sudo(),
            "sections": {
                partner_id: [
                    (title, [self._ka_row(record, fname) for fname in fnames])
                    for title, record, fnames in partner_sections
                ]
                for partner_id, partner_sections in sections.items()
            },
            "titles": {
                partner.id: self.env._(
                    "Personal data of %(name)s", name=partner.sudo().name
                )
                for partner in partners
            },
            "as_of": self.env._(
                "What the company keeps about you in its customer files, as "
                "of %(date)s.",
                date=today,
            ),
        }

    @api.model
    def _ka_row(self, record, fname):
        """(label, value, QWeb options) of a field of ``record``: amounts in
        their currency, dates in the reader's format, texts with their line
        breaks, choices by their labels."""
        field = record._fields[fname]
        value = record[fname]
        options = {"widget": "text"}
        if field.type == "monetary":
            options = {"widget": "monetary", "display_currency": record.currency_id}
        elif field.type in ("date", "datetime", "integer", "float"):
            options = {"widget": field.type}
        elif field.type == "selection":
            value = dict(field._description_selection(self.env)).get(value)
        elif field.relational:
            value = ", ".join(value.mapped("display_name"))
        elif field.type != "text":
            value = str(value)
        return field._description_string(self.env), value, options
