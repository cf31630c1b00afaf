/** Stack configs for tests: fixtures of the stack files, and small offline scenarios to vary. */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { StackConfig } from "./harness";
import { AwsFixture, bootImagesConfigMap, workerMachineSets } from "./aws";

export const REPO = path.resolve(__dirname, "..", "..");

/**
 * A stack of test/fixtures/stacks: copies of the stack files as the tests were written against
 * them, so that editing a committed stack file changes no test but the one that checks it is valid.
 */
export function stackFixture(stack: string): StackConfig {
    const file = path.join(REPO, "test", "fixtures", "stacks", `Pulumi.${stack}.yaml`);
    return (YAML.parse(fs.readFileSync(file, "utf8")) as { config: StackConfig }).config;
}

/** The AMI the prod cluster publishes as its x86_64 boot image in us-east-1. */
export const PROD_BOOT_IMAGE = "ami-0c0ffee0c0ffee001";

/** What AWS and the cluster answer for the prod stack in tests: quotas with room, the RHCOS AMIs. */
export const PROD_AWS: AwsFixture = {
    accountId: "111122223333",
    quotas: { "L-DB2E81BA": 512, "L-3819A6DF": 64 },
    amis: { "rhcos-418.94.*-x86_64": "ami-0f1e2d3c4b5a69788" },
    clusterObjects: {
        ...bootImagesConfigMap({ x86_64: { "us-east-1": PROD_BOOT_IMAGE, "eu-west-1": "ami-0e0e0e0e0e0e0e0e0" } }),
        ...workerMachineSets("prod-east-x8v2k", "us-east-1", ["us-east-1a", "us-east-1b", "us-east-1c"], "clusterApi"),
    },
    onDemandPrices: { "g6.4xlarge": 1.3232, "g6.12xlarge": 4.6016 },
    spotPrices: { "g6.xlarge": 0.3507 },
};

export type PoolEntry = Record<string, unknown>;

/** An NVIDIA pool of one g6.4xlarge in us-east-2a; `replicas` is left out when `extra` autoscales. */
export function gpuPool(name: string, extra: PoolEntry = {}): PoolEntry {
    return {
        name,
        accelerator: "nvidia",
        instanceType: "g6.4xlarge",
        zones: ["us-east-2a"],
        ...("autoscaling" in extra ? {} : { replicas: 1 }),
        ...extra,
    };
}

/**
 * `cluster-capacity:network` with explicit subnets (4.16+ installer names) for every AWS zone the
 * pools use and the worker security groups; none when the pools use no AWS zone.
 */
export function explicitNetwork(pools: PoolEntry[], infraId = "test-abcde"): StackConfig {
    const zones = [...new Set(pools.flatMap((p) => (p.zones as string[] | undefined) ?? []))].filter((z) =>
        /^[a-z]{2}-[a-z]+-\d[a-z]$/.test(z),
    );
    if (zones.length === 0) return {};
    return {
        "cluster-capacity:network": {
            subnets: Object.fromEntries(zones.map((zone) => [zone, `${infraId}-subnet-private-${zone}`])),
            securityGroups: [`${infraId}-node`, `${infraId}-lb`],
        },
    };
}

/** An offline OpenShift 4.18 stack in us-east-2 with generous quotas, rendering YAML; override any key. */
export function offlineStack(overrides: StackConfig = {}, pools: PoolEntry[] = [gpuPool("l4")]): StackConfig {
    return {
        ...explicitNetwork(pools),
        "cluster-capacity:cluster": { name: "test", infraId: "test-abcde", openshiftVersion: "4.18", region: "us-east-2" },
        "cluster-capacity:lookups": "offline",
        "cluster-capacity:ami": { id: "ami-0123456789abcdef0" },
        "cluster-capacity:quotas": { "L-DB2E81BA": 1024, "L-3819A6DF": 1024, "L-417A185B": 4096, "L-1945791B": 1024 },
        "cluster-capacity:renderDirectory": "rendered/test",
        "cluster-capacity:pools": pools,
        ...overrides,
    };
}

