/**
 * EC2 vCPU quota arithmetic: the single source of quota sums for the program's pre-flight check and
 * the `pool-within-quota` policy, over the quota groups of contract.ts. Pure functions, no Pulumi or
 * AWS dependency, so the policy pack stays self-contained and both sides compute the same numbers.
 */
import { type Market, quotaFor, type QuotaRef } from "./contract";

export interface DemandSource {
    source: string;
    instanceType: string;
    market: Market;
    vcpus: number;
    maxMachines: number;
}

interface Contribution extends DemandSource {
    vcpuDemand: number;
}

interface QuotaDemand extends QuotaRef {
    demand: number;
    contributions: Contribution[];
}

export interface QuotaCheck extends QuotaDemand {
    limit: number | undefined;
    headroom: number | undefined;
    exceeded: boolean;
}

/** Sums vCPUs × maximum machines per quota code. Sources of unknown quota groups are returned apart. */
export function quotaDemand(sources: readonly DemandSource[]): { demands: QuotaDemand[]; unmatched: DemandSource[] } {
    const byCode = new Map<string, QuotaDemand>();
    const unmatched: DemandSource[] = [];
    for (const source of sources) {
        const quota = quotaFor(source.instanceType, source.market);
        if (!quota) {
            unmatched.push(source);
            continue;
        }
        const entry = byCode.get(quota.code) ?? { ...quota, demand: 0, contributions: [] };
        const vcpuDemand = source.vcpus * source.maxMachines;
        entry.demand += vcpuDemand;
        entry.contributions.push({ ...source, vcpuDemand });
        byCode.set(quota.code, entry);
    }
    const demands = [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
    return { demands, unmatched };
}

/** Compares each quota's demand with its limit; a missing limit is reported, not treated as a pass. */
export function checkQuotas(demands: readonly QuotaDemand[], limits: Readonly<Record<string, number>>): QuotaCheck[] {
    return demands.map((demand) => {
        const limit = limits[demand.code];
        const headroom = limit === undefined ? undefined : limit - demand.demand;
        return { ...demand, limit, headroom, exceeded: limit !== undefined && demand.demand > limit };
    });
}

/** A readable account of one exceeded quota: code, name, limit, demand and what each source adds. */
export function describeQuotaExcess(check: QuotaCheck): string {
    const lines = check.contributions.map(
        (c) => `    ${c.source}: ${c.instanceType} (${c.vcpus} vCPUs) × ${c.maxMachines} machine(s) = ${c.vcpuDemand} vCPUs`,
    );
    return [
        `${check.code} "${check.name}": maximum demand ${check.demand} vCPUs exceeds the quota of ${check.limit} vCPUs by ${check.demand - (check.limit ?? 0)}:`,
        ...lines,
    ].join("\n");
}
