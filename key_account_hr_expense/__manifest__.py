{
    "name": "Key Accounts - Expenses",
    "summary": "Claimed visit and reception expenses become approved expense "
    "reports that Finance posts and pays",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "key_account developers",
    "website": "https://example.com/key_account",
    "license": "LGPL-3",
    "depends": ["key_account", "hr_expense"],
    "data": [
        "security/ir.model.access.csv",
        "security/key_account_hr_expense_rules.xml",
        "data/key_account_expense_product_data.xml",
        "views/key_account_expense_product_views.xml",
        "views/key_account_visit_views.xml",
        "views/key_account_reception_views.xml",
        "views/key_account_expense_views.xml",
        "views/hr_expense_sheet_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