/** The offline test stack applied to a cluster instead of rendered: the run reads the pool MachineSets first (test/support/cluster.ts). */
export function connectedStack(overrides: StackConfig = {}, pools: PoolEntry[] = [gpuPool("l4", { zones: ["us-east-2a"] })]): StackConfig {
    const config = offlineStack({ "cluster-capacity:kubernetes": { kubeconfig: "/nonexistent/kubeconfig" }, ...overrides }, pools);
    delete config["cluster-capacity:renderDirectory"];
    return config;
}

/** A cluster with several pool shapes: on-demand, spot, autoscaled, tuned, multi-zone. */
export function multiPoolStack(version = "4.18"): StackConfig {
    return offlineStack(
        {
            "cluster-capacity:cluster": { name: "multi", infraId: "multi-q7w2e", openshiftVersion: version, region: "us-east-2" },
        },
        [
            gpuPool("t4", {
                instanceType: "g4dn.xlarge",
                zones: ["us-east-2a", "us-east-2b", "us-east-2c"],
                autoscaling: { minReplicas: 0, maxReplicas: 3 },
            }),
            gpuPool("a10g-spot", { instanceType: "g5.2xlarge", market: "spot", replicas: 2 }),
            gpuPool("h100", {
                instanceType: "p5.48xlarge",
                zones: ["us-east-2b"],
                autoscaling: { minReplicas: 0, maxReplicas: 2 },
                kernelArguments: ["iommu=pt"],
                sysctls: { "net.core.rmem_max": 16777216 },
                taints: [{ key: "nvidia.com/gpu", value: "h100", effect: "NoSchedule" }],
                rootVolume: { sizeGiB: 1000, type: "io2", iops: 16000, kmsKeyArn: "arn:aws:kms:us-east-2:111122223333:key/abc" },
            }),
        ],
    );
}

export const BLOCK_ID = "cr-0a1b2c3d4e5f60718";
export const ODCR_ID = "cr-0f0e0d0c0b0a09080";
const DAY = 24 * 60 * 60 * 1000;
/** An ISO date `days` from now (negative: in the past). */
export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** What AWS says of the reserved stack's reservations: a running 2-machine p5 Capacity Block and a 4-machine g6e ODCR. */
export function reservations(overrides: Record<string, Record<string, unknown>> = {}): Record<string, Record<string, unknown>> {
    return {
        [BLOCK_ID]: {
            kind: "capacity-block",
            instanceType: "p5.48xlarge",
            availabilityZone: "us-east-2a",
            instanceCount: 2,
            startDate: daysFromNow(-1),
            endDate: daysFromNow(13),
            ...overrides[BLOCK_ID],
        },
        [ODCR_ID]: {
            kind: "on-demand",
            instanceType: "g6e.12xlarge",
            availabilityZone: "us-east-2b",
            instanceCount: 4,
            ...overrides[ODCR_ID],
        },
    };
}

/**
 * A 4.19 cluster with a p5 Capacity Block pool, a reserved g6e pool (both reservations only) and
 * a spot g6 pool over two zones.
 */
export function reservedStack(pools: Record<string, PoolEntry> = {}, facts = reservations(), extra: StackConfig = {}): StackConfig {
    const entries = [
        gpuPool("p5", {
            instanceType: "p5.48xlarge",
            zones: undefined,
            replicas: undefined,
            autoscaling: { minReplicas: 0, maxReplicas: 2 },
            capacityReservations: [BLOCK_ID],
            ...pools.p5,
        }),
        gpuPool("g6e", { instanceType: "g6e.12xlarge", zones: undefined, replicas: 4, capacityReservations: [ODCR_ID], ...pools.g6e }),
        gpuPool("g6", {
            instanceType: "g6.4xlarge",
            market: "spot",
            zones: ["us-east-2a", "us-east-2b"],
            autoscaling: { minReplicas: 0, maxReplicas: 3 },
            ...pools.g6,
        }),
    ].map((entry) => Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)));
    return offlineStack(
        {
            ...explicitNetwork([{ zones: ["us-east-2a", "us-east-2b", "us-east-2c"] }]),
            "cluster-capacity:cluster": { name: "train", infraId: "train-x7k2p", openshiftVersion: "4.19", region: "us-east-2" },
            "cluster-capacity:capacityReservations": facts,
            ...extra,
        },
        entries,
    );
}

