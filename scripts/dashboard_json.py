#!/usr/bin/env python3
"""Writes the Key Accounts dashboard of key_account_spreadsheet_dashboard
(data/files/key_account_dashboard.json, Odoo 18's spreadsheet format, as the
dashboards of spreadsheet_dashboard_sale are): its data sources (pivots, a
list, charts), its cells and its figures, from the tables below. Run it after
changing them; the JSON is what the module loads.

    python3 scripts/dashboard_json.py

Texts are ``=_t("...")`` formulas, chart titles and filter labels: Odoo's
.pot export extracts them from ``*_dashboard.json`` files under ``data/``,
and the web client translates them (the bridge's i18n/zh_CN.po).
"""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(
    ROOT,
    "key_account_spreadsheet_dashboard",
    "data",
    "files",
    "key_account_dashboard.json",
)

PERIOD = "a1f0c3d2-0001-4b6e-9a10-6b657961636301"
SALESPERSON = "a1f0c3d2-0002-4b6e-9a10-6b657961636302"
ROWS = 10  # rows of each ranked table

GLOBAL_FILTERS = [
    {
        "id": PERIOD,
        "type": "date",
        "label": "Period",
        "defaultValue": "this_quarter",
        "rangeType": "fixedPeriod",
    },
    {
        "id": SALESPERSON,
        "type": "relation",
        "label": "Salesperson",
        "modelName": "res.users",
        "defaultValue": [],
        "defaultValueDisplayNames": [],
        "rangeType": "year",
    },
]


def matching(date=None, date_type="date", user="user_id"):
    """The fields of a data source the global filters apply to."""
    result = {}
    result[PERIOD] = {"chain": date, "type": date_type, "offset": 0} if date else {}
    result[SALESPERSON] = {"chain": user, "type": "many2one"} if user else {}
    return result


ENGAGED = [["state", "not in", ["draft", "refused", "cancelled"]]]

# id: (name, model, domain, rows, columns, measures, sorted measure, matching);
# each pivot costs a read_group per (row prefix, column prefix): the figures
# of the salespeople are measures of one grouping by salesperson
PIVOTS = {
    "1": (
        "Grade mix",
        "key_account.dashboard.account",
        [],
        ["grade_id"],
        [],
        ["__count", "sales_12m"],
        None,
        matching(),
    ),
    "2": (
        "Grade changes",
        "key_account.grade.history",
        [],
        ["new_grade_id"],
        ["old_grade_id"],
        ["__count"],
        None,
        matching("date", "datetime", "partner_id.user_id"),
    ),
    "3": (
        "Pool flows by team",
        "key_account.pool.log",
        [["action", "in", ["claim", "release", "return"]]],
        ["team_id"],
        ["action"],
        ["__count"],
        "__count",
        matching("date", "datetime", "salesperson_id"),
    ),
    "4": (
        "Key accounts by salesperson",
        "key_account.dashboard.account",
        [],
        ["user_id"],
        [],
        [
            "__count",
            "followup_within",
            "followup_overdue",
            "at_risk",
            "owing",
            "receivable_overdue",
            "receivable_open",
        ],
        "receivable_overdue",
        matching(),
    ),
    "5": (
        "Visits",
        "key_account.visit",
        ENGAGED,
        [],
        [],
        ["amount_planned", "amount_approved", "amount_actual"],
        None,
        matching("date_start", "datetime"),
    ),
    "6": (
        "Receptions",
        "key_account.reception",
        ENGAGED,
        [],
        [],
        ["amount_planned", "amount_approved", "amount_actual"],
        None,
        matching("date_start", "datetime"),
    ),
    "7": (
        "Gifts",
        "key_account.gift",
        ENGAGED,
        ["state"],
        [],
        ["amount_planned"],
        None,
        matching("date"),
    ),
    "8": (
        "Targets and commissions",
        "key_account.dashboard.target",
        [],
        ["user_id"],
        [],
        ["target", "sales", "targeted_sales", "commission"],
        "sales",
        matching("month"),
    ),
    "9": (
        "Monthly reports",
        "key_account.monthly.report",
        [],
        ["user_id"],
        ["state", "on_time"],
        ["__count"],
        "__count",
        matching("month"),
    ),
    "10": (
        "Account reviews",
        "key_account.review",
        [],
        ["user_id"],
        ["state", "on_time"],
        ["__count"],
        "__count",
        matching("date_from"),
    ),
}

