/**
 * Defaults and cross-field rules of the GPU Operator (MIG strategy, time-slicing, driver per pool,
 * channels), Kueue (teams, provisioning, operator), Neuron and the smoke-test images. Called by
 * validate.ts once the schema has accepted the raw values. The resolvers only apply defaults; each
 * rule returns its problems, each naming its key path, and OPERATOR_RULES (KUEUE_RULES and
 * TEAM_RULES within it) lists them in the order users see their problems.
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
 * What the rules of the operator settings read: the settings as the user wrote them, as the
 * defaults complete them, and the cluster and pools around them.
 */
export interface OperatorSettings {
    raw: { gpuOperator?: RawGpuOperator; kueue?: RawKueue };
    cluster: ClusterConfig;
    pools: readonly PoolConfig[];
    gpuOperator: GpuOperatorConfig;
    kueue: KueueConfig;
    neuron: NeuronConfig;
    operators: OperatorChannels;
}

/** One rule of the operator settings: the problems it finds, each naming its key path; none when the settings keep it. */
export type OperatorRule = (settings: OperatorSettings) => ConfigProblem[];

type MigPools = readonly { accelerator?: string; mig?: { profile: string; devices?: Record<string, number> } }[];

/** The NVIDIA pools with MIG, each with its index in `pools`. */
function migPoolsOf(pools: MigPools) {
    return pools.map((pool, index) => ({ pool, index })).filter(({ pool }) => pool.accelerator === "nvidia" && pool.mig);
}

/**
 * The ClusterPolicy's MIG strategy, which names what MIG nodes advertise (lib/plan/mig.ts): `single`
 * (MIG devices as nvidia.com/gpu) needs one kind of device per node, so it is the default only
 * when every GPU pool has the same such layout; otherwise `mixed` (nvidia.com/mig-<profile>).
 * Without MIG pools: as configured, default single (the GPU Operator's default).
 */
export function resolveMigStrategy(
    pools: MigPools,
    configured: GpuOperatorConfig["migStrategy"] | undefined,
): GpuOperatorConfig["migStrategy"] {
    const migPools = migPoolsOf(pools);
    if (migPools.length === 0) return configured ?? "single";
    if (configured === "none") return "mixed";
    if (configured === "single" || configured === "mixed") return configured;
    const gpuPools = pools.filter((p) => p.accelerator === "nvidia");
    const layoutKey = (p: MigPools[number]) => JSON.stringify(p.mig ?? null);
    const alike = migPools.length === gpuPools.length && new Set(gpuPools.map(layoutKey)).size === 1;
    return alike && migPools.every(({ pool }) => isUniformLayout(pool.mig!)) ? "single" : "mixed";
}

/** MIG pools need a MIG strategy, and `single` a layout of one device kind in every one of them. */
export function migStrategyFitsPools(pools: MigPools, configured: GpuOperatorConfig["migStrategy"] | undefined): ConfigProblem[] {
    const migPools = migPoolsOf(pools);
    if (migPools.length === 0) return [];
    if (configured === "none") {
        return [
            problem(
                ["gpuOperator", "mig", "strategy"],
                configured,
                `single or mixed (or leave it out): pool(s) ${migPools.map(({ pool }) => (pool as { name?: string }).name).join(", ")} use MIG`,
            ),
        ];
    }
    if (configured !== "single") return [];
    return migPools
        .filter(({ pool }) => !isUniformLayout(pool.mig!))
        .map(({ pool, index }) =>
            problem(
                ["pools", index, "mig", "profile"],
                pool.mig!.profile,
                "a layout of one MIG device kind under gpuOperator.mig.strategy single (the device plugin refuses a node with several kinds), or strategy mixed",
            ),
        );
}