/** AWS for a training cluster: the prod account, with a P quota and EFA facts per type. */
export const TRAINING_AWS: AwsFixture = {
    ...PROD_AWS,
    quotas: { ...PROD_AWS.quotas, "L-417A185B": 384 },
    instanceTypes: {
        "p5.48xlarge": { vcpus: 192, memoryMiB: 2048 * 1024, gpus: 8, gpuModel: "NVIDIA H100", efaSupported: true },
        "g6.xlarge": { vcpus: 4, memoryMiB: 16 * 1024, gpus: 1, gpuModel: "NVIDIA L4", efaSupported: false },
    },
};

/** The prod cluster with one p5 training pool; `smokeTests` adds the smoke-test Jobs. */
export const trainingStack = (pool: PoolEntry = {}, smokeTests = false): StackConfig => ({
    ...stackFixture("prod"),
    ...(smokeTests && { "cluster-capacity:smokeTests": true }),
    "cluster-capacity:pools": [
        gpuPool("h100", {
            instanceType: "p5.48xlarge",
            zones: ["us-east-1a"],
            autoscaling: { minReplicas: 0, maxReplicas: 2 },
            efa: true,
            placementGroup: { name: "prod-east-h100", create: true },
            ...pool,
        }),
    ],
});

/** The teams of teamsStack: research, inference and batch sharing 50/30/20; research and inference limited to some priority classes. */
export const TEAMS = [
    { name: "research", namespaces: [{ name: "ml-research" }], share: 0.5, borrowingLimit: 0.5, priorityClasses: ["training", "batch"] },
    { name: "inference", namespaces: [{ name: "serving" }], share: 0.3, priorityClasses: ["inference"] },
    { name: "batch", namespaces: [{ name: "batch-jobs" }], share: 0.2, lendingLimit: 0.5, fairSharingWeight: 0.5 },
];

export const PRIORITY_CLASSES = [
    { name: "training", value: 1000 },
    { name: "inference", value: 500 },
    { name: "batch", value: 100 },
];

/** GPU as a service for teams over an H100 training pool, an A100 pool and an L4 inference pool (4.18, Red Hat build of Kueue). */
export function teamsStack(teams: Record<string, unknown>[] = TEAMS, extra: StackConfig = {}): StackConfig {
    return offlineStack(
        {
            "cluster-capacity:kueue": {
                enabled: true,
                operator: { enabled: true },
                priorityClasses: PRIORITY_CLASSES,
                ...(teams.length > 0 ? { teams } : {}),
            },
            ...extra,
        },
        [
            gpuPool("h100", { instanceType: "p5.48xlarge", autoscaling: { minReplicas: 0, maxReplicas: 2 } }),
            gpuPool("a100", { instanceType: "p4d.24xlarge", autoscaling: { minReplicas: 0, maxReplicas: 1 } }),
            gpuPool("l4", {
                instanceType: "g6.4xlarge",
                zones: ["us-east-2a", "us-east-2b"],
                autoscaling: { minReplicas: 0, maxReplicas: 3 },
            }),
        ],
    );
}

/**
 * The teams of teamsStack over the same H100, A100 and L4 pools, with the GPU Operator and smoke
 * tests; `migs` gives pools MIG layouts (default: the A100 pool's GPUs split `all-1g.10gb`).
 */
