/**
 * The capacity plan: what each pool becomes at its maximum size (MachineSets, nodes, GPUs, vCPUs)
 * and how that compares with the EC2 quotas. Pure; the quota arithmetic is the policy pack's.
 */
import type { InstanceSpec } from "../../policy/lib/catalogue";
import { checkQuotas, describeQuotaExcess, QuotaCheck, quotaDemand } from "../../policy/lib/quota";
import type { Autoscaling, CapacityConfig, PoolConfig, ReservationFacts } from "../config/types";
import { CLUSTER_READ, ConfigError, ConfigProblem, problem, QuotaError } from "../errors";
import type { LookupFacts } from "../lookups/facts";
import { withPoolZones } from "../lookups/zones";
import { isReservedOnly, maxMachinesPerZone } from "../config/pool";
import { managesBootImages } from "../openshift";
import { fallbackMachineSetName, machineSetName } from "../naming";
import type { MachineNetwork } from "../lookups/machineNetwork";
import { planReservations, type ReservedMachineSetPlan } from "./reservations";
import { GPU_RESOURCE, type LookupMode, type Market, quotaFor, quotaName, QuotaRef } from "../../policy/lib/contract";
import { MigConfigLayouts, migDeviceResource, migDevicesPerGpu, MigGpu, migGpuOf, migPartedConfig } from "./mig";

export interface MachineSetPlan {
    name: string;
    zone: string;
    replicas: number;
    /** Its MachineAutoscaler's bounds; none for a fixed size, a retired pool or a reservation not yet active. */
    autoscaling?: Autoscaling;
    /** The most machines it can have. */
    maxMachines: number;
    /** The capacity reservation it launches into; its machines count against the reservation, not a quota. */
    reservation?: ReservationFacts;
    /** How its machines are bought: the pool's market, on-demand for its fallback and its reservations. */
    market: Market;
    /** Its reservation has ended: Pulumi takes spec.replicas back from the autoscaler, to 0. */
    reservationEnded?: boolean;
    /** Where its machines attach; undefined on plain Kubernetes, which renders no MachineSets. */
    network?: MachineNetwork;
}

export interface PoolPlan {
    pool: PoolConfig;
    spec: InstanceSpec;
    /** The EC2 quota the pool counts against; none on plain Kubernetes, whose pools are existing nodes. */
    quota?: QuotaRef;
    amiId: string;
    /**
     * Whether Pulumi leaves the MachineSets' AMI alone after creating them: from OpenShift 4.19 the
     * cluster rewrites it itself (boot-image management), whatever set it first, so re-setting it
     * would fight the cluster on every `up`. `ami.managedByCluster` overrides.
     */
    ignoreAmiDrift: boolean;
    machineSets: MachineSetPlan[];
    /** Machines per zone at the pool's maximum size. */
    maxMachinesPerZone: number;
    maxNodes: number;
    maxGpus: number;
    /** A MIG pool's GPU model and devices per GPU, from its layout (lib/plan/mig.ts). */
    migGpu?: MigGpu;
    migDevicesPerGpu?: Record<string, number>;
    /** The NVIDIA extended resources one node advertises (gpuResourcesPerNode). */
    gpuResourcesPerNode: Record<string, number>;
    /** nvidia.com/gpu the nodes advertise at maximum size: GPUs × time-slicing replicas, or MIG devices under `single`. */
    maxAllocatableGpus: number;
    maxNeuronDevices: number;
    vcpuDemand: number;
}

/** One quota against what is in use now: the stack at its desired and maximum size, the rest of the account. */
interface QuotaUsage {
    code: string;
    limit?: number;
    /** vCPUs in use outside this stack now; undefined when unknown (offline without `usage`). */
    usedOutside?: number;
    /** This stack at its desired size (replicas, or the autoscalers' minimum) and at its maximum. */
    desired: number;
    maximum: number;
    /** What is free for this stack now: limit − used outside. */
    freeNow?: number;
}

export interface CapacityPlan {
    pools: PoolPlan[];
    quotas: QuotaCheck[];
    usage: QuotaUsage[];
    /** What the run should say but not stop on (reservations ending soon, capped, not started). */
    warnings: string[];
    /** With a custom MIG layout: the mig-parted config of every MIG pool's layout (lib/plan/mig.ts). */
    migPartedConfig?: string;
}

/**
 * The NVIDIA extended resources one node advertises: its GPUs times the time-slicing replicas, or
 * its MIG devices (per GPU, times the GPUs) under the names of the cluster's MIG strategy.
 */
