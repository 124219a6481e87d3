"""What a key account is, in one place.

A key account is a partner with a key-account type that is its own
commercial entity: a company, or a person without a parent company (an
individual customer). A contact of a company (a person with a parent) is
never one: it stays a contact of its company's account.
"""

# the partners that may be key accounts: a company, or a person of their own
ACCOUNT_KIND_DOMAIN = ["|", ("is_company", "=", True), ("parent_id", "=", False)]
# the key accounts, as a domain
KEY_ACCOUNT_DOMAIN = [("ka_type_id", "!=", False), *ACCOUNT_KIND_DOMAIN]
# the same, as the client evaluates a field's domain
KEY_ACCOUNT_DOMAIN_STR = repr(KEY_ACCOUNT_DOMAIN)
# the people of an account ``partner_id`` (a field of the form): the account
# itself when it is a person, its contacts when it is a company
ACCOUNT_PEOPLE_DOMAIN_STR = (
    "['|', ('id', '=', partner_id), ('parent_id', '=', partner_id), "
    "('is_company', '=', False)]"
)
