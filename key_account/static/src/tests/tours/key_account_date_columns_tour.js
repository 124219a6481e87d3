import { registry } from "@web/core/registry";

// A date as a list shows it: 2026年09月15日 (Chinese) or 09/15/2026 (English),
// maybe followed by a time.
const DATE = /^(\d{4}年\d{2}月\d{2}日|\d{2}\/\d{2}\/\d{4})/;

// The list opened by the test (tests/test_tour.py): every date it shows is
// whole in its cell, none cut short ("2026年09…"). Then the test takes a
// screenshot of the list.
registry.category("web_tour.tours").add("key_account_tour_date_columns", {
    steps: () => [
        {
            content: "The list shows its records",
            trigger: ".o_list_renderer .o_data_row",
        },
        {
            content: "No date is cut short",
            trigger: ".o_list_renderer .o_data_row",
            run() {
                const cells = [
                    ...document.querySelectorAll(".o_list_renderer .o_data_row td.o_data_cell"),
                ].filter((cell) => DATE.test(cell.textContent.trim()));
                if (!cells.length) {
                    throw new Error("The list shows no date.");
                }
                // the first cut date of each column
                const cut = new Map();
                for (const cell of cells) {
                    const name = cell.getAttribute("name");
                    if (cell.scrollWidth > cell.clientWidth && !cut.has(name)) {
                        cut.set(
                            name,
                            `${name}: "${cell.textContent.trim()}" needs ${cell.scrollWidth}px, has ${cell.clientWidth}px`
                        );
                    }
                }
                if (cut.size) {
                    throw new Error(`Dates cut short: ${[...cut.values()].join("; ")}`);
                }
                console.log("ka_screenshot");
            },
        },
        {
            content: "The screenshot is taken",
            trigger: "body.o_ka_screenshot_taken",
        },
    ],
});
