/** A pool's config as the defaults leave it, built by hand for the specs that call a rule, a plan step or a policy directly. */
import type { PoolConfig } from "../../lib/config/types";

export function poolConfig(extra: Partial<PoolConfig> = {}): PoolConfig {
    return {
        name: "gpu",
        accelerator: "nvidia",
        instanceType: "g6.4xlarge",
        zones: ["us-east-2a"],
        zonesFromCluster: false,
        market: "on-demand",
        replicas: 1,
        labels: {},
        taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
        rootVolume: { sizeGiB: 200, type: "gp3" },
        kueueFlavor: extra.name ?? "gpu",
        sysctls: {},
        kernelArguments: [],
        ami: { owners: [] },
        amiFromPool: false,
        providerSpec: {},
        retired: false,
        capacityReservations: [],
        healthCheck: { enabled: true, maxUnhealthy: 1, nodeStartupTimeout: "20m" },
        onDemandFallback: false,
        efa: false,
        ...extra,
    };
}
