import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The individual client the manager makes a key account (tests/test_tour.py
// checks what was stored).
const PERSON = "Tour Wu Jiayi";
// The request a salesperson sends to the assistant, who marks it done.
const REQUEST = "Tour gift list for the wedding of Wu Jiayi's son";
const REPORT = "key_account.report_customer_file";
const REPORT_HANDLER = "key_account_tour_customer_file";
// a stored record without unsaved changes
const SAVED =
    ".o_form_status_indicator:not(.o_form_status_indicator_new_record) .o_form_status_indicator_buttons.invisible";

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

function editStep(field, value, content, tag = "input") {
    return {
        content,
        trigger: `.o_form_view .o_field_widget[name=${field}] ${tag}`,
        run: `edit ${value}`,
    };
}

function selectStep(field, value, content) {
    return {
        content,
        trigger: `.o_form_view .o_field_widget[name=${field}] select`,
        run: `select "${value}"`,
    };
}

// The manager makes an individual client a key account from Key Accounts >
// New, fills the person's file in the Key Account tab, saves, opens the
// Account Plan tab and the account's team, and prints the customer file form.
registry.category("web_tour.tours").add("key_account_tour_person_account", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("key_account.key_account_menu_root", "Open Key Accounts"),
        ...openMenuSteps(
            "key_account.key_account_menu_accounts",
            "key_account.res_partner_menu_key_account",
            "Open the key accounts"
        ),
        {
            content: "Create a key account",
            trigger: ".o-kanban-button-new",
            run: "click",
        },
        {
            content: "A company by default: switch to a person",
            trigger: '.o_form_view .o_field_widget[name=company_type] input[data-value="person"]',
            run: "click",
        },
        {
            content: "Name the person",
            trigger: '.o_form_view:has(.o_field_widget[name=company_type] input[data-value="person"]:checked) .o_field_widget[name=name] input',
            run: `edit ${PERSON}`,
        },
        {
            content: "Open the Key Account tab",
            trigger: '.o_notebook .nav-link[name="key_account"]',
            run: "click",
        },
        {
            content: "The person's file shows, not the company's",
            trigger:
                ".o_notebook:has(.o_field_widget[name=ka_education]):not(:has(.o_field_widget[name=ka_history])) .o_field_widget[name=ka_type_id] input",
            run: "edit High Value",
        },
        {
            content: "Pick the key-account type",
            trigger: '.o_field_widget[name=ka_type_id] .o-autocomplete--dropdown-menu li:contains("High Value")',
            run: "click",
        },
        {
            content: "Date of birth",
            trigger: ".o_form_view .o_field_widget[name=ka_date_of_birth] input",
            run: "edit 05/12/1985 && click body",
        },
        {
            // the date is in the record and its picker closed before the
            // next field is typed (under load, a late re-render of the date
            // would otherwise reset what was typed after it)
            content: "The date of birth is taken",
            trigger:
                "body:not(:has(.o_datetime_picker)) .o_form_view .o_field_widget[name=ka_date_of_birth] input:value(05/12/1985)",
        },
        editStep("ka_education", "Master of architecture", "Education"),
        {
            content: "The education is taken",
            trigger:
                ".o_form_view .o_field_widget[name=ka_education] input:value(Master of architecture)",
        },
        editStep("ka_occupation", "Architect", "Occupation"),
        selectStep("ka_marital_status", "married", "Married"),
        editStep("ka_interests", "Ink painting, hiking", "Hobbies", "textarea"),
        editStep("ka_owned_pieces", "3", "The pieces of ours she owns"),
        selectStep("ka_price_sensitivity", "low", "Not sensitive to prices"),
        selectStep("ka_credit_rating", "a", "Credit rating"),
        editStep("ka_strengths", "Our workshop designs her pieces", "Our strengths", "textarea"),
        {
            content: "Save",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "Saved: the breadcrumb names the person",
            trigger: `.o_form_view:has(${SAVED}) .o_last_breadcrumb_item:contains("${PERSON}")`,
        },
        {
            content: "Open the Account Plan tab",
            trigger: '.o_notebook .nav-link[name="key_account_team"]',
            run: "click",
        },
        {
            content: "No plan runs for the new account",
            trigger: '.o_notebook .tab-pane.active:contains("No plan runs today.")',
        },
        {
            content: "The stat buttons (the Team one may be under More)",
            trigger: ".o_form_view .o-form-buttonbox",
            run(helpers) {
                const box = helpers.anchor;
                if (!box.querySelector('button[name="action_ka_team"]')) {
                    return helpers.click(".o_form_view .o-form-buttonbox .o_button_more");
                }
            },
        },
        {
            content: "Open the account's team",
            trigger: 'button[name="action_ka_team"]',
            run: "click",
        },
        {
            content: "The team of the person",
            trigger: `.o_list_view .o_last_breadcrumb_item:contains("Team of ${PERSON}")`,
        },
        {
            content: "Back to the person",
            trigger: `.o_breadcrumb .o_back_button a:contains("${PERSON}")`,
            run: "click",
        },
        {
            content: "Open the actions menu (the print handler catches the form's download)",
            trigger: `.o_form_view:has(.o_field_widget[name=name] input:value("${PERSON}")) .o_cp_action_menus i.fa-cog`,
            run(helpers) {
                registry.category("ir.actions.report handlers").add(
                    REPORT_HANDLER,
                    async (action) => {
                        if (action.report_name !== REPORT) {
                            return false;
                        }
                        document.body.dataset.kaReport = `${action.report_name}:${action.context.active_ids}`;
                        return true;
                    },
                    { force: true }
                );
                return helpers.click();
            },
        },
        {
            content: "The print items (in a Print submenu when there are several)",
            trigger: ".o-dropdown--menu .fa-print",
            run(helpers) {
                const item = [...document.querySelectorAll(".o-dropdown--menu .o_menu_item")].find(
                    (el) => el.textContent.includes("Customer File")
                );
                if (!item) {
                    return helpers.click();
                }
            },
        },
        {
            content: "Print the customer file form",
            trigger: '.o-dropdown--menu .o_menu_item:contains("Customer File")',
            run: "click",
        },
        {
            content: "The customer file form of the person is printed",
            trigger: `body[data-ka-report^="${REPORT}:"]`,
            run() {
                console.log(`ka_report ${document.body.dataset.kaReport}`);
                registry.category("ir.actions.report handlers").remove(REPORT_HANDLER);
                delete document.body.dataset.kaReport;
            },
        },
    ],
});