export function migTeamsStack(
    migs: Record<string, Record<string, unknown>> = { a100: { profile: "all-1g.10gb" } },
    extra: StackConfig = {},
): StackConfig {
    const stack = teamsStack(TEAMS, {
        "cluster-capacity:gpuOperator": { enabled: true },
        "cluster-capacity:smokeTests": true,
        ...extra,
    });
    // An autoscaled MIG pool keeps a node per MachineSet: the autoscaler grows an empty one for nvidia.com/gpu only.
    const pools = (stack["cluster-capacity:pools"] as PoolEntry[]).map((p) => {
        const mig = migs[p.name as string];
        const autoscaling = p.autoscaling as { maxReplicas: number } | undefined;
        return mig ? { ...p, mig, ...(autoscaling && { autoscaling: { minReplicas: 1, maxReplicas: autoscaling.maxReplicas } }) } : p;
    });
    return { ...stack, "cluster-capacity:pools": pools };
}

/** Plain Kubernetes with two Kueue teams whose ClusterQueues admit through ProvisioningRequests. */
export function provisioningStack(kueue: Record<string, unknown> = {}): StackConfig {
    return offlineStack(
        {
            "cluster-capacity:cluster": { name: "lab", platform: "kubernetes" },
            "cluster-capacity:instanceTypes": { "rtx.4090": { vcpus: 16, memoryMiB: 65536, gpus: 1 } },
            "cluster-capacity:kueue": {
                enabled: true,
                provisioning: true,
                teams: [
                    { name: "vision", namespaces: [{ name: "vision" }], share: 0.5 },
                    { name: "speech", namespaces: [{ name: "speech" }], share: 0.5 },
                ],
                ...kueue,
            },
        },
        [gpuPool("rtx", { instanceType: "rtx.4090", zones: ["garage"], replicas: 4 })],
    );
}

/** A 4.18 cluster with the GPU Operator's driver per pool: an H100 pool with its own driver and upgrade policy, an L4 pool on the default version. */
export function driverPerPoolStack(gpuOperator: Record<string, unknown> = {}): StackConfig {
    return offlineStack(
        {
            "cluster-capacity:gpuOperator": { enabled: true, driverPerPool: true, driverVersion: "570.195.03", ...gpuOperator },
        },
        [
            gpuPool("h100", {
                instanceType: "p5.48xlarge",
                autoscaling: { minReplicas: 0, maxReplicas: 1 },
                driver: { version: "580.95.05", upgradePolicy: { maxParallelUpgrades: 2 } },
            }),
            gpuPool("l4", { instanceType: "g6.4xlarge" }),
        ],
    );
}

/** Stacks that together render every kind of object the program can: the schema and e2e suites apply them all. */
/** A stack on a current release with the GPU Operator, Kueue and the Neuron stack, nothing pinned. */
export function currentReleaseStack(openshiftVersion: string): StackConfig {
    return offlineStack(
        {
            "cluster-capacity:cluster": { name: "current", infraId: "current-r4t5y", openshiftVersion, region: "us-east-2" },
            "cluster-capacity:gpuOperator": { enabled: true },
            "cluster-capacity:kueue": { enabled: true, operator: { enabled: true }, namespaces: [{ name: "ml", create: true }] },
            "cluster-capacity:neuron": { enabled: true },
        },
        [
            gpuPool("l4", { autoscaling: { minReplicas: 0, maxReplicas: 2 }, timeSlicing: 2 }),
            gpuPool("inf2", { accelerator: "neuron", instanceType: "inf2.xlarge" }),
        ],
    );
}

