/**
 * The capacity plan: what each pool becomes at its maximum size (MachineSets, nodes, GPUs, vCPUs)
 * and how that compares with the EC2 quotas. Pure; the quota arithmetic is the policy pack's.
 */
import type { InstanceSpec } from "../policy/lib/catalogue";
import { checkQuotas, describeQuotaExcess, QuotaCheck, quotaDemand } from "../policy/lib/quota";
import type { Autoscaling, CapacityConfig, PoolConfig, ReservationFacts } from "./config/types";
import { CLUSTER_READ, ConfigError, ConfigProblem, problem, QuotaError } from "./errors";
import type { LookupFacts } from "./lookups/facts";
import { isReservedOnly, maxMachinesPerZone } from "./config/pool";
import { managesBootImages } from "./openshift";
import { fallbackMachineSetName, machineSetName } from "./naming";
import type { MachineNetwork } from "./network";
import { planReservations } from "./reservations";
import { GPU_RESOURCE, type Market, quotaFor, quotaName, QuotaRef } from "../policy/lib/contract";
import { MigConfigLayouts, migDeviceResource, migDevicesPerGpu, MigGpu, migGpuOf, migPartedConfig } from "./mig";

interface MachineSetPlan {
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
    /** A MIG pool's GPU model and devices per GPU, from its layout (lib/mig.ts). */
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
    /** With a custom MIG layout: the mig-parted config of every MIG pool's layout (lib/mig.ts). */
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

/** A MIG pool's GPU model and devices per GPU; a GPU that has no MIG, or does not take the layout, is a problem. */
function planMig(
    pool: PoolConfig,
    index: number,
    spec: InstanceSpec,
    problems: ConfigProblem[],
): { migGpu: MigGpu; migDevicesPerGpu: Record<string, number> } | undefined {
    const layout = pool.mig!;
    const gpu = migGpuOf(spec);
    if (!gpu) {
        problems.push(
            problem(
                ["pools", index, "mig"],
                { profile: layout.profile, ...(layout.devices && { devices: layout.devices }) },
                `no MIG on ${pool.instanceType} (${spec.gpuModel ?? "its GPUs"}): MIG needs A100 (p4d, p4de), H100 (p5) or H200 (p5e, p5en) GPUs`,
            ),
        );
        return undefined;
    }
    const devices = migDevicesPerGpu(layout, gpu);
    if (typeof devices === "string") {
        problems.push(problem(["pools", index, "mig", layout.devices ? "devices" : "profile"], layout.devices ?? layout.profile, devices));
        return undefined;
    }
    return { migGpu: gpu, migDevicesPerGpu: devices };
}

/**
 * With a custom MIG layout the stack's mig-parted ConfigMap replaces the configs mig-manager would
 * generate, so it names every MIG pool's layout: per config name, one layout per GPU model.
 */
function customMigLayouts(pools: readonly PoolPlan[], problems: ConfigProblem[]): Map<string, MigConfigLayouts> | undefined {
    if (!pools.some((p) => p.pool.mig?.devices)) return undefined;
    const configs = new Map<string, MigConfigLayouts>();
    const owners = new Map<string, string>();
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
    return configs;
}

/** How a MachineSet's machines are bought, as the autoscaler's priorities and Kueue's flavors tell them apart. */
export function capacityTypeOf(machineSet: Pick<MachineSetPlan, "reservation" | "market">): "reserved" | Market {
    return machineSet.reservation ? "reserved" : machineSet.market;
}

/**
 * @param clusterRead whether the lookups read the cluster (and so registered the Kubernetes provider).
 * @param now the moment reservations' windows are judged at.
 */
export function planCapacity(config: CapacityConfig, facts: LookupFacts, clusterRead = false, now = new Date()): CapacityPlan {
    const problems: ConfigProblem[] = [];
    const warnings: string[] = [];
    const pools: PoolPlan[] = [];
    config.pools.forEach((pool, index) => {
        const spec = facts.instanceSpecs.get(pool.instanceType);
        // A pool of reservations only counts against them, not against an EC2 quota.
        const quota =
            config.cluster.platform === "openshift" && !isReservedOnly(pool) ? quotaFor(pool.instanceType, pool.market) : undefined;
        if (!spec) {
            throw new Error(`no instance spec for ${pool.instanceType}: the lookups should have refused pool ${pool.name}`);
        }
        // AWS names the maker first ("AMD Radeon Pro V520"); offline models are free text.
        const awsModel = config.lookups === "aws" ? spec.gpuModel : undefined;
        if (pool.accelerator === "nvidia" && spec.gpus > 0 && awsModel && !/^nvidia\b/i.test(awsModel)) {
            problems.push(
                problem(
                    ["pools", index, "instanceType"],
                    pool.instanceType,
                    `an instance type with NVIDIA GPUs for an nvidia pool (its GPUs are ${awsModel}; the GPU Operator, the nvidia.com/gpu resource and the GPU quotas would not apply)`,
                ),
            );
        } else if (pool.accelerator === "nvidia" && spec.gpus < 1) {
            problems.push(
                problem(["pools", index, "instanceType"], pool.instanceType, "an instance type with NVIDIA GPUs for an nvidia pool"),
            );
        }
        if (pool.accelerator === "neuron" && spec.neuronDevices < 1) {
            problems.push(
                problem(
                    ["pools", index, "instanceType"],
                    pool.instanceType,
                    "an instance type with AWS Neuron devices (inf2, trn1) for a neuron pool",
                ),
            );
        }
        const ami = facts.amis.get(pool.name);
        const perZone = maxMachinesPerZone(pool);
        const ordinary: MachineSetPlan[] = pool.zones.map((zone) => ({
            name: machineSetName(config.cluster.infraId, pool.name, zone),
            zone,
            replicas: pool.replicas,
            autoscaling: pool.autoscaling,
            maxMachines: perZone,
            market: pool.market,
            network: facts.networks.get(zone)?.network,
        }));
        // The fallback starts empty: the autoscaler grows it only when no spot MachineSet can grow.
        const fallback: MachineSetPlan[] = pool.onDemandFallback
            ? pool.zones.map((zone) => ({
                  name: fallbackMachineSetName(config.cluster.infraId, pool.name, zone),
                  zone,
                  replicas: 0,
                  autoscaling: pool.autoscaling && { minReplicas: 0, maxReplicas: pool.autoscaling.maxReplicas },
                  maxMachines: pool.retired ? 0 : perZone,
                  market: "on-demand" as const,
                  network: facts.networks.get(zone)?.network,
              }))
            : [];
        const reserved: MachineSetPlan[] = planReservations(
            pool,
            index,
            perZone,
            config.cluster,
            facts.reservations,
            now,
            config.reservationWarningDays,
            problems,
            warnings,
        ).map((r) => ({
            name: r.name,
            zone: r.zone,
            replicas: r.replicas,
            // The MachineAutoscaler CRD needs maxReplicas ≥ 1: an inactive reservation is a fixed 0.
            autoscaling:
                pool.autoscaling && r.maxReplicas > 0
                    ? { minReplicas: Math.min(pool.autoscaling.minReplicas, r.maxReplicas), maxReplicas: r.maxReplicas }
                    : undefined,
            maxMachines: r.maxReplicas,
            reservation: r.reservation,
            market: "on-demand" as const,
            reservationEnded: r.ended,
            network: facts.networks.get(r.zone)?.network,
        }));
        const machineSets = [...ordinary, ...fallback, ...reserved];
        if (pool.efa && spec.efaSupported !== true) {
            problems.push(
                problem(
                    ["pools", index, "instanceType"],
                    pool.instanceType,
                    `an instance type that takes an Elastic Fabric Adapter for an efa pool (AWS says ${pool.instanceType} does not)`,
                ),
            );
        }
        // The one EFA zone rule, on the MachineSets' zones: the pool's and its reservations'.
        const zonesUsed = [...new Set(machineSets.map((m) => m.zone))];
        if (pool.efa && zonesUsed.length > 1) {
            problems.push(
                problem(
                    ["pools", index, "zones"],
                    zonesUsed,
                    `one zone for an EFA pool: its cluster placement group lives in one zone (its MachineSets, reservations included, are in ${zonesUsed.join(", ")})`,
                ),
            );
        }
        const maxNodes = machineSets.reduce((sum, m) => sum + m.maxMachines, 0);
        const mig = pool.mig && planMig(pool, index, spec, problems);
        const gpuResources = gpuResourcesPerNode(pool, spec, mig?.migDevicesPerGpu);
        pools.push({
            pool,
            spec,
            quota,
            amiId: ami?.id ?? "",
            ignoreAmiDrift: pool.ami.managedByCluster ?? managesBootImages(config.cluster.openshiftVersion),
            machineSets,
            maxMachinesPerZone: perZone,
            maxNodes,
            maxGpus: maxNodes * spec.gpus,
            ...mig,
            gpuResourcesPerNode: gpuResources,
            maxAllocatableGpus: maxNodes * (gpuResources[GPU_RESOURCE] ?? 0),
            maxNeuronDevices: maxNodes * spec.neuronDevices,
            vcpuDemand: maxNodes * spec.vcpus,
        });
    });
    const migLayouts = customMigLayouts(pools, problems);
    if (problems.length > 0) {
        throw new ConfigError(problems, undefined, clusterRead ? CLUSTER_READ : undefined);
    }
    // Per pool and market: a spot pool's on-demand fallback counts against the on-demand quota.
    const quotaParts = pools.flatMap((p) =>
        p.quota === undefined
            ? []
            : (["spot", "on-demand"] as const).flatMap((market) => {
                  const sets = p.machineSets.filter((m) => !m.reservation && m.market === market);
                  if (sets.length === 0) return [];
                  const source = market === p.pool.market ? `pool ${p.pool.name}` : `pool ${p.pool.name} (${market} fallback)`;
                  return [
                      {
                          p,
                          market,
                          source,
                          max: sets.reduce((sum, m) => sum + m.maxMachines, 0),
                          desired: sets.reduce((sum, m) => sum + m.replicas, 0),
                      },
                  ];
              }),
    );
    const { demands } = quotaDemand(
        quotaParts.map(({ p, market, source, max }) => ({
            source,
            instanceType: p.pool.instanceType,
            market,
            vcpus: p.spec.vcpus,
            maxMachines: max,
        })),
    );
    const quotas = checkQuotas(demands, facts.quotaLimits);
    const desired = new Map<string, number>();
    for (const { p, market, desired: machines } of quotaParts) {
        const code = quotaFor(p.pool.instanceType, market)?.code;
        if (code) desired.set(code, (desired.get(code) ?? 0) + machines * p.spec.vcpus);
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
    return { pools, quotas, usage, warnings, ...(migLayouts && { migPartedConfig: migPartedConfig(migLayouts) }) };
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
