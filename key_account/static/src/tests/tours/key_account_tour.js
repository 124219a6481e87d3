import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The account the Python test puts in the pool (tests/test_tour.py).
const ACCOUNT = "Tour Jade River Foods";
// A customer that is not a key account (tests/test_tour.py): its form, the
// partner form without the module's figures, is timed against the account's.
const PLAIN = "Tour Plain Paper Mill";
// A kanban card of anything else: none may be left once the search applies.
const OTHER_RECORD = `.o_kanban_record:not(.o_kanban_ghost):not(:contains("${ACCOUNT}"))`;

function openMenuSteps(sectionXmlid, menuXmlid, description) {
    return [
        {
            content: "Open the menu section",
            trigger: `.o_menu_sections [data-menu-xmlid="${sectionXmlid}"]`,
            run: "click",
        },
        {
            content: description,
            trigger: `.dropdown-item[data-menu-xmlid="${menuXmlid}"]`,
            run: "click",
        },
    ];
}

// A salesperson claims the account from the public pool, plans a visit to it
// with a small budget, and submits the visit for approval.
registry.category("web_tour.tours").add("key_account_tour_salesperson", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("key_account.key_account_menu_root", "Open Key Accounts"),
        ...openMenuSteps(
            "key_account.key_account_menu_accounts",
            "key_account.res_partner_menu_pool",
            "Open the public pool"
        ),
        {
            content: "Search the pool for the account",
            trigger: ".o_kanban_view .o_searchview_input",
            run: `edit ${ACCOUNT}`,
        },
        {
            content: "Search by name",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The pool shows the account only",
            trigger: `.o_searchview_facet:contains("${ACCOUNT}")`,
        },
        {
            content: "Claim the account",
            trigger: `.o_kanban_renderer:not(:has(${OTHER_RECORD})) .o_kanban_record:contains("${ACCOUNT}") button[name="action_ka_claim"]`,
            run: "click",
        },
        {
            content: "The account has left the pool",
            trigger: `.o_kanban_view:not(:has(.o_kanban_record:contains("${ACCOUNT}")))`,
        },
        ...openMenuSteps(
            "key_account.key_account_menu_accounts",
            "key_account.res_partner_menu_my_key_accounts",
            "Open my key accounts"
        ),
        {
            content: "Open the claimed account's form (its load time is logged)",
            trigger: `.o_list_view .o_data_row .o_data_cell[name=name]:contains("${ACCOUNT}")`,
            async run(helpers) {
                window.kaFormOpenedAt = performance.now();
                await helpers.click();
            },
        },
        {
            content: "The form shows the account and its stat buttons (the engagement ones under More)",
            trigger: `.o_form_view:has(button[name=action_ka_grade_history]) .o_field_widget[name=name] input:value("${ACCOUNT}")`,
            run() {
                window.kaFormMs = Math.round(performance.now() - window.kaFormOpenedAt);
                console.log(`key account form loaded in ${window.kaFormMs} ms`);
            },
        },
        {
            content: "Open the Account Plan tab (its progress is read only now)",
            trigger: '.o_notebook .nav-link[name="key_account_team"]',
            run: "click",
        },
        {
            content: "The tab shows the current plan's objectives and progress",
            trigger:
                '.o_ka_plan_progress:has(.o_ka_plan_objective:contains("Tour sales objective")) .o_ka_plan_total:contains("%")',
        },
        ...stepUtils.goToAppSteps("sale.sale_menu_root", "Open Sales"),
        ...openMenuSteps("sale.sale_order_menu", "sale.res_partner_menu", "Open the customers"),
        {
            content: "Search the customers for the plain one",
            trigger: ".o_kanban_view .o_searchview_input",
            run: `edit ${PLAIN}`,
        },
        {
            content: "Search by name",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the plain customer's form (its load time is logged)",
            trigger: `.o_kanban_renderer:not(:has(.o_kanban_record:not(.o_kanban_ghost):not(:contains("${PLAIN}")))) .o_kanban_record:contains("${PLAIN}")`,
            async run(helpers) {
                window.kaPlainOpenedAt = performance.now();
                await helpers.click();
            },
        },
        {
            content: "The form shows the plain customer",
            trigger: `.o_form_view .o_field_widget[name=name] input:value("${PLAIN}")`,
            run() {
                const ms = Math.round(performance.now() - window.kaPlainOpenedAt);
                const ratio = (window.kaFormMs / ms).toFixed(2);
                console.log(
                    `plain customer form loaded in ${ms} ms; key account form ` +
                        `${window.kaFormMs} ms: ratio ${ratio}`
                );
            },
        },
        ...stepUtils.goToAppSteps("key_account.key_account_menu_root", "Back to Key Accounts"),
        ...openMenuSteps(
            "key_account.key_account_menu_engagement",
            "key_account.key_account_visit_menu",
            "Open the visits"
        ),
        {
            content: "Plan a new visit",
            trigger: ".o-kanban-button-new",
            run: "click",
        },
        {
            content: "Choose the key account",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: `edit ${ACCOUNT}`,
        },
        {
            content: "Pick it in the list",
            trigger: `.o_field_widget[name=partner_id] .o-autocomplete--dropdown-menu li:contains("${ACCOUNT}")`,
            run: "click",
        },
        {
            content: "Visit by phone",
            trigger: ".o_field_widget[name=method] select",
            run: 'select "phone"',
        },
        {
            content: "Say why",
            trigger: ".o_field_widget[name=purpose] textarea",
            run: "edit Present the new product range",
        },
        {
            content: "Open the planned budget",
            trigger: '.o_notebook .nav-link[name="planned_line_ids"]',
            run: "click",
        },
        {
            content: "Add a budget line",
            trigger: ".o_field_widget[name=planned_line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Describe the expense",
            trigger: ".o_field_widget[name=planned_line_ids] .o_selected_row [name=name] input",
            run: "edit Business lunch",
        },
        {
            content: "Its amount",
            trigger: ".o_field_widget[name=planned_line_ids] .o_selected_row [name=amount] input",
            run: "edit 800",
        },
        {
            content: "Submit the visit for approval",
            trigger: '.o_statusbar_buttons button[name="action_submit"]',
            run: "click",
        },
        {
            content: "The visit waits for its approval",
            trigger:
                '.o_field_widget[name=state] button.o_arrow_button_current[data-value="submitted"]',
        },
    ],
});

// The manager finds the submitted visit and approves it.
registry.category("web_tour.tours").add("key_account_tour_manager", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("key_account.key_account_menu_root", "Open Key Accounts"),
        ...openMenuSteps(
            "key_account.key_account_menu_engagement",
            "key_account.key_account_visit_menu",
            "Open the visits"
        ),
        {
            content: "Search the visits of the account",
            trigger: ".o_kanban_view .o_searchview_input",
            run: `edit ${ACCOUNT}`,
        },
        {
            content: "Search by key account",
            trigger: '.o_searchview_autocomplete .o_menu_item:contains("Key Account")',
            run: "click",
        },
        {
            content: "Only the visits of the account are shown",
            trigger: `.o_searchview_facet:contains("${ACCOUNT}")`,
        },
        {
            content: "Open the submitted visit",
            trigger: `.o_kanban_renderer:not(:has(${OTHER_RECORD})) .o_kanban_record:contains("${ACCOUNT}")`,
            run: "click",
        },
        {
            content: "Approve it",
            trigger: '.o_statusbar_buttons button[name="action_approve"]',
            run: "click",
        },
        {
            content: "The visit is approved",
            trigger:
                '.o_field_widget[name=state] button.o_arrow_button_current[data-value="approved"]',
        },
    ],
});
