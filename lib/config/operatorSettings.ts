/**
 * Defaults and cross-field rules of the GPU Operator (MIG strategy, time-slicing, driver per pool,
 * channels), Kueue (teams, provisioning, operator), Neuron and the smoke-test images. Called by
 * validate.ts once the schema has accepted the raw values.
 */
import { ConfigProblem, PathSegment, problem } from "../errors";
import {
    compareVersions,
    firstLineWith,
    gpuOperatorSupport,
    imageKubernetesMinor,
    matrixRange,
    PlatformRow,
    platformRow,
    releaseLine,
} from "../versionMatrix";
import { isUniformLayout } from "./pool";
import type { ClusterConfig, GpuOperatorConfig, KueueConfig, KueueTeam, NeuronConfig, OperatorChannels, PoolConfig } from "./types";

export interface RawGpuOperator {
    enabled?: boolean;
    install?: GpuOperatorConfig["install"];
    channel?: string;
    version?: string;
    installPlanApproval?: GpuOperatorConfig["installPlanApproval"];
    nfd?: boolean;
    driverPerPool?: boolean;
    driverVersion?: string;
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
    provisioning?: boolean;
    provisioningClass?: string;
    teams?: (Omit<KueueTeam, "namespaces"> & { namespaces: { name: string; localQueue?: string; create?: boolean }[] })[];
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
 * Images of the AWS Neuron operator's DeviceConfig, as in its sample on main (the 1.3.0 bundle's
 * alm-examples, awslabs/operator-for-ai-chips-on-aws `config/samples/k8s.aws_deviceconfigs.yaml`).
 * The custom scheduler comes from the version matrix instead: it must not be newer than the
 * cluster's Kubernetes, and the sample's v1.35 is newer than 4.19's and 4.20's.
 */
const DEFAULT_NEURON_IMAGES: Omit<NeuronConfig["images"], "customScheduler"> = {
    drivers: "public.ecr.aws/os-partners/neuron-openshift/neuron-kernel-module:2.28.0.0",
    devicePlugin: "public.ecr.aws/neuron/neuron-device-plugin:2.30.0.0",
    schedulerExtension: "public.ecr.aws/neuron/neuron-scheduler:2.30.0.0",
    nodeMetrics: "public.ecr.aws/neuron/neuron-monitor:1.10.0",
};

export const DEFAULT_SMOKE_TEST_IMAGES = {
    nvidia: "nvcr.io/nvidia/cuda:12.8.1-base-ubi9",
    neuron: "public.ecr.aws/neuron/pytorch-inference-neuronx:2.7.0-neuronx-py310-sdk2.24.1-ubuntu22.04",
};

/**
 * The ClusterPolicy's MIG strategy, which names what MIG nodes advertise (lib/plan/mig.ts): `single`
 * (MIG devices as nvidia.com/gpu) needs one kind of device per node, so it is the default only
 * when every GPU pool has the same such layout; otherwise `mixed` (nvidia.com/mig-<profile>).
 * Without MIG pools: as configured, default single (the GPU Operator's default).
 */
export function resolveMigStrategy(
    pools: readonly { accelerator?: string; mig?: { profile: string; devices?: Record<string, number> } }[],
    configured: GpuOperatorConfig["migStrategy"] | undefined,
    problems: ConfigProblem[],
): GpuOperatorConfig["migStrategy"] {
    const gpuPools = pools.filter((p) => p.accelerator === "nvidia");
    const migPools = pools.map((pool, index) => ({ pool, index })).filter(({ pool }) => pool.accelerator === "nvidia" && pool.mig);
    if (migPools.length === 0) return configured ?? "single";
    const layoutKey = (p: (typeof pools)[number]) => JSON.stringify(p.mig ?? null);
    const mixedLayouts = migPools.filter(({ pool }) => !isUniformLayout(pool.mig!));
    const at = ["gpuOperator", "mig", "strategy"];
    if (configured === "none") {
        problems.push(
            problem(
                at,
                configured,
                `single or mixed (or leave it out): pool(s) ${migPools.map(({ pool }) => (pool as { name?: string }).name).join(", ")} use MIG`,
            ),
        );
        return "mixed";
    }
    if (configured === "single") {
        for (const { pool, index } of mixedLayouts) {
            problems.push(
                problem(
                    ["pools", index, "mig", "profile"],
                    pool.mig!.profile,
                    "a layout of one MIG device kind under gpuOperator.mig.strategy single (the device plugin refuses a node with several kinds), or strategy mixed",
                ),
            );
        }
        return "single";
    }
    if (configured === "mixed") return "mixed";
    const alike = migPools.length === gpuPools.length && new Set(gpuPools.map(layoutKey)).size === 1;
    return alike && mixedLayouts.length === 0 ? "single" : "mixed";
}