LISTS = {
    "1": {
        "name": "Accounts at risk",
        "model": "key_account.dashboard.account",
        "domain": [["health_band", "=", "at_risk"]],
        "columns": [
            "partner_id",
            "grade_id",
            "health_score",
            "receivable_overdue",
            "user_id",
            "next_followup_date",
        ],
        "orderBy": [{"name": "health_score", "asc": True}],
        "fieldMatching": matching(),
    }
}


def dimension(name):
    field, _sep, granularity = name.partition(":")
    dim = {"fieldName": field}
    if granularity:
        dim["granularity"] = granularity
        dim["order"] = "asc"
    return dim


def pivots():
    result = {}
    for pid, (name, model, domain, rows, cols, measures, sort, match) in PIVOTS.items():
        result[pid] = {
            "type": "ODOO",
            "fieldMatching": match,
            "context": {},
            "domain": domain,
            "id": pid,
            "measures": [{"id": m, "fieldName": m} for m in measures],
            "model": model,
            "name": name,
            "sortedColumn": (
                {"groupId": [[], []], "measure": sort, "order": "desc"}
                if sort
                else None
            ),
            "formulaId": pid,
            "columns": [dimension(c) for c in cols],
            "rows": [dimension(r) for r in rows],
        }
        if not sort:
            del result[pid]["sortedColumn"]
    for list_id, definition in LISTS.items():
        definition.update(id=list_id, context={})
    return result


# ---- cells ------------------------------------------------------------------------
cells = {}
styles = {}
TITLE, HEADER, NUMBER, FIGURE_HEADER = 1, 2, 3, 4
PERCENT = 1


def t(text):
    return f'=_t("{text}")'


def put(ref, content, style=None):
    cells[ref] = {"content": content}
    if style:
        styles[ref] = style


def title(ref, text):
    put(ref, t(text), TITLE)


def headers(row, first_col, texts, text_columns=()):
    # the first column names the rows; the others head figures, which are
    # aligned right: so are their headers (columns of words, ``text_columns``
    # by their index, stay on the left as their words)
    for i, text in enumerate(texts):
        style = FIGURE_HEADER if i and i not in text_columns else HEADER
        put(f"{chr(ord(first_col) + i)}{row}", t(text), style)


def pv(pid, measure, *args):
    quoted = ",".join(str(a) if isinstance(a, int) else f'"{a}"' for a in args)
    return f'=PIVOT.VALUE({pid},"{measure}"{"," + quoted if quoted else ""})'


def value(pid, measure, *args):
    """A pivot value, 0 when its group is absent."""
    return f"=IFERROR({pv(pid, measure, *args)[1:]},0)"


row = 8
# grade mix (left) and grade changes in the period (right)
title(f"A{row}", "Grade mix")
title(f"E{row}", "Grade changes in the period")
headers(row + 1, "A", ["Grade", "Key accounts", "12-month sales"])
put(f"E{row + 1}", t("New / previous grade"), HEADER)
for j in range(1, 5):
    put(
        f"{chr(ord('E') + j)}{row + 1}",
        f'=PIVOT.HEADER(2,"#old_grade_id",{j})',
        FIGURE_HEADER,
    )
