import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The spreadsheet model of the Key Accounts dashboard (its sheets "Data" and
// "Dashboard"), found in the component tree.
function dashboardModel() {
    const todo = [odoo.__WOWL_DEBUG__.root.__owl__];
    while (todo.length) {
        const node = todo.shift();
        const model = node.component?.props?.model;
        if (
            model?.getters?.getSheetIdByName &&
            model.getters.getSheetIdByName("Data") !== undefined &&
            model.getters.getSheetIdByName("Dashboard") !== undefined
        ) {
            return model;
        }
        todo.push(...Object.values(node.children));
    }
    return null;
}

function cellValue(model, sheetName, col, row) {
    const sheetId = model.getters.getSheetIdByName(sheetName);
    return model.getters.getEvaluatedCell({ sheetId, col, row });
}

// Waits until every data source answered, then fails on any cell in error
// and checks the figures the Python test expects (Data sheet: B1 key
// accounts, B2 at risk, B6 commission; the first salesperson of the
// follow-ups table).
async function checkFigures(expected) {
    // the dashboard shown before (another app's) may still be on screen
    // while this one loads: wait for the model that has this one's sheets
    let model = null;
    for (let attempt = 0; attempt < 300 && !model; attempt++) {
        model = dashboardModel();
        if (!model) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
    if (!model) {
        throw new Error("No spreadsheet model of the Key Accounts dashboard");
    }
    const { waitForDataLoaded } = odoo.loader.modules.get("@spreadsheet/helpers/model");
    await waitForDataLoaded(model);
    const errors = [];
    for (const sheetId of model.getters.getSheetIds()) {
        const name = model.getters.getSheetName(sheetId);
        const zone = model.getters.getSheetZone(sheetId);
        for (let row = zone.top; row <= zone.bottom; row++) {
            for (let col = zone.left; col <= zone.right; col++) {
                const cell = model.getters.getEvaluatedCell({ sheetId, col, row });
                if (cell.type === "error") {
                    errors.push(`${name}!${String.fromCharCode(65 + col)}${row + 1}: ${cell.value} ${cell.message || ""}`);
                }
            }
        }
    }
    if (errors.length) {
        throw new Error(`Cells in error: ${errors.slice(0, 20).join("; ")}`);
    }
    const found = {
        accounts: cellValue(model, "Data", 1, 0).value,
        at_risk: cellValue(model, "Data", 1, 1).value,
        commission: cellValue(model, "Data", 1, 5).value,
        salesperson: cellValue(model, "Dashboard", 4, 35).value,
    };
    for (const [key, value] of Object.entries(expected)) {
        if (found[key] !== value) {
            throw new Error(`Dashboard figure ${key}: ${found[key]}, expected ${value} (${JSON.stringify(found)})`);
        }
    }
    document.body.classList.add("o_ka_dashboard_checked");
}

function dashboardSteps(expected) {
    return () => [
        ...stepUtils.goToAppSteps(
            "spreadsheet_dashboard.spreadsheet_dashboard_menu_root",
            "Open the Dashboards"
        ),
        {
            content: "Open the Key Accounts dashboard",
            trigger: '.o_spreadsheet_dashboard_search_panel li[data-name="Key Accounts"]',
            run: "click",
        },
        {
            content: "Its figures are loaded, none in error",
            trigger: '.o_spreadsheet_dashboard_search_panel li.active[data-name="Key Accounts"]',
            run: () => checkFigures(expected),
        },
        {
            content: "The dashboard is shown",
            trigger: "body.o_ka_dashboard_checked .o_spreadsheet_dashboard_action .o-grid",
        },
    ];
}

// The fixture of tests/test_key_account_dashboard.py (DashboardCase): the
// manager sees the three accounts of the first company, Sam his two.
registry.category("web_tour.tours").add("key_account_dashboard_manager", {
    url: "/odoo",
    steps: dashboardSteps({ accounts: 3, at_risk: 2, commission: 30, salesperson: "Sam Salesman" }),
});

registry.category("web_tour.tours").add("key_account_dashboard_salesperson", {
    url: "/odoo",
    steps: dashboardSteps({ accounts: 2, at_risk: 1, commission: 30, salesperson: "Sam Salesman" }),
});
