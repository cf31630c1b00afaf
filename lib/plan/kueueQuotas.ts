/**
 * Kueue quotas derived from the pools, never typed in: what each pool's nodes can really run at
 * the pool's maximum size. Pure.
 */
import { ConfigError, problem } from "../errors";
import { labelsCapacityType } from "../config/pool";
import { capacityTypeOf, PoolPlan } from "./index";
import {
    CAPACITY_TYPE_LABEL,
    GPU_RESOURCE,
    isMigResource,
    NEURON_RESOURCE,
    NEURONCORE_RESOURCE,
    POOL_LABEL,
} from "../../policy/lib/contract";

/**
 * What the kubelet keeps for the system on an OpenShift worker (system-reserved 500m CPU and
 * 1 GiB, plus the 100 MiB hard-eviction threshold). DaemonSets use more: the quota is an upper bound.
 */
const SYSTEM_RESERVED = { cpuMillis: 500, memoryMiB: 1024 + 100 };

/** cpu, memory, whole GPUs, MIG devices by name, Neuron: the order of a ClusterQueue's coveredResources. */
function resourceRank(resource: string): number {
    const fixed = ["cpu", "memory", GPU_RESOURCE];
    if (fixed.includes(resource)) return fixed.indexOf(resource);
    if (isMigResource(resource)) return fixed.length;
    return fixed.length + 1 + [NEURON_RESOURCE, NEURONCORE_RESOURCE].indexOf(resource);
}

interface NodeAllocatable {
    cpuMillis: number;
    memoryMiB: number;
}

export function nodeAllocatable(plan: PoolPlan): NodeAllocatable {
    return {
        cpuMillis: Math.max(0, plan.spec.vcpus * 1000 - SYSTEM_RESERVED.cpuMillis),
        memoryMiB: Math.max(0, plan.spec.memoryMiB - SYSTEM_RESERVED.memoryMiB),
    };
}

/** Accelerator devices one node offers to the scheduler: GPUs (time-sliced or as MIG devices), Neuron devices. */
function acceleratorsPerNode(plan: PoolPlan, neuronCoreQuota: boolean): Record<string, number> {
    if (plan.pool.accelerator === "nvidia") return plan.gpuResourcesPerNode;
    return {
        [NEURON_RESOURCE]: plan.spec.neuronDevices,
        ...(neuronCoreQuota && { [NEURONCORE_RESOURCE]: plan.spec.neuronCores ?? plan.spec.neuronDevices * 2 }),
    };
}

export function cpuQuantity(millis: number): string {
    return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/**
 * A part of a pool that Kueue sees as one ResourceFlavor. A pool is one part; a pool with capacity
 * reservations and MachineSets of its own is two: its reserved nodes (`<flavor>-reserved`) and the
 * others (`<flavor>`), told apart by the capacity-type node label.
 */
export interface FlavorPart {
    flavor: string;
    plan: PoolPlan;
    capacityType: "reserved" | "spot" | "on-demand";
    nodeLabels: Record<string, string>;
    maxNodes: number;
}

const CAPACITY_ORDER: FlavorPart["capacityType"][] = ["reserved", "spot", "on-demand"];

function flavorParts(plan: PoolPlan): FlavorPart[] {
    const { pool } = plan;
    if (!labelsCapacityType(pool)) {
        return [
            { flavor: pool.kueueFlavor, plan, capacityType: pool.market, nodeLabels: { [POOL_LABEL]: pool.name }, maxNodes: plan.maxNodes },
        ];
    }
    const types = CAPACITY_ORDER.filter((type) => plan.machineSets.some((m) => capacityTypeOf(m) === type));
    // The part of the pool's own market keeps the pool's flavor name; so does a pool of reservations only.
    const named = types.includes(pool.market) ? pool.market : types[0];
    return types.map((type) => ({
        flavor: type === named ? pool.kueueFlavor : `${pool.kueueFlavor}-${type}`,
        plan,
        capacityType: type,
        nodeLabels: { [POOL_LABEL]: pool.name, [CAPACITY_TYPE_LABEL]: type },
        maxNodes: plan.machineSets.filter((m) => capacityTypeOf(m) === type).reduce((sum, m) => sum + m.maxMachines, 0),
    }));
}

/**
 * Every pool's flavors in the order Kueue tries them: reserved capacity first (paid for already),
 * then spot, then on-demand; pools keep their config order within each.
 */
export function orderedFlavorParts(plans: readonly PoolPlan[]): FlavorPart[] {
    return plans
        .flatMap(flavorParts)
        .map((part, index) => ({ part, index }))
        .sort((a, b) => CAPACITY_ORDER.indexOf(a.part.capacityType) - CAPACITY_ORDER.indexOf(b.part.capacityType) || a.index - b.index)
        .map(({ part }) => part);
}

interface FlavorQuota {
    flavor: string;
    pool: string;
    /** Resource name → quantity, for every covered resource (0 where the pool has none). */
    nominalQuota: Record<string, string>;
}

export interface QueueQuotas {
    coveredResources: string[];
    flavors: FlavorQuota[];
}

/**
 * The most flavors a ClusterQueue's resource group holds: `spec.resourceGroups[].flavors` has
 * `maxItems: 64` in Kueue's CRD (config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml), and
 * every flavor must be in the one group, since a resource can be covered by one group only.
 */
export const MAX_QUEUE_FLAVORS = 64;

/**
 * One resource group (Kueue allows a resource in one group only) covering every pool's resources.
 * Throws a ConfigError, before anything is registered, when the pools make more flavors than a
 * ClusterQueue holds: the API server would refuse the queue part-way through an update.
 */
export function queueQuotas(plans: readonly PoolPlan[], neuronCoreQuota: boolean): QueueQuotas {
    const perPool = orderedFlavorParts(plans).map((part) => {
        const { plan, maxNodes } = part;
        const node = nodeAllocatable(plan);
        const accelerators = acceleratorsPerNode(plan, neuronCoreQuota);
        const totals: Record<string, string> = {
            cpu: cpuQuantity(node.cpuMillis * maxNodes),
            memory: `${node.memoryMiB * maxNodes}Mi`,
            ...Object.fromEntries(Object.entries(accelerators).map(([resource, count]) => [resource, String(count * maxNodes)])),
        };
        return { part, plan, totals };
    });
    if (perPool.length > MAX_QUEUE_FLAVORS) {
        throw new ConfigError([
            problem(
                ["kueue", "enabled"],
                true,
                `false, or pools that make at most ${MAX_QUEUE_FLAVORS} Kueue flavors: these make ${perPool.length} (one per pool, and one per capacity type of a pool with reservations or an on-demand fallback), and a ClusterQueue holds at most ${MAX_QUEUE_FLAVORS} (Kueue's CRD)`,
            ),
        ]);
    }
    const present = new Set(perPool.flatMap((p) => Object.keys(p.totals)));
    const coveredResources = [...present].sort((a, b) => resourceRank(a) - resourceRank(b) || a.localeCompare(b));
    return {
        coveredResources,
        flavors: perPool.map(({ part, plan, totals }) => ({
            flavor: part.flavor,
            pool: plan.pool.name,
            nominalQuota: Object.fromEntries(coveredResources.map((r) => [r, totals[r] ?? "0"])),
        })),
    };
}