for i in range(1, 6):
    r = row + 1 + i
    put(f"A{r}", f'=PIVOT.HEADER(1,"#grade_id",{i})')
    put(f"B{r}", pv(1, "__count", "#grade_id", i))
    put(f"C{r}", pv(1, "sales_12m", "#grade_id", i))
    put(f"E{r}", f'=PIVOT.HEADER(2,"#new_grade_id",{i})')
    for j in range(1, 5):
        put(
            f"{chr(ord('E') + j)}{r}",
            pv(2, "__count", "#new_grade_id", i, "#old_grade_id", j),
        )
put(f"A{row + 7}", t("Total"), HEADER)
put(f"B{row + 7}", pv(1, "__count"))
put(f"C{row + 7}", pv(1, "sales_12m"))

# pool flows by team (the chart of the weeks is a figure above it)
row = 18
title(f"A{row}", "Pool flows by week")
row = 34
title(f"A{row}", "Pool flows by team")
headers(row + 1, "A", ["Team", "Claims", "Releases", "Returns"])
for i in range(1, ROWS + 1):
    r = row + 1 + i
    put(f"A{r}", f'=PIVOT.HEADER(3,"#team_id",{i})')
    for col, action in (("B", "claim"), ("C", "release"), ("D", "return")):
        put(f"{col}{r}", value(3, "__count", "#team_id", i, "action", action))

# follow-ups within cadence by salesperson
title(f"E{row}", "Follow-ups within cadence")
headers(row + 1, "E", ["Salesperson", "Within cadence", "Overdue"])
for i in range(1, ROWS + 1):
    r = row + 1 + i
    put(f"E{r}", f'=PIVOT.HEADER(4,"#user_id",{i})')
    put(f"F{r}", pv(4, "followup_within", "#user_id", i))
    put(f"G{r}", pv(4, "followup_overdue", "#user_id", i))

# engagement spending against plans
row = 48
title(f"A{row}", "Engagement spending")
headers(row + 1, "A", ["Engagement", "Planned", "Approved", "Actual"])
put(f"A{row + 2}", t("Visits"))
put(f"A{row + 3}", t("Receptions"))
put(f"A{row + 4}", t("Gifts"))
for r, pid in ((row + 2, 5), (row + 3, 6)):
    put(f"B{r}", value(pid, "amount_planned"))
    put(f"C{r}", value(pid, "amount_approved"))
    put(f"D{r}", value(pid, "amount_actual"))
put(f"B{row + 4}", value(7, "amount_planned"))
put(
    f"C{row + 4}",
    "="
    + "+".join(
        value(7, "amount_planned", "state", s)[1:]
        for s in ("approved", "done", "closed")
    ),
)
put(
    f"D{row + 4}",
    "="
    + "+".join(value(7, "amount_planned", "state", s)[1:] for s in ("done", "closed")),
)
put(f"A{row + 5}", t("Total"), HEADER)
for col in "BCD":
    put(f"{col}{row + 5}", f"=SUM({col}{row + 2}:{col}{row + 4})")

# receivables overdue by owner
title(f"E{row}", "Overdue receivables by salesperson")
headers(row + 1, "E", ["Salesperson", "Accounts", "Overdue", "Open"])
for i in range(1, ROWS + 1):
    r = row + 1 + i
    put(f"E{r}", f'=PIVOT.HEADER(4,"#user_id",{i})')
    put(f"F{r}", pv(4, "owing", "#user_id", i))
    put(f"G{r}", pv(4, "receivable_overdue", "#user_id", i))
    put(f"H{r}", pv(4, "receivable_open", "#user_id", i))

# accounts at risk
row = 62
title(f"A{row}", "Accounts at risk")
headers(
    row + 1,
    "A",
    ["Key account", "Grade", "Health", "Overdue", "Salesperson", "Next follow-up"],
    text_columns=(1, 4),
)
for i in range(1, ROWS + 1):
    r = row + 1 + i
    # the salesperson's name in the wide column E
    for col, field in zip("ABCDEF", LISTS["1"]["columns"], strict=True):
        put(f"{col}{r}", f'=ODOO.LIST(1,{i},"{field}")')