// A salesperson asks the department's assistant for a support task on the
// person's account.
registry.category("web_tour.tours").add("key_account_tour_request", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("key_account.key_account_menu_root", "Open Key Accounts"),
        ...openMenuSteps(
            "key_account.key_account_menu_appraisal",
            "key_account.key_account_request_menu",
            "Open the requests to the assistant"
        ),
        {
            content: "New request",
            trigger: ".o_list_button_add",
            run: "click",
        },
        editStep("name", REQUEST, "Its subject"),
        selectStep("kind", "support", "A support task"),
        selectStep("size", "small", "A small one: due the next day"),
        {
            content: "The assistant",
            trigger: ".o_form_view .o_field_widget[name=assistant_id] input",
            run: "edit Liu Yang",
        },
        {
            content: "Pick her",
            trigger: '.o_field_widget[name=assistant_id] .o-autocomplete--dropdown-menu li:contains("Liu Yang")',
            run: "click",
        },
        {
            content: "The key account",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: `edit ${PERSON}`,
        },
        {
            content: "Pick the person",
            trigger: `.o_field_widget[name=partner_id] .o-autocomplete--dropdown-menu li:contains("${PERSON}")`,
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "Saved: the request is open and due",
            trigger: `.o_form_view:has(${SAVED}) .o_field_widget[name=state] button.o_arrow_button_current[data-value="open"]`,
        },
    ],
});

// The assistant finds the request among hers and marks it done.
registry.category("web_tour.tours").add("key_account_tour_request_done", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("key_account.key_account_menu_root", "Open Key Accounts"),
        ...openMenuSteps(
            "key_account.key_account_menu_appraisal",
            "key_account.key_account_request_menu",
            "Open the requests to the assistant"
        ),
        {
            content: "Open the request",
            trigger: `.o_list_view .o_data_row .o_data_cell[name=name]:contains("${REQUEST}")`,
            run: "click",
        },
        {
            content: "Mark it done",
            trigger: '.o_statusbar_buttons button[name="action_done"]',
            run: "click",
        },
        {
            content: "The request is done",
            trigger: '.o_field_widget[name=state] button.o_arrow_button_current[data-value="done"]',
        },
    ],
});
