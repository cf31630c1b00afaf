/** The capacity and cost table the program prints after a preview. */
import type { CostReport } from "./cost";
import type { CapacityPlan } from "../plan";
import { reservationReports } from "./outputs";

const money = (usd: number | null) => (usd === null ? "?" : `$${usd.toFixed(2)}`);

/** The table printed after a preview. */
export function formatSummary(plan: CapacityPlan, cost: CostReport): string {
    const rows = [["pool", "type", "market", "max nodes", "max GPUs", "max vCPUs", "$/node-hour", "source", "max $/hour", "max $/month"]];
    for (const [name, c] of Object.entries(cost.pools)) {
        rows.push([
            name,
            c.instanceType,
            c.market,
            String(c.maxNodes),
            String(c.maxGpus),
            String(c.maxVcpus),
            c.pricePerNodeHourUsd === null ? "?" : `$${c.pricePerNodeHourUsd.toFixed(4)}`,
            c.priceSource,
            money(c.maxHourlyUsd),
            money(c.maxMonthlyUsd),
        ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const table = rows.map((r) =>
        r
            .map((cell, i) => cell.padEnd(widths[i]))
            .join("  ")
            .trimEnd(),
    );
    const quotas = plan.quotas.map(
        (q) => `${q.code} (${q.name}): limit ${q.limit ?? "?"} vCPUs, demand ${q.demand}, headroom ${q.headroom ?? "?"}`,
    );
    const reservations = plan.pools.flatMap((p) =>
        reservationReports(p).map(
            (r) =>
                `${r.id} (${r.kind}, pool ${p.pool.name}, ${p.pool.instanceType}, ${r.zone}): ${r.instances} instance(s), ${r.start ?? "now"} to ${r.end ?? "no end"}`,
        ),
    );
    const total = `Total at maximum size: ${money(cost.totalMaxHourlyUsd)}/hour, ${money(cost.totalMaxMonthlyUsd)}/month${cost.complete ? "" : " (pools with unknown prices not counted)"}.`;
    return [
        "Capacity and cost at maximum size (EC2 instances only; no EBS, data transfer or OpenShift subscription):",
        ...table,
        ...quotas,
        ...reservations,
        total,
    ].join("\n");
}
