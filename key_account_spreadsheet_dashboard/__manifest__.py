{
    "name": "Key Accounts - Dashboard",
    "summary": "The key-account department's dashboard in Odoo's Dashboards: "
    "grades, pool flows, follow-ups, engagement spending, receivables, accounts "
    "at risk, targets and commissions",
    "version": "18.0.1.1.0",
    "category": "Productivity/Dashboard",
    "author": "key_account developers",
    "website": "https://example.com/key_account",
    "license": "LGPL-3",
    "depends": ["key_account", "spreadsheet_dashboard"],
    "data": [
        "security/ir.model.access.csv",
        "security/key_account_spreadsheet_dashboard_rules.xml",
        "data/spreadsheet_dashboard_data.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "key_account_spreadsheet_dashboard/static/tests/tours/**/*",
        ],
    },
    "auto_install": True,
    "installable": True,
}
