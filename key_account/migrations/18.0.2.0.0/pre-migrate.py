"""Key accounts' grades, locks and sales figures become company-dependent.

Odoo would convert the columns with ``ALTER ... TYPE jsonb USING col::jsonb``,
which PostgreSQL refuses for integers, numbers, dates and booleans (and the
grade's foreign key could not stay on a jsonb column): the upgrade would
abort. The columns are converted here, before the module's models load.

- ``ka_grade_id`` and ``ka_grade_locked``: the one grade (and lock) becomes
  the value of every company the account belongs to: its own company, or for
  a shared account the grade's company, or every company when the grade is
  shared. The re-grading of post-migrate.py then grades each company from
  its own orders (locked grades stay).
- ``ka_sales_12m`` and ``ka_last_order_date`` summed every company's orders:
  they are emptied and refilled per company by post-migrate.py.
"""

import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists
from odoo.tools.sql import drop_depending_views

_logger = logging.getLogger(__name__)

# column -> the value (an expression on the legacy row ``p``) each company of
# the account gets; None: emptied, refilled after the upgrade
COLUMNS = {
    "ka_grade_id": SQL("p.ka_grade_id"),
    "ka_grade_locked": SQL("CASE WHEN p.ka_grade_locked THEN TRUE END"),
    "ka_sales_12m": None,
    "ka_last_order_date": None,
}


def _column_type(cr, table, column):
    cr.execute(
        SQL(
            """SELECT udt_name FROM information_schema.columns
                WHERE table_name = %s AND column_name = %s""",
            table,
            column,
        )
    )
    row = cr.fetchone()
    return row and row[0]


def _drop_constraints_and_indexes(cr, table, column):
    """Foreign keys and indexes on ``column`` (Odoo creates the indexes of
    the company-dependent column again; it has no foreign key)."""
    cr.execute(
        SQL(
            """SELECT con.conname FROM pg_constraint con
                 JOIN pg_attribute a ON a.attrelid = con.conrelid
                                    AND a.attnum = ANY(con.conkey)
                WHERE con.conrelid = %s::regclass AND con.contype = 'f'
                  AND a.attname = %s""",
            table,
            column,
        )
    )
    for (name,) in cr.fetchall():
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(table),
                SQL.identifier(name),
            )
        )
        cr.execute(
            SQL("DELETE FROM ir_model_constraint WHERE name = %s AND type = 'f'", name)
        )
    cr.execute(
        SQL(
            """SELECT DISTINCT i.relname FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN pg_attribute a ON a.attrelid = x.indrelid
                                    AND a.attnum = ANY(x.indkey)
                WHERE x.indrelid = %s::regclass AND a.attname = %s
                  AND NOT x.indisprimary""",
            table,
            column,
        )
    )
    for (name,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))


def convert_to_company_dependent(cr, table="res_partner"):
    """Convert the legacy (one value for all companies) columns of ``table``
    to company-dependent jsonb ``{"<company id>": value}`` columns; columns
    already converted are left alone.

    :return: the names of the converted columns
    """
    legacy = [
        column
        for column in COLUMNS
        if column_exists(cr, table, column)
        and _column_type(cr, table, column) != "jsonb"
    ]
    # the companies of an account: its own, else its grade's, else all
    grade_company = (
        SQL("(SELECT g.company_id FROM key_account_grade g WHERE g.id = p.ka_grade_id)")
        if "ka_grade_id" in legacy
        else SQL("NULL::int")
    )
    # a type change cannot read other tables: the values are built in new
    # columns first (from the legacy ones), which then take their place
    for column in legacy:
        value = COLUMNS[column]
        if value is None:
            continue
        cr.execute(
            SQL(
                "ALTER TABLE %s ADD COLUMN %s jsonb",
                SQL.identifier(table),
                SQL.identifier(f"{column}_ka_cd"),
            )
        )
        cr.execute(
            SQL(
                """
                UPDATE %(table)s p
                   SET %(new)s = (
                       SELECT jsonb_object_agg(c.id::text, %(value)s)
                         FROM res_company c
                        WHERE c.id = COALESCE(p.company_id, %(grade_company)s, c.id))
                 WHERE %(value)s IS NOT NULL
                """,
                table=SQL.identifier(table),
                new=SQL.identifier(f"{column}_ka_cd"),
                value=value,
                grade_company=grade_company,
            )
        )
    for column in legacy:
        _drop_constraints_and_indexes(cr, table, column)
        drop_depending_views(cr, table, column)
        if COLUMNS[column] is None:
            cr.execute(
                SQL(
                    "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT, "
                    "ALTER COLUMN %s TYPE jsonb USING NULL",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    SQL.identifier(column),
                )
            )
            continue
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP COLUMN %s",
                SQL.identifier(table),
                SQL.identifier(column),
            )
        )
        cr.execute(
            SQL(
                "ALTER TABLE %s RENAME COLUMN %s TO %s",
                SQL.identifier(table),
                SQL.identifier(f"{column}_ka_cd"),
                SQL.identifier(column),
            )
        )
    return legacy


def reload_record_rules(cr):
    """This version tightens record rules shipped in ``noupdate`` data
    (approvers and gift keepers read requests without editing them, Finance
    reads settlements...), which an upgrade never rewrites: delete the
    module's rules, so that the upgrade creates them again as shipped. Rules
    changed by hand are reset; rules added by hand stay."""
    cr.execute(
        SQL(
            """WITH data AS (
                   DELETE FROM ir_model_data
                    WHERE module = 'key_account' AND model = 'ir.rule'
                RETURNING name, res_id
               ), rules AS (
                   DELETE FROM ir_rule WHERE id IN (SELECT res_id FROM data)
               )
               SELECT name FROM data"""
        )
    )
    return [row[0] for row in cr.fetchall()]


def migrate(cr, version):
    reloaded = reload_record_rules(cr)
    if reloaded:
        _logger.info("key_account: %s record rules reloaded", len(reloaded))
    converted = convert_to_company_dependent(cr)
    if converted:
        _logger.info("key_account: %s made company-dependent", ", ".join(converted))
