/**
 * Kueue quotas derived from the pools, never typed in: what each pool's nodes can really run at
 * the pool's maximum size. Pure.
 */
import { advertisedGpusPerNode, PoolPlan } from "./plan";

/**
 * What the kubelet keeps for the system on an OpenShift worker (system-reserved 500m CPU and
 * 1 GiB, plus the 100 MiB hard-eviction threshold). DaemonSets use more: the quota is an upper bound.
 */
export const SYSTEM_RESERVED = { cpuMillis: 500, memoryMiB: 1024 + 100 };

export const GPU_RESOURCE = "nvidia.com/gpu";
export const NEURON_RESOURCE = "aws.amazon.com/neuron";
export const NEURONCORE_RESOURCE = "aws.amazon.com/neuroncore";
const RESOURCE_ORDER = ["cpu", "memory", GPU_RESOURCE, NEURON_RESOURCE, NEURONCORE_RESOURCE];

export interface NodeAllocatable {
    cpuMillis: number;
    memoryMiB: number;
}

export function nodeAllocatable(plan: PoolPlan): NodeAllocatable {
    return {
        cpuMillis: Math.max(0, plan.spec.vcpus * 1000 - SYSTEM_RESERVED.cpuMillis),
        memoryMiB: Math.max(0, plan.spec.memoryMiB - SYSTEM_RESERVED.memoryMiB),
    };
}

/** Accelerator devices one node offers to the scheduler (GPUs multiplied by time-slicing replicas). */
export function acceleratorsPerNode(plan: PoolPlan, neuronCoreQuota: boolean): Record<string, number> {
    if (plan.pool.accelerator === "nvidia") {
        return { [GPU_RESOURCE]: advertisedGpusPerNode(plan.pool, plan.spec) };
    }
    return {
        [NEURON_RESOURCE]: plan.spec.neuronDevices,
        ...(neuronCoreQuota && { [NEURONCORE_RESOURCE]: plan.spec.neuronCores ?? plan.spec.neuronDevices * 2 }),
    };
}

export function cpuQuantity(millis: number): string {
    return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

export interface FlavorQuota {
    flavor: string;
    pool: string;
    /** Resource name → quantity, for every covered resource (0 where the pool has none). */
    nominalQuota: Record<string, string>;
}

export interface QueueQuotas {
    coveredResources: string[];
    flavors: FlavorQuota[];
}

/** One resource group (Kueue allows a resource in one group only) covering every pool's resources. */
export function queueQuotas(plans: readonly PoolPlan[], neuronCoreQuota: boolean): QueueQuotas {
    const perPool = plans.map((plan) => {
        const node = nodeAllocatable(plan);
        const accelerators = acceleratorsPerNode(plan, neuronCoreQuota);
        const totals: Record<string, string> = {
            cpu: cpuQuantity(node.cpuMillis * plan.maxNodes),
            memory: `${node.memoryMiB * plan.maxNodes}Mi`,
            ...Object.fromEntries(Object.entries(accelerators).map(([resource, count]) => [resource, String(count * plan.maxNodes)])),
        };
        return { plan, totals };
    });
    const present = new Set(perPool.flatMap((p) => Object.keys(p.totals)));
    const coveredResources = RESOURCE_ORDER.filter((r) => present.has(r));
    return {
        coveredResources,
        flavors: perPool.map(({ plan, totals }) => ({
            flavor: plan.pool.kueueFlavor,
            pool: plan.pool.name,
            nominalQuota: Object.fromEntries(coveredResources.map((r) => [r, totals[r] ?? "0"])),
        })),
    };
}
