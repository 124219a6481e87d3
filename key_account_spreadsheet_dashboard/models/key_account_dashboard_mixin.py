from odoo import api
from odoo import models

GROUP_FIRST = "ka_dashboard_group_first"


class KeyAccountDashboardMixin(models.AbstractModel):
    """The reporting views of the dashboard group their rows first, then
    order the groups.

    ``read_group`` orders its groups by the group-bys, a many2one by its
    model's order: the ORM joins each row to the salesperson (or grade) and
    groups by the name too, and the database, unable to tell how few groups
    that makes, sorts the hundred thousand key accounts by name before
    counting them. Grouped by the ids alone, the groups are then put in the
    many2one's order here: the same groups, in the same order."""

    _name = "key_account.dashboard.mixin"
    _description = "Key Account Dashboard: Group Then Order"

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        groupby = [groupby] if isinstance(groupby, str) else list(groupby or ())
        shown = groupby[:1] if lazy else groupby
        many2ones = [self._fields.get(name) for name in shown]
        if (
            not shown
            or orderby
            or offset
            or limit
            or not all(field and field.type == "many2one" for field in many2ones)
        ):
            return super().read_group(
                domain, fields, groupby, offset, limit, orderby, lazy
            )
        grouping = self.with_context(**{GROUP_FIRST: True})
        rows = super(KeyAccountDashboardMixin, grouping).read_group(
            domain, fields, groupby, lazy=lazy
        )
        ranks = []
        for field in many2ones:
            ids = {row[field.name][0] for row in rows if row[field.name]}
            ordered = (
                self.env[field.comodel_name]
                .sudo()
                .with_context(active_test=False)
                .search([("id", "in", list(ids))])
            )
            ranks.append({record_id: i for i, record_id in enumerate(ordered.ids)})

        def key(row):
            # empty groups last, as the database orders NULLs ascending
            return tuple(
                (1, 0) if not row[field.name] else (0, rank.get(row[field.name][0], 0))
                for field, rank in zip(many2ones, ranks, strict=True)
            )

        return sorted(rows, key=key)

    def _read_group_orderby(self, order, groupby_terms, query):
        if self.env.context.get(GROUP_FIRST):
            # by the group-bys' values, without joining their records
            return super()._read_group_orderby(None, groupby_terms, query)
        return super()._read_group_orderby(order, groupby_terms, query)