export function gpuResourcesPerNode(pool: PoolConfig, spec: InstanceSpec, migDevices?: Record<string, number>): Record<string, number> {
    if (pool.accelerator !== "nvidia") return {};
    if (!pool.mig || !migDevices) return { [GPU_RESOURCE]: spec.gpus * (pool.timeSlicing ?? 1) };
    const resources: Record<string, number> = {};
    for (const [device, count] of Object.entries(migDevices)) {
        const resource = migDeviceResource(device, pool.mig.strategy);
        resources[resource] = (resources[resource] ?? 0) + count * spec.gpus;
    }
    return resources;
}

/** What planning one pool takes besides the pool: the config around it, the lookups' facts, the moment reservations are judged at. */
export interface PoolPlanContext {
    config: Pick<CapacityConfig, "cluster" | "lookups" | "reservationWarningDays">;
    facts: Pick<LookupFacts, "instanceSpecs" | "amis" | "networks" | "reservations">;
    now: Date;
}

/** A plan step's answer with the problems it found (in the order users read them) and its warnings. */
interface Planned {
    problems: ConfigProblem[];
    warnings: string[];
}

/** Whether the instance type carries the pool's accelerator: NVIDIA GPUs for an nvidia pool, Neuron devices for a neuron pool. */
export function acceleratorProblems(pool: PoolConfig, index: number, spec: InstanceSpec, lookups: LookupMode): ConfigProblem[] {
    const at = ["pools", index, "instanceType"];
    const problems: ConfigProblem[] = [];
    // AWS names the maker first ("AMD Radeon Pro V520"); offline models are free text.
    const awsModel = lookups === "aws" ? spec.gpuModel : undefined;
    if (pool.accelerator === "nvidia" && spec.gpus > 0 && awsModel && !/^nvidia\b/i.test(awsModel)) {
        problems.push(
            problem(
                at,
                pool.instanceType,
                `an instance type with NVIDIA GPUs for an nvidia pool (its GPUs are ${awsModel}; the GPU Operator, the nvidia.com/gpu resource and the GPU quotas would not apply)`,
            ),
        );
    } else if (pool.accelerator === "nvidia" && spec.gpus < 1) {
        problems.push(problem(at, pool.instanceType, "an instance type with NVIDIA GPUs for an nvidia pool"));
    }
    if (pool.accelerator === "neuron" && spec.neuronDevices < 1) {
        problems.push(problem(at, pool.instanceType, "an instance type with AWS Neuron devices (inf2, trn1) for a neuron pool"));
    }
    return problems;
}

/** The pool's own MachineSets, one per zone, bought on its market. */
export function zoneMachineSets(pool: PoolConfig, context: PoolPlanContext): MachineSetPlan[] {
    return pool.zones.map((zone) => ({
        name: machineSetName(context.config.cluster.infraId, pool.name, zone),
        zone,
        replicas: pool.replicas,
        autoscaling: pool.autoscaling,
        maxMachines: maxMachinesPerZone(pool),
        market: pool.market,
        network: context.facts.networks.get(zone)?.network,
    }));
}

/** A spot pool's on-demand fallback, one per zone; it starts empty: the autoscaler grows it only when no spot MachineSet can grow. */
export function fallbackMachineSets(pool: PoolConfig, context: PoolPlanContext): MachineSetPlan[] {
    if (!pool.onDemandFallback) return [];
    return pool.zones.map((zone) => ({
        name: fallbackMachineSetName(context.config.cluster.infraId, pool.name, zone),
        zone,
        replicas: 0,
        autoscaling: pool.autoscaling && { minReplicas: 0, maxReplicas: pool.autoscaling.maxReplicas },
        maxMachines: pool.retired ? 0 : maxMachinesPerZone(pool),
        market: "on-demand" as const,
        network: context.facts.networks.get(zone)?.network,
    }));
}

/** A reservation's MachineSet as the pool's others: on-demand, counted against the reservation. */
export function reservedMachineSetPlan(pool: PoolConfig, reserved: ReservedMachineSetPlan, context: PoolPlanContext): MachineSetPlan {
    return {
        name: reserved.name,
        zone: reserved.zone,
        replicas: reserved.replicas,
        // The MachineAutoscaler CRD needs maxReplicas ≥ 1: an inactive reservation is a fixed 0.
        autoscaling:
            pool.autoscaling && reserved.maxReplicas > 0
                ? { minReplicas: Math.min(pool.autoscaling.minReplicas, reserved.maxReplicas), maxReplicas: reserved.maxReplicas }
                : undefined,
        maxMachines: reserved.maxReplicas,
        reservation: reserved.reservation,
        market: "on-demand" as const,
        reservationEnded: reserved.ended,
        network: context.facts.networks.get(reserved.zone)?.network,
    };
}