export function resolveGpuOperator(
    raw: RawGpuOperator | undefined,
    cluster: ClusterConfig,
    migStrategy: GpuOperatorConfig["migStrategy"],
): GpuOperatorConfig {
    const openshift = cluster.platform === "openshift";
    const install = raw?.install ?? (openshift ? "olm" : "helm");
    const version = raw?.version;
    return {
        enabled: raw?.enabled ?? false,
        install,
        channel: raw?.channel ?? gpuOperatorChannel(version, cluster, install),
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

const outsideMatrix = (cluster: ClusterConfig) =>
    `OpenShift 4.${cluster.openshiftVersion.minor} is outside the version matrix (${matrixRange()}), so there is no known-good default`;

/** The OLM channel of the GPU Operator: the pinned release's line, else the matrix's default line, else `stable`. */
function gpuOperatorChannel(version: string | undefined, cluster: ClusterConfig, install: GpuOperatorConfig["install"]): string {
    if (version) return `v${releaseLine(version)}`;
    const row = install === "olm" && cluster.platform === "openshift" ? platformRow(cluster.openshiftVersion) : undefined;
    return row ? `v${row.gpuOperator.defaultLine}` : "stable";
}

function supportedLines(row: PlatformRow): string {
    return `lines ${row.gpuOperator.lines.map((l) => (l.from ? `${l.line} (${l.from} or later)` : l.line)).join(", ")}`;
}

/**
 * An enabled OLM install on OpenShift pins a release NVIDIA supports on the cluster's release, and
 * outside the version matrix pins one (there is no default line). The support check of a pinned
 * release runs whether or not the channel is given too.
 */
export function gpuOperatorVersionSupported({ gpuOperator, cluster }: Pick<OperatorSettings, "gpuOperator" | "cluster">): ConfigProblem[] {
    const { enabled, install, version } = gpuOperator;
    if (!enabled || install !== "olm" || cluster.platform !== "openshift") return [];
    const row = platformRow(cluster.openshiftVersion);
    if (!row) {
        return version
            ? []
            : [problem(["gpuOperator", "version"], undefined, `a pinned release (or gpuOperator.channel): ${outsideMatrix(cluster)}`)];
    }
    const support = version ? gpuOperatorSupport(row, version) : { ok: true as const };
    if (support.ok) return [];
    return [
        problem(
            ["gpuOperator", "version"],
            version,
            `a GPU Operator release NVIDIA supports on OpenShift 4.${cluster.openshiftVersion.minor} (${support.why}): ${supportedLines(row)}`,
        ),
    ];
}

/** The GPU Operator's install fits the platform: OLM on OpenShift, Helm elsewhere. */
export function gpuOperatorInstallFitsPlatform({
    raw,
    gpuOperator,
    cluster,
}: Pick<OperatorSettings, "raw" | "gpuOperator" | "cluster">): ConfigProblem[] {
    const openshift = cluster.platform === "openshift";
    const { install } = gpuOperator;
    if (!raw.gpuOperator?.enabled) return [];
    if (install === "olm" && !openshift) {
        return [
            problem(
                ["gpuOperator", "install"],
                install,
                "helm on plain Kubernetes: OLM and the certified operator catalog exist on OpenShift only",
            ),
        ];
    }
    if (install === "helm" && openshift) {
        return [problem(["gpuOperator", "install"], install, "olm on OpenShift, where NVIDIA supports the certified operator")];
    }
    return [];
}

/** The GPU Operator's console dashboard is on OpenShift only. */
export function gpuDashboardOnOpenShift({ raw, cluster }: Pick<OperatorSettings, "raw" | "cluster">): ConfigProblem[] {
    if (!raw.gpuOperator?.monitoring?.dashboard || cluster.platform === "openshift") return [];
    return [
        problem(
            ["gpuOperator", "monitoring", "dashboard"],
            true,
            "false on plain Kubernetes: the dashboard is an OpenShift console ConfigMap",
        ),
    ];
}

/** An explicit GPU Operator channel must name a supported line, and the pinned release's if there is one. */
export function gpuOperatorChannelSupported({
    raw,
    gpuOperator,
    cluster,
}: Pick<OperatorSettings, "raw" | "gpuOperator" | "cluster">): ConfigProblem[] {
    const explicit = raw.gpuOperator?.channel !== undefined;
    if (!explicit || !gpuOperator.enabled || gpuOperator.install !== "olm") return [];
    if (gpuOperator.version && gpuOperator.channel !== `v${releaseLine(gpuOperator.version)}`) {
        return [
            problem(
                ["gpuOperator", "channel"],
                gpuOperator.channel,
                `v${releaseLine(gpuOperator.version)}, the channel of the pinned release ${gpuOperator.version} (or leave channel out)`,
            ),
        ];
    }
    const line = /^v(\d+\.\d+)$/.exec(gpuOperator.channel)?.[1];
    const row = platformRow(cluster.openshiftVersion);
    if (!row || !line || row.gpuOperator.lines.some((l) => l.line === line)) return [];
    return [
        problem(
            ["gpuOperator", "channel"],
            gpuOperator.channel,
            `a channel of a release line NVIDIA supports on OpenShift 4.${cluster.openshiftVersion.minor}: ${row.gpuOperator.lines.map((l) => `v${l.line}`).join(", ")}`,
        ),
    ];
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
export function nfdReachesGpuNodes({
    pools,
    gpuOperator,
    operators,
    cluster,
}: Pick<OperatorSettings, "pools" | "gpuOperator" | "operators" | "cluster">): ConfigProblem[] {
    if (!gpuOperator.enabled || gpuOperator.install !== "olm" || operators.nfd.workerTolerations) return [];
    return pools.flatMap((pool, index) => {
        const taintIndex = pool.taints.findIndex((t) => t.effect === "NoExecute");
        if (pool.accelerator !== "nvidia" || taintIndex < 0) return [];
        return [
            problem(
                ["pools", index, "taints", taintIndex, "effect"],
                "NoExecute",
                `NoSchedule on OpenShift 4.${cluster.openshiftVersion.minor}: its Node Feature Discovery worker tolerates NoSchedule taints only (workerTolerations exist from 4.19), so the GPU Operator would never reach these nodes`,
            ),
        ];
    });
}

/** Scale the pools up for a whole gang or not at all: what a gang job waiting for capacity needs. */
const DEFAULT_PROVISIONING_CLASS = "best-effort-atomic-scale-up.autoscaling.x-k8s.io";

/** The cohort of the teams' ClusterQueues unless `kueue.cohort` names one. */
const DEFAULT_TEAM_COHORT = "gpu-as-a-service";

/** Namespaces of the platform and of the operators this program installs. */
export function isSystemNamespace(name: string): boolean {
    return (
        name === "default" ||
        /^(openshift|kube)(-|$)/.test(name) ||
        ["nvidia-gpu-operator", "gpu-operator", "aws-neuron-operator", "redhat-ods-applications"].includes(name)
    );
}

export function resolveKueue(raw: RawKueue | undefined, cluster: ClusterConfig): KueueConfig {
    const namespaceOf = (ns: { name: string; localQueue?: string; create?: boolean }) => ({
        name: ns.name,
        localQueue: ns.localQueue ?? `${ns.name}-queue`,
        create: ns.create ?? false,
    });
    const namespaces = (raw?.namespaces ?? []).map(namespaceOf);
    const teams: KueueTeam[] = (raw?.teams ?? []).map((team) => ({ ...team, namespaces: team.namespaces.map(namespaceOf) }));
    const localQueues = namespaces.map((ns) => ns.localQueue);
    const operatorEnabled = (raw?.enabled ?? false) && (raw?.operator?.enabled ?? false);
    const operatorRelease = kueueOperatorRelease(raw, cluster, operatorEnabled);
    return {
        enabled: raw?.enabled ?? false,
        apiVersion: raw?.apiVersion ?? operatorRelease?.apiVersion ?? "v1beta2",
        operator: {
            enabled: raw?.operator?.enabled ?? false,
            channel: raw?.operator?.channel ?? operatorRelease?.channel ?? "stable-v1.4",
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
}

type KueueRelease = { channel: string; apiVersion: KueueConfig["apiVersion"] };

/** The Red Hat build of Kueue in the catalog of the cluster's OpenShift (version matrix), and the channel asked of it. */
function kueueCatalog(raw: RawKueue | undefined, cluster: ClusterConfig) {
    const row = platformRow(cluster.openshiftVersion);
    const requested = raw?.operator?.channel;
    const channel = requested ?? row?.kueueOperator?.defaultChannel;
    const known: KueueRelease | undefined = row?.kueueOperator?.channels.find((c) => c.channel === channel);
    return { row, requested, channel, known };
}

/**
 * The Red Hat build of Kueue's channel (the catalog of the cluster's OpenShift decides which exist)
 * and the kueue.x-k8s.io version it serves; undefined when the operator is not installed here or
 * the catalog has no such channel (kueueOperatorChannelKnown says why).
 */
function kueueOperatorRelease(raw: RawKueue | undefined, cluster: ClusterConfig, enabled: boolean): KueueRelease | undefined {
    if (!enabled || cluster.platform !== "openshift") return undefined;
    const { row, requested, known } = kueueCatalog(raw, cluster);
    if (row) return known;
    if (!requested) return undefined;
    // Outside the matrix the channel still tells the release: v1beta2 is served from 1.3 on.
    const minor = /^stable-v1\.(\d+)$/.exec(requested)?.[1];
    return minor === undefined ? undefined : { channel: requested, apiVersion: Number(minor) >= 3 ? "v1beta2" : "v1beta1" };
}

/**
 * The Red Hat build of Kueue, when installed, has a channel in the catalog of the cluster's OpenShift
 * (outside the version matrix: an explicit one), and serves the kueue.x-k8s.io version asked for.
 */
export function kueueOperatorChannelKnown({ raw, kueue, cluster }: Pick<OperatorSettings, "raw" | "kueue" | "cluster">): ConfigProblem[] {
    if (!kueue.enabled || !kueue.operator.enabled || cluster.platform !== "openshift") return [];
    const { row, requested, channel, known } = kueueCatalog(raw.kueue, cluster);
    const minor = cluster.openshiftVersion.minor;
    if (!row) {
        return requested ? [] : [problem(["kueue", "operator", "channel"], undefined, `an explicit channel: ${outsideMatrix(cluster)}`)];
    }
    if (!row.kueueOperator) {
        return [
            problem(
                ["kueue", "operator", "enabled"],
                true,
                `false on OpenShift 4.${minor}: the Red Hat build of Kueue is offered from OpenShift 4.18 (install Kueue another way and keep operator.enabled false)`,
            ),
        ];
    }
    if (!known) {
        return [
            problem(
                ["kueue", "operator", "channel"],
                channel,
                `a channel the OpenShift 4.${minor} catalog has (case-sensitive): ${row.kueueOperator.channels.map((c) => c.channel).join(", ")}`,
            ),
        ];
    }
    if (raw.kueue?.apiVersion !== "v1beta2" || known.apiVersion !== "v1beta1") return [];
    return [
        problem(
            ["kueue", "apiVersion"],
            "v1beta2",
            `v1beta1: the Red Hat build of Kueue on channel ${channel} serves kueue.x-k8s.io/v1beta1 only (v1beta2 from stable-v1.3)`,
        ),
    ];
}

/** The ClusterQueue's quota comes from the pools, so Kueue needs one. */
export function kueueHasPools({ pools }: Pick<OperatorSettings, "pools">): ConfigProblem[] {
    if (pools.length > 0) return [];
    return [
        problem(["kueue", "enabled"], true, "at least one pool in cluster-capacity:pools: the ClusterQueue's quota comes from the pools"),
    ];
}

/** The Red Hat build of Kueue is an OpenShift operator. */
export function kueueOperatorOnOpenShift({ kueue, cluster }: Pick<OperatorSettings, "kueue" | "cluster">): ConfigProblem[] {
    if (!kueue.operator.enabled || cluster.platform === "openshift") return [];
    return [
        problem(["kueue", "operator", "enabled"], true, "false on plain Kubernetes: the Red Hat build of Kueue is an OpenShift operator"),
    ];
}

/** One team of `kueue.teams`, where it is, and what the teams and namespaces listed before it took. */
export interface TeamEntry {
    team: KueueTeam;
    index: number;
    /** A team before it has its name. */
    nameTaken: boolean;
    /** Per namespace of the team, the last list before it that has the namespace (`kueue.namespaces`, `kueue.teams[i]`). */
    namespaceOwners: (string | undefined)[];
}

/** Every team, in order, with the names and namespaces taken before it. */
export function teamEntries(kueue: KueueConfig): TeamEntry[] {
    const owner = new Map<string, string>(kueue.namespaces.map((ns) => [ns.name, "kueue.namespaces"]));
    const names = new Set<string>();
    return kueue.teams.map((team, index) => {
        const nameTaken = names.has(team.name);
        names.add(team.name);
        const namespaceOwners = team.namespaces.map((ns) => {
            const earlier = owner.get(ns.name);
            owner.set(ns.name, `kueue.teams[${index}]`);
            return earlier;
        });
        return { team, index, nameTaken, namespaceOwners };
    });
}

/** One rule of one team. */
export type TeamRule = (entry: TeamEntry, settings: Pick<OperatorSettings, "kueue" | "cluster">) => ConfigProblem[];

const teamKey = (entry: TeamEntry, ...rest: PathSegment[]): PathSegment[] => ["kueue", "teams", entry.index, ...rest];

/** A team's name names its ClusterQueue: once, and not the shared ClusterQueue's. */
export function teamNameUnique(entry: TeamEntry, { kueue }: Pick<OperatorSettings, "kueue">): ConfigProblem[] {
    const { team } = entry;
    if (!entry.nameTaken && team.name !== kueue.clusterQueue) return [];
    return [
        problem(
            teamKey(entry, "name"),
            team.name,
            `a team name used once and not the ClusterQueue's (${kueue.clusterQueue}): it names the team's ClusterQueue`,
        ),
    ];
}

/** A team's quota is a share or nominal GPUs: exactly one of them. */
export function teamShareOrNominal(entry: TeamEntry): ConfigProblem[] {
    const { team } = entry;
    if ((team.share === undefined) !== (team.nominal === undefined)) return [];
    return [
        problem(
            teamKey(entry, "share"),
            team.share,
            "either share (a fraction of every flavor) or nominal (GPUs per flavor), not both or neither",
        ),
    ];
}

/** A team's priority classes are WorkloadPriorityClasses of `kueue.priorityClasses`. */
export function teamPriorityClassesDefined(entry: TeamEntry, { kueue }: Pick<OperatorSettings, "kueue">): ConfigProblem[] {
    const known = kueue.priorityClasses.map((p) => p.name);
    return (entry.team.priorityClasses ?? [])
        .map((name, n) => ({ name, n }))
        .filter(({ name }) => !known.includes(name))
        .map(({ name, n }) =>
            problem(
                teamKey(entry, "priorityClasses", n),
                name,
                `a WorkloadPriorityClass of kueue.priorityClasses (${known.length > 0 ? known.join(", ") : "none is defined"})`,
            ),
        );
}

/** A team's priority classes are enforced by a ValidatingAdmissionPolicy, GA from Kubernetes 1.30 (OpenShift 4.17). */
export function teamPriorityClassesEnforceable(entry: TeamEntry, { cluster }: Pick<OperatorSettings, "cluster">): ConfigProblem[] {
    const { priorityClasses } = entry.team;
    if (!priorityClasses || cluster.platform !== "openshift" || cluster.openshiftVersion.minor >= 17) return [];
    return [
        problem(
            teamKey(entry, "priorityClasses"),
            priorityClasses,
            `none on OpenShift 4.${cluster.openshiftVersion.minor}: they are enforced by a ValidatingAdmissionPolicy, GA from 4.17 (Kubernetes 1.30)`,
        ),
    ];
}

/** A team's namespace is in no other team or queue (its LocalQueue would point at two ClusterQueues), and never a system one it creates. */
export function teamNamespacesOwnedOnce(entry: TeamEntry): ConfigProblem[] {
    return entry.team.namespaces.flatMap((ns, n) => {
        const problems: ConfigProblem[] = [];
        const earlier = entry.namespaceOwners[n];
        if (earlier !== undefined) {
            problems.push(
                problem(teamKey(entry, "namespaces", n, "name"), ns.name, `a namespace of no other team or queue (${earlier} has it)`),
            );
        }
        if (ns.create && isSystemNamespace(ns.name)) {
            problems.push(
                problem(
                    teamKey(entry, "namespaces", n, "create"),
                    true,
                    `false for ${ns.name}: system and operator namespaces are only labelled`,
                ),
            );
        }
        return problems;
    });
}

/** The rules of one team, in the order their problems are reported. */
export const TEAM_RULES: readonly TeamRule[] = [
    teamNameUnique,
    teamShareOrNominal,
    teamPriorityClassesDefined,
    teamPriorityClassesEnforceable,
    teamNamespacesOwnedOnce,
];

/** With teams every namespace belongs to a team's queue: none in `kueue.namespaces` beside them. */
export function namespacesBesideTeams({ kueue }: Pick<OperatorSettings, "kueue">): ConfigProblem[] {
    if (kueue.teams.length === 0 || kueue.namespaces.length === 0) return [];
    return [
        problem(
            ["kueue", "namespaces"],
            kueue.namespaces.map((ns) => ns.name),
            "no namespaces beside teams: with teams every namespace belongs to a team's queue",
        ),
    ];
}

/** The teams' shares add up to at most the pools. Nominal GPUs are checked against the pools later (lib/plan/kueueTeams.ts). */
export function teamSharesFit({ kueue }: Pick<OperatorSettings, "kueue">): ConfigProblem[] {
    const shared = kueue.teams.filter((t) => t.share !== undefined);
    const total = shared.reduce((sum, t) => sum + (t.share ?? 0), 0);
    if (total <= 1 + 1e-9) return [];
    return [
        problem(
            ["kueue", "teams"],
            shared.map((t) => `${t.name}: ${t.share}`).join(", "),
            `shares that add up to at most 1 (they add up to ${Number(total.toFixed(6))}: more than the pools can provide)`,
        ),
    ];
}

/** Teams: no namespaces beside them, each team's rules in order, and shares that fit the pools. */
export function checkTeams(settings: Pick<OperatorSettings, "kueue" | "cluster">): ConfigProblem[] {
    return [
        ...namespacesBesideTeams(settings),
        ...teamEntries(settings.kueue).flatMap((entry) => TEAM_RULES.flatMap((rule) => rule(entry, settings))),
        ...teamSharesFit(settings),
    ];
}

/** OpenShift's cluster autoscaler serves no ProvisioningRequests a production cluster can use. */
export function provisioningServed({ kueue, cluster }: Pick<OperatorSettings, "kueue" | "cluster">): ConfigProblem[] {
    if (!kueue.provisioningClass || cluster.platform !== "openshift") return [];
    return [
        problem(
            ["kueue", "provisioning"],
            true,
            `false on OpenShift 4.${cluster.openshiftVersion.minor}: its cluster autoscaler serves ProvisioningRequests only from 4.21 and only in the DevPreviewNoUpgrade feature set (openshift/cluster-autoscaler-operator, gate ProvisioningRequestAvailable), which no production cluster runs`,
        ),
    ];
}

export function provisioningClassNeedsProvisioning({ raw }: Pick<OperatorSettings, "raw">): ConfigProblem[] {
    const kueue = raw.kueue;
    if (!kueue?.provisioningClass || kueue.provisioning) return [];
    return [problem(["kueue", "provisioningClass"], kueue.provisioningClass, "no provisioningClass without provisioning: true")];
}

/** Each namespace once, and never a system one created: a Pulumi-owned Namespace is deleted with everything in it when it leaves the config. */
export function namespacesListedOnce({ kueue }: Pick<OperatorSettings, "kueue">): ConfigProblem[] {
    const seen = new Map<string, number>();
    return kueue.namespaces.flatMap((ns, index) => {
        const problems: ConfigProblem[] = [];
        if (ns.create && isSystemNamespace(ns.name)) {
            problems.push(
                problem(
                    ["kueue", "namespaces", index, "create"],
                    true,
                    `false for ${ns.name}: system and operator namespaces are only labelled, never created or owned by this stack`,
                ),
            );
        }
        const earlier = seen.get(ns.name);
        if (earlier !== undefined) {
            problems.push(
                problem(["kueue", "namespaces", index, "name"], ns.name, `a namespace not listed before (namespaces[${earlier}])`),
            );
        }
        seen.set(ns.name, index);
        return problems;
    });
}

export function priorityClassesUnique({ kueue }: Pick<OperatorSettings, "kueue">): ConfigProblem[] {
    const names = kueue.priorityClasses.map((p) => p.name);
    return names
        .map((name, index) => ({ name, index }))
        .filter(({ name, index }) => names.indexOf(name) !== index)
        .map(({ name, index }) => problem(["kueue", "priorityClasses", index, "name"], name, "a priority class name not listed before"));
}

/** HardwareProfiles belong to OpenShift AI. */
export function hardwareProfilesOnOpenShift({ kueue, cluster }: Pick<OperatorSettings, "kueue" | "cluster">): ConfigProblem[] {
    if (!kueue.hardwareProfiles.enabled || cluster.platform === "openshift") return [];
    return [problem(["kueue", "hardwareProfiles", "enabled"], true, "false on plain Kubernetes: HardwareProfiles belong to OpenShift AI")];
}

/** HardwareProfiles submit to one of the LocalQueues; with several, the config says which. */
export function hardwareProfilesLocalQueue({ kueue }: Pick<OperatorSettings, "kueue">): ConfigProblem[] {
    const { enabled, localQueue } = kueue.hardwareProfiles;
    const localQueues = kueue.namespaces.map((ns) => ns.localQueue);
    if (!enabled || (localQueue && localQueues.includes(localQueue))) return [];
    const expected =
        localQueues.length === 0
            ? "a LocalQueue for the profiles to submit to: configure kueue.namespaces first"
            : `the LocalQueue the profiles submit to, one of: ${localQueues.join(", ")}`;
    return [problem(["kueue", "hardwareProfiles", "localQueue"], localQueue, expected)];
}

/** Kueue's rules, in the order their problems are reported. */
export const KUEUE_RULES: readonly OperatorRule[] = [
    kueueOperatorChannelKnown,
    kueueHasPools,
    kueueOperatorOnOpenShift,
    checkTeams,
    provisioningServed,
    provisioningClassNeedsProvisioning,
    namespacesListedOnce,
    priorityClassesUnique,
    hardwareProfilesOnOpenShift,
    hardwareProfilesLocalQueue,
];

/** Kueue's cross-field rules, on its resolved settings and the raw values the user wrote; none when Kueue is off. */
export function checkKueue(settings: OperatorSettings): ConfigProblem[] {
    if (!settings.kueue.enabled) return [];
    return KUEUE_RULES.flatMap((rule) => rule(settings));
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

/** The Neuron operator's channel is one of its catalog's on the cluster's release (version matrix). */
export function neuronChannelInCatalog({ neuron, cluster }: Pick<OperatorSettings, "neuron" | "cluster">): ConfigProblem[] {
    const { enabled, operatorSource: source, operatorChannel: channel } = neuron;
    const row = platformRow(cluster.openshiftVersion)?.neuronOperator;
    if (!enabled || cluster.platform !== "openshift" || !row || source !== row.source || row.channels.includes(channel)) return [];
    return [
        problem(
            ["neuron", "operatorChannel"],
            channel,
            `a channel of aws-neuron-operator in ${source} (case-sensitive): ${row.channels.join(", ")}`,
        ),
    ];
}

/** The Neuron custom scheduler is a kube-scheduler no newer than the cluster's Kubernetes; outside the matrix, one must be given. */
export function neuronSchedulerFitsCluster({ neuron, cluster }: Pick<OperatorSettings, "neuron" | "cluster">): ConfigProblem[] {
    if (!neuron.enabled) return [];
    const customScheduler = neuron.images.customScheduler || undefined;
    if (cluster.platform === "openshift" && !customScheduler && cluster.openshiftVersion.minor >= 19) {
        return [
            problem(
                ["neuron", "images", "customScheduler"],
                undefined,
                `a kube-scheduler image of your cluster's Kubernetes minor: ${outsideMatrix(cluster)}`,
            ),
        ];
    }
    const kubernetes = platformRow(cluster.openshiftVersion)?.kubernetes;
    const schedulerMinor = customScheduler && imageKubernetesMinor(customScheduler);
    if (!kubernetes || !schedulerMinor || compareVersions(schedulerMinor, kubernetes) <= 0) return [];
    return [
        problem(
            ["neuron", "images", "customScheduler"],
            customScheduler,
            `a kube-scheduler no newer than the cluster's Kubernetes ${kubernetes} (OpenShift 4.${cluster.openshiftVersion.minor}): a scheduler may not be newer than its API server`,
        ),
    ];
}

/** Time-slicing and MIG are the GPU Operator's device plugin and mig-manager, so they need the operator. */
export function gpuSharingNeedsOperator({ pools, gpuOperator }: Pick<OperatorSettings, "pools" | "gpuOperator">): ConfigProblem[] {
    if (gpuOperator.enabled) return [];
    return pools.flatMap((pool, index) => [
        ...(pool.mig
            ? [
                  problem(
                      ["pools", index, "mig"],
                      { profile: pool.mig.profile, ...(pool.mig.devices && { devices: pool.mig.devices }) },
                      "no MIG unless cluster-capacity:gpuOperator.enabled is true (its mig-manager splits the GPUs)",
                  ),
              ]
            : []),
        ...(pool.timeSlicing !== undefined
            ? [
                  problem(
                      ["pools", index, "timeSlicing"],
                      pool.timeSlicing,
                      "no time-slicing unless cluster-capacity:gpuOperator.enabled is true (its device plugin shares the GPUs)",
                  ),
              ]
            : []),
    ]);
}

/** The first GPU Operator line whose NVIDIADriver CRs coexist with a default one and take over running drivers node by node. */
/** NVIDIADriver CRs with a default one for the nodes outside the pools need its `spec.default`. */
const DRIVER_PER_POOL_MIN_LINE = firstLineWith("nvidiaDriverDefault");

/** A pool's driver settings are an NVIDIADriver CR's: only with driverPerPool, and only on NVIDIA pools. */
export function poolDriversNeedDriverPerPool({ pools, gpuOperator }: Pick<OperatorSettings, "pools" | "gpuOperator">): ConfigProblem[] {
    return pools.flatMap((pool, index) => {
        if (!pool.driver) return [];
        const problems: ConfigProblem[] = [];
        if (!gpuOperator.driverPerPool) {
            problems.push(problem(["pools", index, "driver"], pool.driver, "no driver settings without gpuOperator.driverPerPool: true"));
        }
        if (pool.accelerator !== "nvidia") {
            problems.push(problem(["pools", index, "driver"], pool.driver, "no NVIDIA driver settings on a Neuron pool"));
        }
        return problems;
    });
}

/**
 * Driver per pool: NVIDIADriver CRs from GPU Operator 26.7. Before it the CRD is a technology
 * preview without a default CR, and switching deletes the ClusterPolicy's driver DaemonSets
 * outright (NVIDIA/gpu-operator release-26.3 `object_controls.go`; v26.7.0 `state_manager.go`
 * orphans them and rolls node by node). A CR without a version has no fallback and renders an
 * untagged image (v26.7.0 `internal/image/image.go`), so every CR needs one.
 */
export function driverPerPoolSupported({ gpuOperator }: Pick<OperatorSettings, "gpuOperator">): ConfigProblem[] {
    if (!gpuOperator.driverPerPool) return [];
    const problems = driverPerPoolOperator(gpuOperator);
    if (!gpuOperator.driverVersion) {
        problems.push(
            problem(
                ["gpuOperator", "driverVersion"],
                undefined,
                "a driver version for the default NVIDIADriver CR, which drives every GPU node outside this stack's pools",
            ),
        );
    }
    return problems;
}

/** The GPU Operator that serves NVIDIADriver CRs: enabled, installed by OLM, on a line from DRIVER_PER_POOL_MIN_LINE. */
function driverPerPoolOperator(gpuOperator: GpuOperatorConfig): ConfigProblem[] {
    const at = ["gpuOperator", "driverPerPool"];
    // A channel that names no line (`stable`) is refused too: its line is unknown.
    const line = /^v?(\d+\.\d+)/.exec(gpuOperator.channel)?.[1];
    if (!gpuOperator.enabled) {
        return [problem(at, true, "false without gpuOperator.enabled: the NVIDIADriver CRs are the GPU Operator's")];
    }
    if (gpuOperator.install !== "olm") {
        return [problem(at, true, "false with the Helm install: this stack renders NVIDIADriver CRs with the OLM install only")];
    }
    if (line && compareVersions(line, DRIVER_PER_POOL_MIN_LINE) >= 0) return [];
    return [
        problem(
            at,
            true,
            `false on GPU Operator channel ${gpuOperator.channel}: NVIDIADriver CRs take over running drivers node by node only from v${DRIVER_PER_POOL_MIN_LINE} (earlier lines delete every driver pod at once and have no default CR)`,
        ),
    ];
}

/**
 * The rules of the GPU Operator's, Kueue's and Neuron's settings and of what they mean for the
 * pools, in the order their problems are reported.
 */
export const OPERATOR_RULES: readonly OperatorRule[] = [
    gpuOperatorVersionSupported,
    gpuOperatorInstallFitsPlatform,
    gpuDashboardOnOpenShift,
    gpuOperatorChannelSupported,
    checkKueue,
    neuronChannelInCatalog,
    neuronSchedulerFitsCluster,
    nfdReachesGpuNodes,
    gpuSharingNeedsOperator,
    poolDriversNeedDriverPerPool,
    driverPerPoolSupported,
];

/** The problems of the operator settings: every rule's, in order. */
export function checkOperatorSettings(settings: OperatorSettings): ConfigProblem[] {
    return OPERATOR_RULES.flatMap((rule) => rule(settings));
}
