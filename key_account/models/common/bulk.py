"""Rows written by the module's own set-based processes: one INSERT for
many records, stored as ``create`` would store them, without its work record
by record (for thousands of computed records at once)."""

from datetime import date

from odoo.models import LOG_ACCESS_COLUMNS
from odoo.tools import SQL
from odoo.tools import float_repr
from odoo.tools import float_round

PLAIN = (str, int, float, date)


def array_literal(values):
    """``values`` as one PostgreSQL array literal (``{"a","b",NULL}``), or
    None when one of them is not a plain value: one parameter for a whole
    column, rather than an ARRAY of one constant per value, which
    PostgreSQL parses one by one."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        elif isinstance(value, PLAIN) and not isinstance(value, bool):
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            items.append(f'"{text}"')
        else:
            return None
    return "{" + ",".join(items) + "}"


def insert_rows(model, vals_list, currency_of):
    """Insert ``vals_list`` (column fields only) into ``model``'s table with
    one query, as ``create`` stores them: the model's own defaults of the
    fields a row leaves out (read once; not the caller's), values converted
    as each field converts them, monetary amounts rounded to
    ``currency_of(vals)``'s currency (read once per currency). No business
    logic: the caller checked who acts and what is written, and runs as
    superuser. Returns the records, whose dependent fields are marked to
    recompute as after a create.

    :param currency_of: function of a row's values giving its currency id
    """
    assert model.env.su, "insert_rows runs as superuser, after the caller's checks"
    if not vals_list:
        return model.browse()
    stored = {
        fname
        for fname, field in model._fields.items()
        if field.store and field.column_type and fname not in LOG_ACCESS_COLUMNS
    } - {"id"}
    named = {fname for vals in vals_list for fname in vals}
    if named - stored:
        raise ValueError(f"not stored columns: {sorted(named - stored)}")
    # the model's own defaults: neither the caller's default_* context keys
    # nor anybody's ir.default rows land in what the computation writes
    defaults = model._ka_own_defaults(
        [f for f in sorted(stored) if any(f not in vals for vals in vals_list)]
    )
    fnames = sorted(named | (defaults.keys() & stored))
    currencies = {
        currency.id: (currency.rounding, currency.decimal_places)
        for currency in model.env["res.currency"].browse(
            {currency_of(vals) for vals in vals_list} - {None, False}
        )
    }
    columns = {fname: [] for fname in fnames}
    for fname in fnames:
        field = model._fields[fname]
        column = columns[fname]
        has_default = fname in defaults
        default = defaults.get(fname)
        for vals in vals_list:
            if fname not in vals and not has_default:
                # left to the column, as create's INSERT leaves it
                column.append(None)
                continue
            value = vals[fname] if fname in vals else default
            # as the field's convert_to_column_insert, the currency read
            # once per currency, not once per value
            if field.type == "many2one":
                value = value or None
            elif field.type == "integer":
                value = int(value or 0)
            elif field.type == "monetary":
                currency = currencies.get(currency_of(vals))
                value = float(value or 0.0)
                if currency:
                    # currency.round(value), the rounding read once
                    rounding, decimals = currency
                    value = float_repr(
                        float_round(value, precision_rounding=rounding), decimals
                    )
            else:
                value = field.convert_to_column_insert(value, model, vals)
            column.append(value)
    literals = {fname: array_literal(column) for fname, column in columns.items()}
    now = model.env.cr.now()
    model.env.cr.execute(
        SQL(
            """
            INSERT INTO %(table)s (%(columns)s, create_uid, create_date,
                                   write_uid, write_date)
            SELECT %(columns)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(arrays)s) WITH ORDINALITY AS v(%(columns)s, n)
             ORDER BY n
         RETURNING id
            """,
            table=SQL.identifier(model._table),
            columns=SQL(", ").join(SQL.identifier(f) for f in fnames),
            uid=model.env.uid,
            now=now,
            arrays=SQL(", ").join(
                SQL(
                    "%s::%s[]",
                    literals[fname] if literals[fname] is not None else columns[fname],
                    SQL(model._fields[fname].column_type[1]),
                )
                for fname in fnames
            ),
        )
    )
    records = model.browse(sorted(row[0] for row in model.env.cr.fetchall()))
    records.modified(fnames, create=True)
    records._validate_fields(fnames)
    return records