/** The MachineSets of one pool: per zone, then its on-demand fallback, then one per reservation. */
export function planPoolMachineSets(
    pool: PoolConfig,
    index: number,
    context: PoolPlanContext,
): Planned & { machineSets: MachineSetPlan[] } {
    const reservations = planReservations({
        pool,
        index,
        perZoneMax: maxMachinesPerZone(pool),
        cluster: context.config.cluster,
        reservations: context.facts.reservations,
        now: context.now,
        warningDays: context.config.reservationWarningDays,
    });
    return {
        machineSets: [
            ...zoneMachineSets(pool, context),
            ...fallbackMachineSets(pool, context),
            ...reservations.machineSets.map((reserved) => reservedMachineSetPlan(pool, reserved, context)),
        ],
        problems: reservations.problems,
        warnings: reservations.warnings,
    };
}

/** An EFA pool needs a type that takes EFA, and one zone for its MachineSets: the pool's and its reservations'. */
export function efaProblems(pool: PoolConfig, index: number, spec: InstanceSpec, machineSets: readonly MachineSetPlan[]): ConfigProblem[] {
    if (!pool.efa) return [];
    const problems: ConfigProblem[] = [];
    if (spec.efaSupported !== true) {
        problems.push(
            problem(
                ["pools", index, "instanceType"],
                pool.instanceType,
                `an instance type that takes an Elastic Fabric Adapter for an efa pool (AWS says ${pool.instanceType} does not)`,
            ),
        );
    }
    const zonesUsed = [...new Set(machineSets.map((m) => m.zone))];
    if (zonesUsed.length > 1) {
        problems.push(
            problem(
                ["pools", index, "zones"],
                zonesUsed,
                `one zone for an EFA pool: its cluster placement group lives in one zone (its MachineSets, reservations included, are in ${zonesUsed.join(", ")})`,
            ),
        );
    }
    return problems;
}

/** A MIG pool's GPU model and devices per GPU, from its layout (lib/plan/mig.ts). */
export interface MigPlan {
    migGpu: MigGpu;
    migDevicesPerGpu: Record<string, number>;
}

/** A MIG pool's GPU model and devices per GPU (none for other pools); a GPU that has no MIG, or does not take the layout, is a problem. */
export function planMig(pool: PoolConfig, index: number, spec: InstanceSpec): { mig?: MigPlan; problems: ConfigProblem[] } {
    const layout = pool.mig;
    if (!layout) return { problems: [] };
    const gpu = migGpuOf(spec);
    if (!gpu) {
        const value = { profile: layout.profile, ...(layout.devices && { devices: layout.devices }) };
        const expected = `no MIG on ${pool.instanceType} (${spec.gpuModel ?? "its GPUs"}): MIG needs A100 (p4d, p4de), H100 (p5) or H200 (p5e, p5en) GPUs`;
        return { problems: [problem(["pools", index, "mig"], value, expected)] };
    }
    const devices = migDevicesPerGpu(layout, gpu);
    if (typeof devices === "string") {
        return {
            problems: [problem(["pools", index, "mig", layout.devices ? "devices" : "profile"], layout.devices ?? layout.profile, devices)],
        };
    }
    return { mig: { migGpu: gpu, migDevicesPerGpu: devices }, problems: [] };
}

/** What one pool becomes at its maximum size, with the problems only the lookups' facts reveal. */
export function planPool(pool: PoolConfig, index: number, context: PoolPlanContext): Planned & { plan: PoolPlan } {
    const { cluster, lookups } = context.config;
    const spec = context.facts.instanceSpecs.get(pool.instanceType);
    if (!spec) {
        throw new Error(`no instance spec for ${pool.instanceType}: the lookups should have refused pool ${pool.name}`);
    }
    const { machineSets, problems: reservationProblems, warnings } = planPoolMachineSets(pool, index, context);
    const { mig, problems: migProblems } = planMig(pool, index, spec);
    const problems = [
        ...acceleratorProblems(pool, index, spec, lookups),
        ...reservationProblems,
        ...efaProblems(pool, index, spec, machineSets),
        ...migProblems,
    ];
    const maxNodes = machineSets.reduce((sum, m) => sum + m.maxMachines, 0);
    const gpuResources = gpuResourcesPerNode(pool, spec, mig?.migDevicesPerGpu);
    const plan: PoolPlan = {
        pool,
        spec,
        // A pool of reservations only counts against them, not against an EC2 quota.
        quota: cluster.platform === "openshift" && !isReservedOnly(pool) ? quotaFor(pool.instanceType, pool.market) : undefined,
        amiId: context.facts.amis.get(pool.name)?.id ?? "",
        ignoreAmiDrift: pool.ami.managedByCluster ?? managesBootImages(cluster.openshiftVersion),
        machineSets,
        maxMachinesPerZone: maxMachinesPerZone(pool),
        maxNodes,
        maxGpus: maxNodes * spec.gpus,
        ...mig,
        gpuResourcesPerNode: gpuResources,
        maxAllocatableGpus: maxNodes * (gpuResources[GPU_RESOURCE] ?? 0),
        maxNeuronDevices: maxNodes * spec.neuronDevices,
        vcpuDemand: maxNodes * spec.vcpus,
    };
    return { plan, problems, warnings };
}

