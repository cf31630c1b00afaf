/**
 * cluster-capacity: reads the stack config, looks up what AWS knows, checks quotas, then builds the
 * node pools. Everything that can be wrong with the config stops the program before the first
 * resource is registered.
 */
import { ClusterAutoscaling } from "./components/clusterAutoscaling";
import { GpuNodeTuning, gpuPoolRole } from "./components/gpuNodeTuning";
import { GpuPool, InferentiaPool } from "./components/acceleratorPool";
import { kubernetesProvider } from "./components/provider";
import { loadConfig } from "./lib/config/load";
import { resolveLookups } from "./lib/lookups";
import { capacityReport } from "./lib/report";
import { assertWithinQuotas, planCapacity } from "./lib/plan";

async function main() {
    const config = loadConfig();
    const facts = await resolveLookups(config);
    const plan = planCapacity(config, facts);
    assertWithinQuotas(plan);

    const { cluster } = config;
    if (cluster.platform === "openshift" && plan.pools.length > 0) {
        const provider = kubernetesProvider("cluster-capacity", config);
        const poolArgs = { infraId: cluster.infraId, region: cluster.region, openshiftVersion: cluster.openshiftVersion, provider };
        const gpuPlans = plan.pools.filter((p) => p.pool.accelerator === "nvidia");
        for (const poolPlan of plan.pools) {
            if (poolPlan.pool.accelerator === "nvidia") {
                new GpuPool(poolPlan.pool.name, { ...poolArgs, plan: poolPlan, machineConfigRole: gpuPoolRole(poolPlan.pool) });
            } else {
                new InferentiaPool(poolPlan.pool.name, { ...poolArgs, plan: poolPlan });
            }
        }
        if (gpuPlans.length > 0) {
            new GpuNodeTuning("gpu-node-tuning", {
                openshiftVersion: cluster.openshiftVersion,
                pools: gpuPlans.map((p) => p.pool),
                provider,
            });
        }
        if (plan.pools.some((p) => p.pool.autoscaling)) {
            // A retired pool can have no GPUs, and a limit must allow at least one.
            const gpuLimits = gpuPlans.filter((p) => p.maxGpus > 0).map((p) => ({ type: p.pool.name, maxGpus: p.maxGpus }));
            new ClusterAutoscaling("cluster-autoscaling", { settings: config.clusterAutoscaler, gpuLimits, provider });
        }
    }
    return capacityReport(config, facts, plan);
}

export = main();
