/** Stack outputs: what each pool can grow to and how much quota headroom is left. */
import type { CapacityConfig } from "../config/types";
import type { LookupFacts } from "../lookups/facts";
import type { CapacityPlan, PoolPlan } from "../plan";
import type { QueueQuotas } from "../plan/kueueQuotas";
import type { CostReport } from "./cost";
import type { TeamsPlan } from "../plan/kueueTeams";

interface PoolReport {
    instanceType: string;
    market: string;
    retired: boolean;
    machineSets: string[];
    maxNodes: number;
    maxGpus: number;
    maxNeuronDevices: number;
    quotaCode: string | null;
    vcpuDemand: number;
    /** Its capacity reservations and their windows; only for pools that have some. */
    reservations?: ReservationReport[];
    /** A MIG pool's layout and the MIG device resources one node advertises. */
    mig?: { profile: string; devicesPerNode: Record<string, number> };
}

interface ReservationReport {
    id: string;
    kind: string;
    zone: string;
    instances: number;
    start: string | null;
    end: string | null;
}

/** The pool's reservations as the report and the summary show them. */
export function reservationReports(plan: PoolPlan): ReservationReport[] {
    return plan.machineSets.flatMap((m) =>
        m.reservation
            ? [
                  {
                      id: m.reservation.id,
                      kind: m.reservation.kind,
                      zone: m.reservation.availabilityZone,
                      instances: m.reservation.instanceCount,
                      start: m.reservation.startDate ?? null,
                      end: m.reservation.endDate ?? null,
                  },
              ]
            : [],
    );
}

interface QuotaReport {
    name: string;
    limit: number | null;
    /** This stack at its maximum size. */
    demand: number;
    headroom: number | null;
    /** In use outside this stack now; null when unknown. */
    usedOutside: number | null;
    /** This stack at its desired size. */
    desired: number;
    /** Limit − used outside − this stack's maximum; null when usage is unknown. */
    headroomNow: number | null;
}

interface CapacityReport {
    cluster: string;
    lookups: string;
    awsAccountId: string | null;
    renderDirectory: string | null;
    pools: Record<string, PoolReport>;
    quotas: Record<string, QuotaReport>;
    /** The ClusterQueue and each flavor's nominal quota, when Kueue is enabled. */
    kueue: {
        clusterQueue: string;
        flavors: Record<string, Record<string, string>>;
        /**
         * Per team: devices (GPUs, MIG devices, Neuron devices) guaranteed, borrowable on top, and
         * what the pools provide; the same per device resource.
         */
        teams?: Record<
            string,
            {
                guaranteedDevices: number;
                borrowableDevices: number;
                poolDevices: number;
                guaranteedByResource: Record<string, number>;
                poolByResource: Record<string, number>;
            }
        >;
    } | null;
    cost: CostReport;
}

export function capacityReport(
    config: CapacityConfig,
    facts: LookupFacts,
    plan: CapacityPlan,
    cost: CostReport,
    kueue?: { quotas: QueueQuotas; teams?: TeamsPlan },
): CapacityReport {
    return {
        cluster: config.cluster.name,
        lookups: config.lookups,
        awsAccountId: facts.accountId ?? null,
        renderDirectory: config.renderDirectory ?? null,
        pools: Object.fromEntries(plan.pools.map((p) => [p.pool.name, poolReport(p)])),
        quotas: Object.fromEntries(
            plan.quotas.map((q) => [
                q.code,
                quotaReport(
                    q,
                    plan.usage.find((u) => u.code === q.code),
                ),
            ]),
        ),
        kueue: kueue ? kueueReport(config.kueue.clusterQueue, kueue.quotas, kueue.teams) : null,
        cost,
    };
}

/** What a pool can grow to, and what it asks of its quota. */
export function poolReport(p: PoolPlan): PoolReport {
    return {
        instanceType: p.pool.instanceType,
        market: p.pool.market,
        retired: p.pool.retired,
        machineSets: p.machineSets.map((m) => m.name),
        maxNodes: p.maxNodes,
        maxGpus: p.maxGpus,
        maxNeuronDevices: p.maxNeuronDevices,
        quotaCode: p.quota?.code ?? null,
        vcpuDemand: p.vcpuDemand,
        ...(p.pool.capacityReservations.length > 0 && { reservations: reservationReports(p) }),
        ...(p.pool.mig && { mig: { profile: p.pool.mig.profile, devicesPerNode: p.gpuResourcesPerNode } }),
    };
}

/**
 * A quota's limit, this stack's demand and headroom at its maximum size, and with its usage (when
 * known) what is left now: the limit less what is used outside the stack and the stack's maximum.
 */
export function quotaReport(q: CapacityPlan["quotas"][number], usage: CapacityPlan["usage"][number] | undefined): QuotaReport {
    return {
        name: q.name,
        limit: q.limit ?? null,
        demand: q.demand,
        headroom: q.headroom ?? null,
        usedOutside: usage?.usedOutside ?? null,
        desired: usage?.desired ?? 0,
        headroomNow: usage?.freeNow === undefined ? null : usage.freeNow - q.demand,
    };
}

/** The ClusterQueue and each flavor's nominal quota; with teams, what each team is guaranteed and may borrow. */
function kueueReport(clusterQueue: string, quotas: QueueQuotas, teams: TeamsPlan | undefined): CapacityReport["kueue"] {
    return {
        clusterQueue,
        flavors: Object.fromEntries(quotas.flavors.map((f) => [f.flavor, f.nominalQuota])),
        ...(teams && {
            teams: Object.fromEntries(
                teams.teams.map((t) => [
                    t.team.name,
                    {
                        guaranteedDevices: t.guaranteedDevices,
                        borrowableDevices: t.borrowableDevices,
                        poolDevices: teams.poolDevices,
                        guaranteedByResource: t.guaranteedByResource,
                        poolByResource: teams.poolByResource,
                    },
                ]),
            ),
        }),
    };
}
