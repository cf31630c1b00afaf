/**
 * Defaults and cross-field rules of the GPU Operator, Kueue, Neuron and smoke-test settings.
 * Called by validate.ts once the schema has accepted the raw values.
 */
import { ConfigProblem, problem } from "../errors";
import type { ClusterConfig, GpuOperatorConfig, KueueConfig, NeuronConfig, PoolConfig } from "./types";

export interface RawGpuOperator {
    enabled?: boolean;
    install?: GpuOperatorConfig["install"];
    channel?: string;
    version?: string;
    installPlanApproval?: GpuOperatorConfig["installPlanApproval"];
    nfd?: boolean;
    mig?: { strategy?: GpuOperatorConfig["migStrategy"] };
    monitoring?: { serviceMonitor?: boolean; dashboard?: boolean; idleGpuAlert?: Partial<GpuOperatorConfig["monitoring"]["idleGpuAlert"]> };
}

export interface RawKueue {
    enabled?: boolean;
    apiVersion?: KueueConfig["apiVersion"];
    operator?: Partial<KueueConfig["operator"]>;
    clusterQueue?: string;
    cohort?: string;
    queueingStrategy?: KueueConfig["queueingStrategy"];
    preemption?: Partial<KueueConfig["preemption"]>;
    namespaces?: { name: string; localQueue?: string; create?: boolean }[];
    priorityClasses?: KueueConfig["priorityClasses"];
    hardwareProfiles?: Partial<KueueConfig["hardwareProfiles"]>;
}

export interface RawNeuron {
    enabled?: boolean;
    neuronCoreQuota?: boolean;
    operatorChannel?: string;
    operatorSource?: string;
    images?: Partial<NeuronConfig["images"]>;
    driverVersion?: string;
}

/**
 * Images of the AWS Neuron operator's DeviceConfig, as in the operator's v1.3.0 example. The
 * custom scheduler should track the cluster's Kubernetes minor version: override per cluster.
 */
export const DEFAULT_NEURON_IMAGES: NeuronConfig["images"] = {
    drivers: "public.ecr.aws/os-partners/neuron-openshift/neuron-kernel-module:2.28.0.0",
    devicePlugin: "public.ecr.aws/neuron/neuron-device-plugin:2.30.0.0",
    customScheduler: "public.ecr.aws/eks-distro/kubernetes/kube-scheduler:v1.35.5-eks-1-35-10",
    schedulerExtension: "public.ecr.aws/neuron/neuron-scheduler:2.30.0.0",
    nodeMetrics: "public.ecr.aws/neuron/neuron-monitor:1.10.0",
};

export const DEFAULT_SMOKE_TEST_IMAGES = {
    nvidia: "nvcr.io/nvidia/cuda:12.8.1-base-ubi9",
    neuron: "public.ecr.aws/neuron/pytorch-inference-neuronx:2.7.0-neuronx-py310-sdk2.24.1-ubuntu22.04",
};

export function resolveGpuOperator(raw: RawGpuOperator | undefined, cluster: ClusterConfig, problems: ConfigProblem[]): GpuOperatorConfig {
    const openshift = cluster.platform === "openshift";
    const install = raw?.install ?? (openshift ? "olm" : "helm");
    if (raw?.enabled && install === "olm" && !openshift) {
        problems.push(
            problem(
                ["gpuOperator", "install"],
                install,
                "helm on plain Kubernetes: OLM and the certified operator catalog exist on OpenShift only",
            ),
        );
    }
    if (raw?.enabled && install === "helm" && openshift) {
        problems.push(problem(["gpuOperator", "install"], install, "olm on OpenShift, where NVIDIA supports the certified operator"));
    }
    if (raw?.monitoring?.dashboard && !openshift) {
        problems.push(
            problem(
                ["gpuOperator", "monitoring", "dashboard"],
                true,
                "false on plain Kubernetes: the dashboard is an OpenShift console ConfigMap",
            ),
        );
    }
    const version = raw?.version;
    return {
        enabled: raw?.enabled ?? false,
        install,
        channel: raw?.channel ?? (version ? `v${version.split(".").slice(0, 2).join(".")}` : "stable"),
        version,
        // A pinned release is only pinned if OLM may not upgrade it on its own.
        installPlanApproval: raw?.installPlanApproval ?? (version ? "Manual" : "Automatic"),
        nfd: raw?.nfd ?? true,
        migStrategy: raw?.mig?.strategy ?? "single",
        monitoring: {
            serviceMonitor: raw?.monitoring?.serviceMonitor ?? openshift,
            dashboard: raw?.monitoring?.dashboard ?? openshift,
            idleGpuAlert: {
                enabled: raw?.monitoring?.idleGpuAlert?.enabled ?? openshift,
                utilizationPercent: raw?.monitoring?.idleGpuAlert?.utilizationPercent ?? 5,
                windowMinutes: raw?.monitoring?.idleGpuAlert?.windowMinutes ?? 60,
            },
        },
    };
}