# target attainment and commission by salesperson (the months: the chart below)
row = 76
title(f"A{row}", "Target attainment and commission")
headers(row + 1, "A", ["Salesperson", "Target", "Sales", "Attainment", "Commission"])
for i in range(1, ROWS + 1):
    r = row + 1 + i
    put(f"A{r}", f'=PIVOT.HEADER(8,"#user_id",{i})')
    put(f"B{r}", pv(8, "target", "#user_id", i))
    put(f"C{r}", pv(8, "sales", "#user_id", i))
    put(f"D{r}", f'=IFERROR(C{r}/B{r},"")')
    put(f"E{r}", pv(8, "commission", "#user_id", i))
row = 90
title(f"A{row}", "Sales by month")

# the documents: monthly reports and account reviews by state, those done
# by their deadline (on time) or after it (late)
row = 106
title(f"A{row}", "Monthly reports")
headers(row + 1, "A", ["Salesperson", "Submitted", "On time", "Late", "Draft"])
for i in range(1, ROWS + 1):
    r = row + 1 + i
    submitted = ("#user_id", i, "state", "submitted")
    put(f"A{r}", f'=PIVOT.HEADER(9,"#user_id",{i})')
    put(f"B{r}", value(9, "__count", *submitted))
    put(f"C{r}", value(9, "__count", *submitted, "on_time", "true"))
    put(f"D{r}", value(9, "__count", *submitted, "on_time", "false"))
    put(f"E{r}", value(9, "__count", "#user_id", i, "state", "draft"))
row = 120
title(f"A{row}", "Account reviews")
headers(row + 1, "A", ["Salesperson", "Signed", "On time", "Late", "To sign", "Draft"])
for i in range(1, ROWS + 1):
    r = row + 1 + i
    signed = ("#user_id", i, "state", "signed")
    put(f"A{r}", f'=PIVOT.HEADER(10,"#user_id",{i})')
    put(f"B{r}", value(10, "__count", *signed))
    put(f"C{r}", value(10, "__count", *signed, "on_time", "true"))
    put(f"D{r}", value(10, "__count", *signed, "on_time", "false"))
    put(f"E{r}", value(10, "__count", "#user_id", i, "state", "submitted"))
    put(f"F{r}", value(10, "__count", "#user_id", i, "state", "draft"))

# the scorecards' figures
data_cells = {
    "A1": t("Key accounts"),
    "B1": value(1, "__count"),
    "A2": t("At risk"),
    "B2": value(4, "at_risk"),
    "A3": t("Follow-ups overdue"),
    "B3": value(4, "followup_overdue"),
    "A4": t("Overdue receivables"),
    "B4": value(4, "receivable_overdue"),
    "A5": t("Target attainment"),
    # the sales of those who have a target, over their targets
    "B5": f'=IFERROR({value(8, "targeted_sales")[1:]}/{value(8, "target")[1:]},"")',
    "A6": t("Commission"),
    "B6": value(8, "commission"),
}


def scorecard(fid, x, text, key, color, fmt=None):
    return {
        "id": fid,
        "x": x,
        "y": 12,
        "width": 180,
        "height": 106,
        "tag": "chart",
        "data": {
            "baselineColorDown": "#DC6965",
            "baselineColorUp": "#00A04A",
            "baselineMode": "difference",
            "title": {"text": text, "bold": True, "color": "#434343"},
            "type": "scorecard",
            "background": color,
            "keyValue": f"Data!{key}",
            "humanize": True,
        },
    }


