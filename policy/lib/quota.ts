/**
 * EC2 vCPU quota rules: the single source of quota logic for the program's pre-flight check and the
 * `pool-within-quota` policy. Pure functions, no Pulumi or AWS dependency, so the policy pack stays
 * self-contained and both sides compute the same numbers.
 */

export type Market = "on-demand" | "spot";

export interface QuotaRef {
    code: string;
    name: string;
}

interface QuotaGroup {
    group: string;
    prefixes: readonly string[];
    onDemand: QuotaRef;
    spot: QuotaRef;
}

/** A quota group whose Service Quotas names follow EC2's pattern; `label` as the names spell the group. */
function quotaGroup(group: string, prefixes: readonly string[], onDemandCode: string, spotCode: string, label = group): QuotaGroup {
    return {
        group,
        prefixes,
        onDemand: { code: onDemandCode, name: `Running On-Demand ${label} instances` },
        spot: { code: spotCode, name: `All ${label} Spot Instance Requests` },
    };
}

/** EC2 instance quota groups (Service Quotas, service code `ec2`), counted in vCPUs per region. */
const QUOTA_GROUPS: readonly QuotaGroup[] = [
    quotaGroup(
        "Standard",
        ["a", "c", "d", "h", "i", "m", "r", "t", "z"],
        "L-1216C47A",
        "L-34B43A08",
        "Standard (A, C, D, H, I, M, R, T, Z)",
    ),
    quotaGroup("G and VT", ["g", "vt"], "L-DB2E81BA", "L-3819A6DF"),
    quotaGroup("P", ["p"], "L-417A185B", "L-7212CCBC"),
    quotaGroup("Inf", ["inf"], "L-1945791B", "L-B5D1601B"),
    quotaGroup("Trn", ["trn"], "L-2C3B7624", "L-6B0D517C"),
    quotaGroup("DL", ["dl"], "L-6E869C2A", "L-85EED4F7"),
];

const PREFIXES_LONGEST_FIRST = QUOTA_GROUPS.flatMap((group) => group.prefixes.map((prefix) => ({ prefix, group }))).sort(
    (a, b) => b.prefix.length - a.prefix.length,
);

/** The quota group of an instance type, matching the longest prefix of its family (`inf` before `i`). */
export function quotaGroupOf(instanceType: string): QuotaGroup | undefined {
    const family = instanceType.split(".")[0].toLowerCase();
    return PREFIXES_LONGEST_FIRST.find(({ prefix }) => family.startsWith(prefix))?.group;
}

/** The quota an instance type counts against in a market, or undefined for types outside the known groups. */
export function quotaFor(instanceType: string, market: Market): QuotaRef | undefined {
    const group = quotaGroupOf(instanceType);
    if (!group) {
        return undefined;
    }
    return market === "spot" ? group.spot : group.onDemand;
}

/** The name of a quota code, for messages. */
export function quotaName(code: string): string | undefined {
    for (const group of QUOTA_GROUPS) {
        if (group.onDemand.code === code) return group.onDemand.name;
        if (group.spot.code === code) return group.spot.name;
    }
    return undefined;
}

/** One source of demand: a pool (program) or a MachineSet (policy) at its maximum size. */
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