/**
 * With a custom MIG layout the stack's mig-parted ConfigMap replaces the configs mig-manager would
 * generate, so it names every MIG pool's layout: per config name, one layout per GPU model.
 */
export function customMigLayouts(pools: readonly PoolPlan[]): { layouts?: Map<string, MigConfigLayouts>; problems: ConfigProblem[] } {
    if (!pools.some((p) => p.pool.mig?.devices)) return { problems: [] };
    const configs = new Map<string, MigConfigLayouts>();
    const owners = new Map<string, string>();
    const problems: ConfigProblem[] = [];
    pools.forEach((p, index) => {
        const { mig } = p.pool;
        if (!mig || !p.migGpu || !p.migDevicesPerGpu) return;
        const byGpu = configs.get(mig.profile) ?? new Map<MigGpu, Record<string, number>>();
        const known = byGpu.get(p.migGpu);
        if (known && JSON.stringify(known) !== JSON.stringify(p.migDevicesPerGpu)) {
            problems.push(
                problem(
                    ["pools", index, "mig", "profile"],
                    mig.profile,
                    `another name: pool ${owners.get(`${mig.profile}/${p.migGpu}`)} uses ${mig.profile} on the same ${p.migGpu} GPUs for other devices (${JSON.stringify(known)})`,
                ),
            );
            return;
        }
        byGpu.set(p.migGpu, p.migDevicesPerGpu);
        configs.set(mig.profile, byGpu);
        owners.set(`${mig.profile}/${p.migGpu}`, p.pool.name);
    });
    return { layouts: configs, problems };
}

/** How a MachineSet's machines are bought, as the autoscaler's priorities and Kueue's flavors tell them apart. */
export function capacityTypeOf(machineSet: Pick<MachineSetPlan, "reservation" | "market">): "reserved" | Market {
    return machineSet.reservation ? "reserved" : machineSet.market;
}

/** What one pool asks of one market's quota: its MachineSets bought there, reservations apart. */
export interface QuotaPart {
    plan: PoolPlan;
    market: Market;
    /** How the quota pre-flight names it: the pool, and the market when it is the pool's fallback. */
    source: string;
    maxMachines: number;
    desiredMachines: number;
}

/** Per market, what a pool asks of the EC2 quotas: a spot pool's on-demand fallback counts against the on-demand quota. */
export function poolQuotaParts(plan: PoolPlan): QuotaPart[] {
    if (plan.quota === undefined) return [];
    return (["spot", "on-demand"] as const).flatMap((market) => {
        const sets = plan.machineSets.filter((m) => !m.reservation && m.market === market);
        if (sets.length === 0) return [];
        const source = market === plan.pool.market ? `pool ${plan.pool.name}` : `pool ${plan.pool.name} (${market} fallback)`;
        return [
            {
                plan,
                market,
                source,
                maxMachines: sets.reduce((sum, m) => sum + m.maxMachines, 0),
                desiredMachines: sets.reduce((sum, m) => sum + m.replicas, 0),
            },
        ];
    });
}

/** The pools' demand on each EC2 quota at their maximum size against its limit, and at their desired size against what is in use now. */
export function planQuotaTotals(
    pools: readonly PoolPlan[],
    facts: Pick<LookupFacts, "quotaLimits" | "usedOutside">,
): Pick<CapacityPlan, "quotas" | "usage"> {
    const parts = pools.flatMap(poolQuotaParts);
    const { demands } = quotaDemand(
        parts.map(({ plan, market, source, maxMachines }) => ({
            source,
            instanceType: plan.pool.instanceType,
            market,
            vcpus: plan.spec.vcpus,
            maxMachines,
        })),
    );
    const quotas = checkQuotas(demands, facts.quotaLimits);
    const desired = new Map<string, number>();
    for (const { plan, market, desiredMachines } of parts) {
        const code = quotaFor(plan.pool.instanceType, market)?.code;
        if (code) desired.set(code, (desired.get(code) ?? 0) + desiredMachines * plan.spec.vcpus);
    }
    const usage = quotas.map((q): QuotaUsage => {
        const usedOutside = facts.usedOutside[q.code];
        return {
            code: q.code,
            limit: q.limit,
            usedOutside,
            desired: desired.get(q.code) ?? 0,
            maximum: q.demand,
            freeNow: q.limit !== undefined && usedOutside !== undefined ? q.limit - usedOutside : undefined,
        };
    });
    return { quotas, usage };
}

