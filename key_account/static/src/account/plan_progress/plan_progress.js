import { Component, onMounted, onWillUpdateProps, useState } from "@odoo/owl";
import { formatFloat } from "@web/views/fields/formatters";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/**
 * The current plan's progress in the key account form's Account Plan tab.
 * The form opens without it (the progress computes every objective's actual
 * from sales and spending): the notebook mounts a page's content only when
 * the page is shown, and the figures are read then (res.partner's
 * ka_current_plan_figures).
 */
export class PlanProgress extends Component {
    static template = "key_account.PlanProgress";
    static props = { ...standardWidgetProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ loading: true, plan: false });
        onMounted(() => this.load(this.props.record.resId));
        onWillUpdateProps((next) => {
            if (next.record.resId !== this.props.record.resId) {
                this.load(next.record.resId);
            }
        });
    }

    async load(resId) {
        this.state.loading = true;
        const plan = resId
            ? await this.orm.call("res.partner", "ka_current_plan_figures", [[resId]])
            : false;
        if (resId === this.props.record.resId) {
            Object.assign(this.state, { loading: false, plan });
        }
    }

    percent(value) {
        return formatFloat(value, { digits: [16, 1] });
    }

    width(value) {
        return `width: ${Math.min(Math.max(value, 0), 100)}%`;
    }

    openPlan() {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "key_account.plan",
            res_id: this.state.plan.id,
            views: [[false, "form"]],
        });
    }
}

registry.category("view_widgets").add("ka_plan_progress", { component: PlanProgress });
