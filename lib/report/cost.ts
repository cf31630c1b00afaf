/**
 * What each pool costs per hour and per month at its maximum size, with the source of every price
 * (lib/lookups/prices.ts looks them up).
 */
import type { CapacityPlan } from "../plan";
import { type Price, type PriceSource, type PriceWanted, priceKey } from "../lookups/prices";

/** AWS bills EC2 per hour; a month is taken as 730 hours, as in AWS's own calculator. */
const HOURS_PER_MONTH = 730;

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

/** The prices the report needs: every market a pool's MachineSets use (a spot pool's on-demand fallback needs the on-demand price too). */
export function pricesWanted(plan: CapacityPlan): Map<string, PriceWanted> {
    return new Map(
        plan.pools.flatMap((p) =>
            [p.pool.market, ...p.machineSets.map((m) => m.market)].map(
                (market) => [priceKey(p.pool.instanceType, market), { instanceType: p.pool.instanceType, market }] as const,
            ),
        ),
    );
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
