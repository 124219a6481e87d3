"""The module's security groups, as ``has_group`` takes them."""

KA_USER = "key_account.group_key_account_user"
KA_APPROVER = "key_account.group_key_account_approver"
KA_MANAGER = "key_account.group_key_account_manager"
KA_GIFT_KEEPER = "key_account.group_key_account_gift_keeper"
KA_ASSISTANT = "key_account.group_key_account_assistant"
KA_PLANNER = "key_account.group_key_account_planner"
KA_ANALYST = "key_account.group_key_account_analyst"
