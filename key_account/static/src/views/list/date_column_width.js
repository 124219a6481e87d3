import { formatDate, formatDateTime } from "@web/core/l10n/dates";
import { patch } from "@web/core/utils/patch";
import {
    listDateField,
    listDateTimeField,
} from "@web/views/fields/datetime/list_datetime_field";

const { DateTime } = luxon;

// Odoo gives date and datetime columns of lists a fixed width made for the
// English formats (web/static/src/views/list/column_width_hook.js: 80 and
// 145 px): a longer format, the Chinese "2026年09月15日" for one, is cut.
// These columns get the width of a date written in the user's own format
// instead, never less than Odoo's.
const ODOO_WIDTHS = { date: 80, datetime: 145 };
// two-digit months, days and hours: as wide as a date of the format gets
const SAMPLE = DateTime.local(2028, 12, 28, 20, 58, 58);
const widths = new Map();
let canvas;

function textWidth(text) {
    // the font of the lists' cells, else of the page
    const fontOf = document.querySelector(".o_list_table") || document.body;
    // (the shorthand "font" of a computed style is often empty)
    const style = getComputedStyle(fontOf);
    const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const key = `${font}|${text}`;
    if (!widths.has(key)) {
        canvas ||= document.createElement("canvas");
        const context = canvas.getContext("2d");
        context.font = font;
        // a few pixels for the rounding of the layout
        widths.set(key, Math.ceil(context.measureText(text).width) + 4);
    }
    return widths.get(key);
}

patch(listDateField, {
    listViewWidth() {
        return Math.max(ODOO_WIDTHS.date, textWidth(formatDate(SAMPLE)));
    },
});

patch(listDateTimeField, {
    listViewWidth() {
        return Math.max(ODOO_WIDTHS.datetime, textWidth(formatDateTime(SAMPLE)));
    },
});
