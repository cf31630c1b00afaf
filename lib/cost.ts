/**
 * The capacity and cost report: per pool the maximum nodes, GPUs and vCPUs, and what the pool costs
 * per hour and per month at that size, with the source of every price. Prices come from config
 * (`prices`), or with `lookups: aws` from the AWS Price List (On-Demand) and the latest spot price.
 */
import type { CapacityPlan } from "./plan";
import { reservationReports } from "./report";

/** AWS bills EC2 per hour; a month is taken as 730 hours, as in AWS's own calculator. */
const HOURS_PER_MONTH = 730;

type PriceSource = "config" | "aws-pricing" | "aws-spot-price" | "unknown";

export interface Price {
    hourlyUsd: number | null;
    source: PriceSource;
    /** Why a price is unknown. */
    note?: string;
}

interface PoolCost {
    instanceType: string;
    market: string;
    maxNodes: number;
    maxGpus: number;
    maxVcpus: number;
    pricePerNodeHourUsd: number | null;
    priceSource: PriceSource;
    maxHourlyUsd: number | null;
    maxMonthlyUsd: number | null;
}

export interface CostReport {
    pools: Record<string, PoolCost>;
    /** Sums over pools whose price is known; `complete` says whether every pool's is. */
    totalMaxHourlyUsd: number;
    totalMaxMonthlyUsd: number;
    complete: boolean;
}

/** Key of a price: spot and On-Demand prices of one type differ. */
export function priceKey(instanceType: string, market: string): string {
    return `${instanceType}/${market}`;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

export function costReport(plan: CapacityPlan, prices: ReadonlyMap<string, Price>): CostReport {
    let hourly = 0;
    let complete = true;
    const pools: Record<string, PoolCost> = {};
    for (const p of plan.pools) {
        const priceOf = (market: string): Price =>
            prices.get(priceKey(p.pool.instanceType, market)) ?? { hourlyUsd: null, source: "unknown" as const };
        const price = priceOf(p.pool.market);
        // Each MachineSet at its own market's price: a spot pool's on-demand fallback costs on-demand.
        let maxHourly: number | null = price.hourlyUsd === null ? null : 0;
        for (const machineSet of p.machineSets.filter((m) => m.maxMachines > 0)) {
            const usd = priceOf(machineSet.market).hourlyUsd;
            maxHourly = maxHourly === null || usd === null ? null : maxHourly + usd * machineSet.maxMachines;
        }
        if (maxHourly === null) complete = false;
        else hourly += maxHourly;
        pools[p.pool.name] = {
            instanceType: p.pool.instanceType,
            market: p.pool.market,
            maxNodes: p.maxNodes,
            maxGpus: p.maxGpus,
            maxVcpus: p.vcpuDemand,
            pricePerNodeHourUsd: price.hourlyUsd,
            priceSource: price.source,
            maxHourlyUsd: maxHourly === null ? null : cents(maxHourly),
            maxMonthlyUsd: maxHourly === null ? null : cents(maxHourly * HOURS_PER_MONTH),
        };
    }
    return { pools, totalMaxHourlyUsd: cents(hourly), totalMaxMonthlyUsd: cents(hourly * HOURS_PER_MONTH), complete };
}

/** The On-Demand hourly USD price in an AWS Price List product document. */
export function onDemandHourlyUsd(productJson: string): number | undefined {
    const product = JSON.parse(productJson) as {
        terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }> };
    };
    for (const term of Object.values(product.terms?.OnDemand ?? {})) {
        for (const dimension of Object.values(term.priceDimensions ?? {})) {
            const usd = Number(dimension.pricePerUnit?.USD);
            if (dimension.unit === "Hrs" && Number.isFinite(usd)) return usd;
        }
    }
    return undefined;
}

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