export function resolveGpuOperator(
    raw: RawGpuOperator | undefined,
    cluster: ClusterConfig,
    migStrategy: GpuOperatorConfig["migStrategy"],
    problems: ConfigProblem[],
): GpuOperatorConfig {
    const openshift = cluster.platform === "openshift";
    const install = raw?.install ?? (openshift ? "olm" : "helm");
    const version = raw?.version;
    // The support check of a pinned release runs whether or not the channel is given too.
    const derivedChannel = gpuOperatorChannel(raw, cluster, install, problems);
    const channel = raw?.channel ?? derivedChannel;
    return {
        enabled: raw?.enabled ?? false,
        install,
        channel,
        version,
        // A pinned release is only pinned if OLM may not upgrade it on its own.
        installPlanApproval: raw?.installPlanApproval ?? (version ? "Manual" : "Automatic"),
        nfd: raw?.nfd ?? true,
        driverPerPool: raw?.driverPerPool ?? false,
        ...(raw?.driverVersion && { driverVersion: raw.driverVersion }),
        migStrategy,
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

/** The GPU Operator's platform rules: OLM on OpenShift, Helm elsewhere, the console dashboard on OpenShift only. */
export function checkGpuOperator(
    raw: RawGpuOperator | undefined,
    gpuOperator: GpuOperatorConfig,
    cluster: ClusterConfig,
    problems: ConfigProblem[],
): void {
    const openshift = cluster.platform === "openshift";
    const { install } = gpuOperator;
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
}

const outsideMatrix = (cluster: ClusterConfig) =>
    `OpenShift 4.${cluster.openshiftVersion.minor} is outside the version matrix (${matrixRange()}), so there is no known-good default`;

/**
 * The OLM channel of the GPU Operator: the pinned release's line, else the matrix's default line;
 * a pinned release NVIDIA does not support on the cluster's OpenShift is an error.
 */
function gpuOperatorChannel(
    raw: RawGpuOperator | undefined,
    cluster: ClusterConfig,
    install: GpuOperatorConfig["install"],
    problems: ConfigProblem[],
): string {
    const version = raw?.version;
    if (install !== "olm" || cluster.platform !== "openshift") return version ? `v${releaseLine(version)}` : "stable";
    const row = platformRow(cluster.openshiftVersion);
    if (row && version) {
        const support = gpuOperatorSupport(row, version);
        if (!support.ok && raw?.enabled) {
            problems.push(
                problem(
                    ["gpuOperator", "version"],
                    version,
                    `a GPU Operator release NVIDIA supports on OpenShift 4.${cluster.openshiftVersion.minor} (${support.why}): ${supportedLines(row)}`,
                ),
            );
        }
    }
    if (version) return `v${releaseLine(version)}`;
    if (!row) {
        if (raw?.enabled) {
            problems.push(
                problem(["gpuOperator", "version"], undefined, `a pinned release (or gpuOperator.channel): ${outsideMatrix(cluster)}`),
            );
        }
        return "stable";
    }
    return `v${row.gpuOperator.defaultLine}`;
}

function supportedLines(row: PlatformRow): string {
    return `lines ${row.gpuOperator.lines.map((l) => (l.from ? `${l.line} (${l.from} or later)` : l.line)).join(", ")}`;
}

/** An explicit GPU Operator channel must name a supported line, and the pinned release's if there is one. */
export function checkGpuOperatorChannel(
    config: { gpuOperator: GpuOperatorConfig; cluster: ClusterConfig },
    explicit: boolean,
    problems: ConfigProblem[],
): void {
    const { gpuOperator, cluster } = config;
    if (!explicit || !gpuOperator.enabled || gpuOperator.install !== "olm") return;
    const line = /^v(\d+\.\d+)$/.exec(gpuOperator.channel)?.[1];
    if (gpuOperator.version && gpuOperator.channel !== `v${releaseLine(gpuOperator.version)}`) {
        problems.push(
            problem(
                ["gpuOperator", "channel"],
                gpuOperator.channel,
                `v${releaseLine(gpuOperator.version)}, the channel of the pinned release ${gpuOperator.version} (or leave channel out)`,
            ),
        );
        return;
    }
    const row = platformRow(cluster.openshiftVersion);
    if (row && line && !row.gpuOperator.lines.some((l) => l.line === line)) {
        problems.push(
            problem(
                ["gpuOperator", "channel"],
                gpuOperator.channel,
                `a channel of a release line NVIDIA supports on OpenShift 4.${cluster.openshiftVersion.minor}: ${row.gpuOperator.lines.map((l) => `v${l.line}`).join(", ")}`,
            ),
        );
    }
}

/** NFD and KMM have one channel, `stable`, on every OpenShift release the matrix knows. */
export function resolveOperatorChannels(cluster: ClusterConfig): OperatorChannels {
    const row = platformRow(cluster.openshiftVersion);
    return {
        nfd: {
            channel: row?.nfd.channel ?? "stable",
            // Newer releases keep the field; older ones are in the matrix.
            workerTolerations: row?.nfd.workerTolerations ?? cluster.openshiftVersion.minor >= 19,
        },
        kmm: { channel: row?.kmm.channel ?? "stable" },
    };
}

/**
 * Before OpenShift 4.19 the NFD worker DaemonSet tolerates NoSchedule taints only, and no field adds
 * more: GPU nodes tainted NoExecute get no NFD labels, so the GPU Operator never deploys there.
 */
export function checkNfdReachesGpuNodes(
    pools: PoolConfig[],
    gpuOperator: GpuOperatorConfig,
    channels: OperatorChannels,
    cluster: ClusterConfig,
    problems: ConfigProblem[],
): void {
    if (!gpuOperator.enabled || gpuOperator.install !== "olm" || channels.nfd.workerTolerations) return;
    pools.forEach((pool, index) => {
        const taintIndex = pool.taints.findIndex((t) => t.effect === "NoExecute");
        if (pool.accelerator === "nvidia" && taintIndex >= 0) {
            problems.push(
                problem(
                    ["pools", index, "taints", taintIndex, "effect"],
                    "NoExecute",
                    `NoSchedule on OpenShift 4.${cluster.openshiftVersion.minor}: its Node Feature Discovery worker tolerates NoSchedule taints only (workerTolerations exist from 4.19), so the GPU Operator would never reach these nodes`,
                ),
            );
        }
    });
}

/** Scale the pools up for a whole gang or not at all: what a gang job waiting for capacity needs. */
const DEFAULT_PROVISIONING_CLASS = "best-effort-atomic-scale-up.autoscaling.x-k8s.io";

/** The cohort of the teams' ClusterQueues unless `kueue.cohort` names one. */
const DEFAULT_TEAM_COHORT = "gpu-as-a-service";

/**
 * Teams: unique names (each is a ClusterQueue), one of share or nominal, a namespace in one team
 * only and not also in `kueue.namespaces` (its LocalQueue would point at two ClusterQueues), and
 * shares that do not add up past the pools. Nominal GPUs are checked against the pools later.
 */
function checkTeams(kueue: KueueConfig, cluster: ClusterConfig, problems: ConfigProblem[]): void {
    if (kueue.teams.length > 0 && kueue.namespaces.length > 0) {
        problems.push(
            problem(
                ["kueue", "namespaces"],
                kueue.namespaces.map((ns) => ns.name),
                "no namespaces beside teams: with teams every namespace belongs to a team's queue",
            ),
        );
    }
    const owner = new Map<string, string>(kueue.namespaces.map((ns) => [ns.name, "kueue.namespaces"]));
    const names = new Set<string>();
    kueue.teams.forEach((team, index) => {
        const at = (...rest: PathSegment[]): PathSegment[] => ["kueue", "teams", index, ...rest];
        if (names.has(team.name) || team.name === kueue.clusterQueue) {
            problems.push(
                problem(
                    at("name"),
                    team.name,
                    `a team name used once and not the ClusterQueue's (${kueue.clusterQueue}): it names the team's ClusterQueue`,
                ),
            );
        }
        names.add(team.name);
        if ((team.share === undefined) === (team.nominal === undefined)) {
            problems.push(
                problem(
                    at("share"),
                    team.share,
                    "either share (a fraction of every flavor) or nominal (GPUs per flavor), not both or neither",
                ),
            );
        }
        const known = kueue.priorityClasses.map((p) => p.name);
        team.priorityClasses?.forEach((name, n) => {
            if (!known.includes(name)) {
                problems.push(
                    problem(
                        at("priorityClasses", n),
                        name,
                        `a WorkloadPriorityClass of kueue.priorityClasses (${known.length > 0 ? known.join(", ") : "none is defined"})`,
                    ),
                );
            }
        });
        // ValidatingAdmissionPolicy is GA from Kubernetes 1.30 (OpenShift 4.17).
        if (team.priorityClasses && cluster.platform === "openshift" && cluster.openshiftVersion.minor < 17) {
            problems.push(
                problem(
                    at("priorityClasses"),
                    team.priorityClasses,
                    `none on OpenShift 4.${cluster.openshiftVersion.minor}: they are enforced by a ValidatingAdmissionPolicy, GA from 4.17 (Kubernetes 1.30)`,
                ),
            );
        }
        team.namespaces.forEach((ns, n) => {
            const first = owner.get(ns.name);
            if (first !== undefined) {
                problems.push(problem(at("namespaces", n, "name"), ns.name, `a namespace of no other team or queue (${first} has it)`));
            }
            owner.set(ns.name, `kueue.teams[${index}]`);
            if (ns.create && isSystemNamespace(ns.name)) {
                problems.push(
                    problem(at("namespaces", n, "create"), true, `false for ${ns.name}: system and operator namespaces are only labelled`),
                );
            }
        });
    });
    const shared = kueue.teams.filter((t) => t.share !== undefined);
    const total = shared.reduce((sum, t) => sum + (t.share ?? 0), 0);
    if (total > 1 + 1e-9) {
        problems.push(
            problem(
                ["kueue", "teams"],
                shared.map((t) => `${t.name}: ${t.share}`).join(", "),
                `shares that add up to at most 1 (they add up to ${Number(total.toFixed(6))}: more than the pools can provide)`,
            ),
        );
    }
}

/** Namespaces of the platform and of the operators this program installs. */
export function isSystemNamespace(name: string): boolean {
    return (
        name === "default" ||
        /^(openshift|kube)(-|$)/.test(name) ||
        ["nvidia-gpu-operator", "gpu-operator", "aws-neuron-operator", "redhat-ods-applications"].includes(name)
    );
}

export function resolveKueue(raw: RawKueue | undefined, cluster: ClusterConfig, problems: ConfigProblem[]): KueueConfig {
    const namespaceOf = (ns: { name: string; localQueue?: string; create?: boolean }) => ({
        name: ns.name,
        localQueue: ns.localQueue ?? `${ns.name}-queue`,
        create: ns.create ?? false,
    });
    const namespaces = (raw?.namespaces ?? []).map(namespaceOf);
    const teams: KueueTeam[] = (raw?.teams ?? []).map((team) => ({ ...team, namespaces: team.namespaces.map(namespaceOf) }));
    const localQueues = namespaces.map((ns) => ns.localQueue);
    const operatorEnabled = (raw?.enabled ?? false) && (raw?.operator?.enabled ?? false);
    const operatorChannel = kueueOperatorChannel(raw, cluster, operatorEnabled, problems);
    const kueue: KueueConfig = {
        enabled: raw?.enabled ?? false,
        apiVersion: raw?.apiVersion ?? operatorChannel?.apiVersion ?? "v1beta2",
        operator: {
            enabled: raw?.operator?.enabled ?? false,
            channel: raw?.operator?.channel ?? operatorChannel?.channel ?? "stable-v1.4",
            frameworks: raw?.operator?.frameworks ?? ["BatchJob", "PyTorchJob", "RayJob", "RayCluster"],
        },
        clusterQueue: raw?.clusterQueue ?? "gpu-cluster-queue",
        // Teams borrow and lend within one cohort.
        cohort: raw?.cohort ?? (teams.length > 0 ? DEFAULT_TEAM_COHORT : undefined),
        queueingStrategy: raw?.queueingStrategy ?? "BestEffortFIFO",
        preemption: {
            withinClusterQueue: raw?.preemption?.withinClusterQueue ?? "LowerPriority",
            // In a cohort, a queue takes back what it lent by preempting the borrowers.
            reclaimWithinCohort: raw?.preemption?.reclaimWithinCohort ?? (raw?.cohort || teams.length > 0 ? "Any" : "Never"),
        },
        namespaces,
        ...(raw?.provisioning && { provisioningClass: raw.provisioningClass ?? DEFAULT_PROVISIONING_CLASS }),
        teams,
        priorityClasses: raw?.priorityClasses ?? [],
        hardwareProfiles: {
            enabled: raw?.hardwareProfiles?.enabled ?? false,
            namespace: raw?.hardwareProfiles?.namespace ?? "redhat-ods-applications",
            // With one LocalQueue there is nothing to choose; with several the user must say which.
            localQueue: raw?.hardwareProfiles?.localQueue ?? (localQueues.length === 1 ? localQueues[0] : undefined),
        },
    };
    return kueue;
}

/** Kueue's cross-field rules, on its resolved settings and the raw values the user wrote. */
export function checkKueue(
    raw: RawKueue | undefined,
    kueue: KueueConfig,
    cluster: ClusterConfig,
    pools: readonly PoolConfig[],
    problems: ConfigProblem[],
): void {
    if (!kueue.enabled) return;
    const localQueues = kueue.namespaces.map((ns) => ns.localQueue);
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
    checkTeams(kueue, cluster, problems);
    if (kueue.provisioningClass && cluster.platform === "openshift") {
        problems.push(
            problem(
                ["kueue", "provisioning"],
                true,
                `false on OpenShift 4.${cluster.openshiftVersion.minor}: its cluster autoscaler serves ProvisioningRequests only from 4.21 and only in the DevPreviewNoUpgrade feature set (openshift/cluster-autoscaler-operator, gate ProvisioningRequestAvailable), which no production cluster runs`,
            ),
        );
    }
    if (raw?.provisioningClass && !raw.provisioning) {
        problems.push(problem(["kueue", "provisioningClass"], raw.provisioningClass, "no provisioningClass without provisioning: true"));
    }
    const seen = new Map<string, number>();
    kueue.namespaces.forEach((ns, index) => {
        // A Pulumi-owned Namespace is deleted with everything in it when it leaves the config.
        if (ns.create && isSystemNamespace(ns.name)) {
            problems.push(
                problem(
                    ["kueue", "namespaces", index, "create"],
                    true,
                    `false for ${ns.name}: system and operator namespaces are only labelled, never created or owned by this stack`,
                ),
            );
        }
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
}

/**
 * The Red Hat build of Kueue's channel (the catalog of the cluster's OpenShift decides which exist)
 * and the kueue.x-k8s.io version it serves; undefined when the operator is not installed here.
 */
function kueueOperatorChannel(
    raw: RawKueue | undefined,
    cluster: ClusterConfig,
    enabled: boolean,
    problems: ConfigProblem[],
): { channel: string; apiVersion: KueueConfig["apiVersion"] } | undefined {
    if (!enabled || cluster.platform !== "openshift") return undefined;
    const row = platformRow(cluster.openshiftVersion);
    const minor = cluster.openshiftVersion.minor;
    const requested = raw?.operator?.channel;
    if (!row) {
        if (!requested) {
            problems.push(problem(["kueue", "operator", "channel"], undefined, `an explicit channel: ${outsideMatrix(cluster)}`));
            return undefined;
        }
        // Outside the matrix the channel still tells the release: v1beta2 is served from 1.3 on.
        const minor = /^stable-v1\.(\d+)$/.exec(requested)?.[1];
        return minor === undefined ? undefined : { channel: requested, apiVersion: Number(minor) >= 3 ? "v1beta2" : "v1beta1" };
    }
    if (!row.kueueOperator) {
        problems.push(
            problem(
                ["kueue", "operator", "enabled"],
                true,
                `false on OpenShift 4.${minor}: the Red Hat build of Kueue is offered from OpenShift 4.18 (install Kueue another way and keep operator.enabled false)`,
            ),
        );
        return undefined;
    }
    const channel = requested ?? row.kueueOperator.defaultChannel;
    const known = row.kueueOperator.channels.find((c) => c.channel === channel);
    if (!known) {
        problems.push(
            problem(
                ["kueue", "operator", "channel"],
                channel,
                `a channel the OpenShift 4.${minor} catalog has (case-sensitive): ${row.kueueOperator.channels.map((c) => c.channel).join(", ")}`,
            ),
        );
        return undefined;
    }
    if (raw?.apiVersion === "v1beta2" && known.apiVersion === "v1beta1") {
        problems.push(
            problem(
                ["kueue", "apiVersion"],
                "v1beta2",
                `v1beta1: the Red Hat build of Kueue on channel ${channel} serves kueue.x-k8s.io/v1beta1 only (v1beta2 from stable-v1.3)`,
            ),
        );
    }
    return known;
}

export function resolveNeuron(raw: RawNeuron | undefined, cluster: ClusterConfig): NeuronConfig {
    const enabled = raw?.enabled ?? false;
    const row = platformRow(cluster.openshiftVersion)?.neuronOperator;
    const source = raw?.operatorSource ?? row?.source ?? "community-operators";
    const channel = raw?.operatorChannel ?? row?.defaultChannel ?? "Stable";
    const customScheduler = raw?.images?.customScheduler ?? row?.customSchedulerImage;
    return {
        enabled,
        neuronCoreQuota: raw?.neuronCoreQuota ?? false,
        operatorChannel: channel,
        operatorSource: source,
        images: { ...DEFAULT_NEURON_IMAGES, customScheduler: customScheduler ?? "", ...raw?.images },
        driverVersion: raw?.driverVersion,
    };
}

/** The Neuron operator's channel and custom scheduler against the cluster's release (version matrix). */
export function checkNeuron(neuron: NeuronConfig, cluster: ClusterConfig, problems: ConfigProblem[]): void {
    const { enabled, operatorSource: source, operatorChannel: channel } = neuron;
    const platform = platformRow(cluster.openshiftVersion);
    const row = platform?.neuronOperator;
    const customScheduler = neuron.images.customScheduler || undefined;
    const openshift = cluster.platform === "openshift";
    if (enabled && openshift && row && source === row.source && !row.channels.includes(channel)) {
        problems.push(
            problem(
                ["neuron", "operatorChannel"],
                channel,
                `a channel of aws-neuron-operator in ${source} (case-sensitive): ${row.channels.join(", ")}`,
            ),
        );
    }
    const kubernetes = platform?.kubernetes;
    const schedulerMinor = customScheduler && imageKubernetesMinor(customScheduler);
    if (enabled && openshift && !customScheduler && cluster.openshiftVersion.minor >= 19) {
        problems.push(
            problem(
                ["neuron", "images", "customScheduler"],
                undefined,
                `a kube-scheduler image of your cluster's Kubernetes minor: ${outsideMatrix(cluster)}`,
            ),
        );
    } else if (enabled && kubernetes && schedulerMinor && compareVersions(schedulerMinor, kubernetes) > 0) {
        problems.push(
            problem(
                ["neuron", "images", "customScheduler"],
                customScheduler,
                `a kube-scheduler no newer than the cluster's Kubernetes ${kubernetes} (OpenShift 4.${cluster.openshiftVersion.minor}): a scheduler may not be newer than its API server`,
            ),
        );
    }
}

/** Time-slicing and MIG are the GPU Operator's device plugin and mig-manager, so they need the operator. */
export function checkGpuSharing(pools: PoolConfig[], gpuOperator: GpuOperatorConfig, problems: ConfigProblem[]): void {
    pools.forEach((pool, index) => {
        if (pool.mig && !gpuOperator.enabled) {
            problems.push(
                problem(
                    ["pools", index, "mig"],
                    { profile: pool.mig.profile, ...(pool.mig.devices && { devices: pool.mig.devices }) },
                    "no MIG unless cluster-capacity:gpuOperator.enabled is true (its mig-manager splits the GPUs)",
                ),
            );
        }
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

/** The first GPU Operator line whose NVIDIADriver CRs coexist with a default one and take over running drivers node by node. */
/** NVIDIADriver CRs with a default one for the nodes outside the pools need its `spec.default`. */
const DRIVER_PER_POOL_MIN_LINE = firstLineWith("nvidiaDriverDefault");

/**
 * Driver per pool: NVIDIADriver CRs from GPU Operator 26.7. Before it the CRD is a technology
 * preview without a default CR, and switching deletes the ClusterPolicy's driver DaemonSets
 * outright (NVIDIA/gpu-operator release-26.3 `object_controls.go`; v26.7.0 `state_manager.go`
 * orphans them and rolls node by node). A CR without a version has no fallback and renders an
 * untagged image (v26.7.0 `internal/image/image.go`), so every CR needs one.
 */
export function checkDriverPerPool(pools: PoolConfig[], gpuOperator: GpuOperatorConfig, problems: ConfigProblem[]): void {
    pools.forEach((pool, index) => {
        if (pool.driver && !gpuOperator.driverPerPool) {
            problems.push(problem(["pools", index, "driver"], pool.driver, "no driver settings without gpuOperator.driverPerPool: true"));
        }
        if (pool.driver && pool.accelerator !== "nvidia") {
            problems.push(problem(["pools", index, "driver"], pool.driver, "no NVIDIA driver settings on a Neuron pool"));
        }
    });
    if (!gpuOperator.driverPerPool) return;
    const at = ["gpuOperator", "driverPerPool"];
    // A channel that names no line (`stable`) is refused too: its line is unknown.
    const line = /^v?(\d+\.\d+)/.exec(gpuOperator.channel)?.[1];
    if (!gpuOperator.enabled) {
        problems.push(problem(at, true, "false without gpuOperator.enabled: the NVIDIADriver CRs are the GPU Operator's"));
    } else if (gpuOperator.install !== "olm") {
        problems.push(problem(at, true, "false with the Helm install: this stack renders NVIDIADriver CRs with the OLM install only"));
    } else if (!line || compareVersions(line, DRIVER_PER_POOL_MIN_LINE) < 0) {
        problems.push(
            problem(
                at,
                true,
                `false on GPU Operator channel ${gpuOperator.channel}: NVIDIADriver CRs take over running drivers node by node only from v${DRIVER_PER_POOL_MIN_LINE} (earlier lines delete every driver pod at once and have no default CR)`,
            ),
        );
    }
    if (!gpuOperator.driverVersion) {
        problems.push(
            problem(
                ["gpuOperator", "driverVersion"],
                undefined,
                "a driver version for the default NVIDIADriver CR, which drives every GPU node outside this stack's pools",
            ),
        );
    }
}