/**
 * Every pool at its maximum size, then the quota totals; stops with all the pools' problems at once.
 * @param clusterRead whether the lookups read the cluster (and so registered the Kubernetes provider).
 * @param now the moment reservations' windows are judged at.
 */
export function planCapacity(given: CapacityConfig, facts: LookupFacts, clusterRead = false, now = new Date()): CapacityPlan {
    // The looked-up zones of pools that name none; the same config when the caller has applied them already.
    const config = withPoolZones(given, facts.poolZones);
    const planned = config.pools.map((pool, index) => planPool(pool, index, { config, facts, now }));
    const pools = planned.map((p) => p.plan);
    const migLayouts = customMigLayouts(pools);
    const problems = [...planned.flatMap((p) => p.problems), ...migLayouts.problems];
    if (problems.length > 0) {
        throw new ConfigError(problems, undefined, clusterRead ? CLUSTER_READ : undefined);
    }
    const warnings = planned.flatMap((p) => p.warnings);
    const { quotas, usage } = planQuotaTotals(pools, facts);
    return { pools, quotas, usage, warnings, ...(migLayouts.layouts && { migPartedConfig: migPartedConfig(migLayouts.layouts) }) };
}

/** The quotas the pools' maximum size exceeds. */
export function exceededQuotas(plan: CapacityPlan): QuotaCheck[] {
    return plan.quotas.filter((check) => check.exceeded);
}

/** What the quota pre-flight says when quotas are exceeded; `requested`: increases were asked for. */
export function quotaExcessMessage(exceeded: readonly QuotaCheck[], requested: boolean): string {
    const advice = requested
        ? `Increases of ${exceeded.map((c) => `${c.code} (this stack's maximum, ${c.demand} vCPUs, plus what is in use outside it)`).join(", ")} were requested (aws.servicequotas.ServiceQuota; ` +
          "follow them in the Service Quotas console). Run again once AWS has granted them: until then no cluster object is registered."
        : "Lower the pools' replicas or autoscaling.maxReplicas, or raise the quota (Service Quotas console, service EC2, or quotas.requestIncrease: true) first; " +
          "a value in cluster-capacity:quotas is a cap of your own: raise it too.";
    return `${exceeded.map(describeQuotaExcess).join("\n")}\n${advice}`;
}

/**
 * The quota pre-flight: stops the program when any quota would be exceeded at maximum size, or when
 * the stack's desired size does not fit what the rest of the account leaves free now. Returns the
 * warnings: a maximum that does not fit what is free now (autoscaling may stall on quota errors).
 */
export function assertWithinQuotas(plan: CapacityPlan): string[] {
    const exceeded = exceededQuotas(plan);
    if (exceeded.length > 0) {
        throw new QuotaError(quotaExcessMessage(exceeded, false));
    }
    const describe = (u: QuotaUsage, size: number) =>
        `${u.code} "${quotaName(u.code) ?? ""}": ${size} vCPUs, but of its ${u.limit} vCPUs ${u.usedOutside} are in use outside this stack, leaving ${u.freeNow}`;
    const tooBigNow = plan.usage.filter((u) => u.freeNow !== undefined && u.desired > 0 && u.desired > u.freeNow);
    if (tooBigNow.length > 0) {
        throw new QuotaError(
            `${tooBigNow.map((u) => `the stack's desired size needs ${describe(u, u.desired)}.`).join("\n")}\n` +
                "Machines would stay in Provisioning. Lower replicas or autoscaling.minReplicas, free capacity elsewhere in the account, or raise the quota.",
        );
    }
    return plan.usage
        .filter((u) => u.freeNow !== undefined && u.maximum > 0 && u.maximum > u.freeNow)
        .map(
            (u) =>
                `cluster-capacity: at its maximum size the stack needs ${describe(u, u.maximum)}: the autoscaler may stall on quota errors before the maximum.`,
        );
}