export function resolveKueue(
    raw: RawKueue | undefined,
    cluster: ClusterConfig,
    pools: PoolConfig[],
    problems: ConfigProblem[],
): KueueConfig {
    const namespaces = (raw?.namespaces ?? []).map((ns) => ({
        name: ns.name,
        localQueue: ns.localQueue ?? `${ns.name}-queue`,
        create: ns.create ?? false,
    }));
    const localQueues = namespaces.map((ns) => ns.localQueue);
    const kueue: KueueConfig = {
        enabled: raw?.enabled ?? false,
        apiVersion: raw?.apiVersion ?? "v1beta2",
        operator: {
            enabled: raw?.operator?.enabled ?? false,
            channel: raw?.operator?.channel ?? "stable",
            frameworks: raw?.operator?.frameworks ?? ["BatchJob", "PyTorchJob", "RayJob", "RayCluster"],
        },
        clusterQueue: raw?.clusterQueue ?? "gpu-cluster-queue",
        cohort: raw?.cohort,
        queueingStrategy: raw?.queueingStrategy ?? "BestEffortFIFO",
        preemption: {
            withinClusterQueue: raw?.preemption?.withinClusterQueue ?? "LowerPriority",
            reclaimWithinCohort: raw?.preemption?.reclaimWithinCohort ?? (raw?.cohort ? "Any" : "Never"),
        },
        namespaces,
        priorityClasses: raw?.priorityClasses ?? [],
        hardwareProfiles: {
            enabled: raw?.hardwareProfiles?.enabled ?? false,
            namespace: raw?.hardwareProfiles?.namespace ?? "redhat-ods-applications",
            // With one LocalQueue there is nothing to choose; with several the user must say which.
            localQueue: raw?.hardwareProfiles?.localQueue ?? (localQueues.length === 1 ? localQueues[0] : undefined),
        },
    };
    if (!kueue.enabled) return kueue;
    if (pools.length === 0) {
        problems.push(
            problem(
                ["kueue", "enabled"],
                true,
                "at least one pool in cluster-capacity:pools: the ClusterQueue's quota comes from the pools",
            ),
        );
    }
    if (kueue.operator.enabled && cluster.platform !== "openshift") {
        problems.push(
            problem(
                ["kueue", "operator", "enabled"],
                true,
                "false on plain Kubernetes: the Red Hat build of Kueue is an OpenShift operator",
            ),
        );
    }
    const seen = new Map<string, number>();
    namespaces.forEach((ns, index) => {
        const first = seen.get(ns.name);
        if (first !== undefined) {
            problems.push(problem(["kueue", "namespaces", index, "name"], ns.name, `a namespace not listed before (namespaces[${first}])`));
        }
        seen.set(ns.name, index);
    });
    const priorityNames = kueue.priorityClasses.map((p) => p.name);
    priorityNames.forEach((name, index) => {
        if (priorityNames.indexOf(name) !== index) {
            problems.push(problem(["kueue", "priorityClasses", index, "name"], name, "a priority class name not listed before"));
        }
    });
    if (kueue.hardwareProfiles.enabled && cluster.platform !== "openshift") {
        problems.push(
            problem(["kueue", "hardwareProfiles", "enabled"], true, "false on plain Kubernetes: HardwareProfiles belong to OpenShift AI"),
        );
    }
    if (
        kueue.hardwareProfiles.enabled &&
        (!kueue.hardwareProfiles.localQueue || !localQueues.includes(kueue.hardwareProfiles.localQueue))
    ) {
        const expected =
            localQueues.length === 0
                ? "a LocalQueue for the profiles to submit to: configure kueue.namespaces first"
                : `the LocalQueue the profiles submit to, one of: ${localQueues.join(", ")}`;
        problems.push(problem(["kueue", "hardwareProfiles", "localQueue"], kueue.hardwareProfiles.localQueue, expected));
    }
    return kueue;
}

export function resolveNeuron(raw: RawNeuron | undefined): NeuronConfig {
    return {
        enabled: raw?.enabled ?? false,
        neuronCoreQuota: raw?.neuronCoreQuota ?? false,
        operatorChannel: raw?.operatorChannel ?? "stable",
        operatorSource: raw?.operatorSource ?? "community-operators",
        images: { ...DEFAULT_NEURON_IMAGES, ...raw?.images },
        driverVersion: raw?.driverVersion,
    };
}

/** Time-slicing is configured through the GPU Operator's device plugin, so it needs the operator. */
export function checkTimeSlicing(pools: PoolConfig[], gpuOperator: GpuOperatorConfig, problems: ConfigProblem[]): void {
    pools.forEach((pool, index) => {
        if (pool.timeSlicing !== undefined && !gpuOperator.enabled) {
            problems.push(
                problem(
                    ["pools", index, "timeSlicing"],
                    pool.timeSlicing,
                    "no time-slicing unless cluster-capacity:gpuOperator.enabled is true (its device plugin shares the GPUs)",
                ),
            );
        }
    });
}