def odoo_chart(fid, y, text, kind, model, domain, group_by, measure, match):
    return {
        "id": fid,
        "x": 0,
        "y": y,
        "width": 985,
        "height": 320,
        "tag": "chart",
        "data": {
            "title": {"text": text},
            "background": "#FFFFFF",
            "legendPosition": "top",
            "metaData": {
                "groupBy": group_by,
                "measure": measure,
                "order": None,
                "resModel": model,
                "mode": kind,
            },
            "searchParams": {
                "comparison": None,
                "context": {},
                "domain": domain,
                "groupBy": group_by,
                "orderBy": [],
            },
            "type": f"odoo_{kind}",
            "verticalAxisPosition": "left",
            "stacked": True,
            "fieldMatching": match,
        },
    }


FIGURES = [
    scorecard("ka-score-accounts", 0, "Key accounts", "B1", "#EFF6FF"),
    scorecard("ka-score-risk", 190, "At risk", "B2", "#FEF2F2"),
    scorecard("ka-score-followups", 380, "Follow-ups overdue", "B3", "#FFF7ED"),
    scorecard("ka-score-receivables", 570, "Overdue receivables", "B4", "#FFF7ED"),
    scorecard("ka-score-attainment", 760, "Target attainment", "B5", "#ECFDF5"),
    # rows are 23 px high: the charts sit under their titles
    odoo_chart(
        "ka-chart-pool",
        19 * 23,
        "Claims, releases and returns by week",
        "bar",
        "key_account.pool.log",
        PIVOTS["3"][2],
        ["date:week", "action"],
        "__count",
        matching("date", "datetime", "salesperson_id"),
    ),
    odoo_chart(
        "ka-chart-sales",
        91 * 23,
        "Sales by month",
        "bar",
        "key_account.dashboard.target",
        [],
        ["month:month"],
        "sales",
        matching("month"),
    ),
]


def dashboard():
    return {
        "version": 21,
        "sheets": [
            {
                "id": "ka-sheet-dashboard",
                "name": "Dashboard",
                "colNumber": 9,
                "rowNumber": 134,
                "rows": {},
                "cols": {
                    # 985 px: the sheet fits a laptop's dashboard without a
                    # horizontal scrollbar; A and E hold the names
                    "0": {"size": 170},
                    "1": {"size": 95},
                    "2": {"size": 95},
                    "3": {"size": 95},
                    "4": {"size": 170},
                    "5": {"size": 90},
                    "6": {"size": 90},
                    "7": {"size": 90},
                    "8": {"size": 90},
                },
                "merges": [],
                "cells": cells,
                "styles": styles,
                "formats": {"D78:D87": PERCENT},
                "borders": {},
                "conditionalFormats": [],
                "figures": FIGURES,
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "dataValidationRules": [],
                "comments": {},
            },
            {
                "id": "ka-sheet-data",
                "name": "Data",
                "colNumber": 2,
                "rowNumber": 10,
                "rows": {},
                "cols": {"0": {"size": 200}, "1": {"size": 120}},
                "merges": [],
                "cells": {ref: {"content": c} for ref, c in data_cells.items()},
                "styles": {},
                "formats": {"B5": PERCENT},
                "borders": {},
                "conditionalFormats": [],
                "figures": [],
                "tables": [],
                "areGridLinesVisible": True,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "dataValidationRules": [],
                "comments": {},
            },
        ],
        "styles": {
            str(TITLE): {"textColor": "#01666b", "bold": True, "fontSize": 16},
            str(HEADER): {"textColor": "#434343", "bold": True, "fontSize": 11},
            str(FIGURE_HEADER): {
                "textColor": "#434343",
                "bold": True,
                "fontSize": 11,
                "align": "right",
            },
            str(NUMBER): {"textColor": "#434343"},
        },
        "formats": {str(PERCENT): "0%"},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {},
        "pivots": pivots(),
        "pivotNextId": len(PIVOTS) + 1,
        "customTableStyles": {},
        "odooVersion": 12,
        "globalFilters": GLOBAL_FILTERS,
        "lists": LISTS,
        "listNextId": len(LISTS) + 1,
        "chartOdooMenusReferences": {},
    }


if __name__ == "__main__":
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(dashboard(), f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {OUT}")