export const SCENARIOS: [string, StackConfig, AwsFixture?][] = [
    ["a 4.21 cluster with the GPU Operator, Kueue and Neuron, nothing pinned", currentReleaseStack("4.21")],
    ["a 4.22 cluster with the GPU Operator, Kueue and Neuron, nothing pinned", currentReleaseStack("4.22")],
    ["the dev stack", stackFixture("dev")],
    ["GPU as a service for three teams over H100, A100 and L4 pools", teamsStack()],
    ["three teams over whole H100 GPUs, an A100 pool sliced all-1g.10gb by MIG and an L4 pool", migTeamsStack()],
    [
        "a custom MIG layout on an H100 pool beside an all-balanced A100 pool",
        migTeamsStack({ h100: { profile: "serving-mix", devices: { "3g.40gb": 1, "1g.10gb": 4 } }, a100: { profile: "all-balanced" } }),
    ],
    ["a training pool with EFA, a placement group, the EFA device plugin and smoke tests", trainingStack({}, true), TRAINING_AWS],
    [
        "a 4.19 cluster with a Capacity Block pool, a reserved and on-demand pool, a spot pool with an on-demand fallback, health checks and Kueue",
        reservedStack({ g6e: { zones: ["us-east-2b"] }, g6: { onDemandFallback: true } }, reservations(), {
            "cluster-capacity:kueue": { enabled: true },
        }),
    ],
    ["the prod stack", stackFixture("prod"), PROD_AWS],
    ["a multi-pool 4.18 cluster", multiPoolStack()],
    ["a multi-pool 4.15 cluster", multiPoolStack("4.15")],
    [
        "a cluster with a retired pool",
        offlineStack({}, [
            gpuPool("l4", { retired: true, autoscaling: { minReplicas: 0, maxReplicas: 2 } }),
            gpuPool("l4-b", { autoscaling: { minReplicas: 0, maxReplicas: 1 } }),
        ]),
    ],
    [
        "a 4.19 cluster with spot and Inferentia pools, the Neuron stack, Kueue and smoke tests",
        offlineStack(
            {
                "cluster-capacity:cluster": { name: "inf", infraId: "inf-q2w3e", openshiftVersion: "4.19", region: "us-east-2" },
                "cluster-capacity:neuron": { enabled: true, neuronCoreQuota: true },
                "cluster-capacity:gpuOperator": { enabled: true },
                "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "inference", create: true }] },
                "cluster-capacity:smokeTests": true,
            },
            [
                gpuPool("starter", {
                    instanceType: "g6.xlarge",
                    market: "spot",
                    autoscaling: { minReplicas: 0, maxReplicas: 1 },
                    timeSlicing: 2,
                }),
                gpuPool("inf2", { accelerator: "neuron", instanceType: "inf2.xlarge" }),
            ],
        ),
    ],
    [
        "a Kueue v1beta1 cluster with a cohort, priority classes, HardwareProfiles and the Kueue operator",
        offlineStack(
            {
                "cluster-capacity:kueue": {
                    enabled: true,
                    apiVersion: "v1beta1",
                    cohort: "research",
                    operator: { enabled: true },
                    namespaces: [{ name: "team-a" }],
                    priorityClasses: [{ name: "interactive", value: 1000, description: "notebooks" }],
                    hardwareProfiles: { enabled: true, localQueue: "team-a-queue" },
                },
            },
            [gpuPool("l4"), gpuPool("l4-quad", { instanceType: "g6.12xlarge" })],
        ),
    ],
    [
        "a plain Kubernetes cluster with the GPU Operator from Helm and Kueue",
        offlineStack(
            {
                "cluster-capacity:cluster": { name: "homelab", platform: "kubernetes" },
                "cluster-capacity:instanceTypes": { "rtx.4090": { vcpus: 16, memoryMiB: 65536, gpus: 1 } },
                "cluster-capacity:gpuOperator": { enabled: true },
                "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "lab" }] },
            },
            [gpuPool("rtx", { instanceType: "rtx.4090", zones: ["garage"], timeSlicing: 2 })],
        ),
    ],
    ["a plain Kubernetes cluster with Kueue teams admitted through ProvisioningRequests", provisioningStack()],
    ["a 4.18 cluster with the NVIDIA driver per pool", driverPerPoolStack()],
    [
        "an Inferentia pool on 4.19 with boot-image management",
        offlineStack(
            {
                "cluster-capacity:cluster": { name: "inf", infraId: "inf-abcde", openshiftVersion: "4.19", region: "us-east-2" },
                "cluster-capacity:neuron": { enabled: true },
                "cluster-capacity:ami": { id: "ami-0123456789abcdef0", managedByCluster: true },
            },
            [gpuPool("inf2", { accelerator: "neuron", instanceType: "inf2.8xlarge", autoscaling: { minReplicas: 0, maxReplicas: 2 } })],
        ),
    ],
];
