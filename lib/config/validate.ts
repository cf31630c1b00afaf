/**
 * Turns raw stack config values into a typed CapacityConfig, or throws one ConfigError that lists
 * every bad value with its key path. Pure: no Pulumi runtime, no AWS.
 */
import Ajv, { ErrorObject } from "ajv";
import {
    fallbackMachineSetName,
    isDns1123Label,
    machineSetName,
    machineSetNameProblem,
    MAX_LABEL_LENGTH,
    poolMachineConfigRole,
} from "../naming";
import { managesBootImages, MIN_OPENSHIFT_MINOR, parseOpenShiftVersion } from "../openshift";
import { compareVersions } from "../versionMatrix";
import { ConfigError, ConfigProblem, PathSegment, problem } from "../errors";
import {
    ACCELERATOR_LABEL,
    acceleratorTaintProblem,
    DEFAULT_TAINTS,
    DEVICE_PLUGIN_CONFIG_LABEL,
    type LookupMode,
    MIG_CONFIG_LABEL,
    POOL_LABEL,
} from "../../policy/lib/contract";
import { CONFIG_SCHEMA } from "./schema";
import {
    checkGpuOperatorChannel,
    checkNfdReachesGpuNodes,
    checkGpuSharing,
    DEFAULT_SMOKE_TEST_IMAGES,
    RawGpuOperator,
    RawKueue,
    RawNeuron,
    resolveGpuOperator,
    resolveKueue,
    resolveMigStrategy,
    resolveNeuron,
    resolveOperatorChannels,
} from "./features";
import type {
    AmiQuery,
    CapacityConfig,
    ClusterConfig,
    GpuOperatorConfig,
    HealthCheck,
    NetworkConfig,
    MigLayout,
    PoolConfig,
} from "./types";

const RHCOS_AMI_OWNER = "531415883065";
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$/;
const DEFAULT_ROOT_VOLUME_GIB = 120;

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
ajv.addKeyword("allowed");
const validateSchema = ajv.compile(CONFIG_SCHEMA);

function segmentsOf(instancePath: string): PathSegment[] {
    if (!instancePath) return [];
    return instancePath
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describeAjvError(error: ErrorObject): ConfigProblem | undefined {
    const segments = segmentsOf(error.instancePath);
    const schema = (error.parentSchema ?? {}) as { allowed?: string; properties?: Record<string, unknown> };
    const params = error.params as Record<string, unknown>;
    if (error.propertyName !== undefined) {
        return problem(
            [...segments, error.propertyName],
            error.propertyName,
            `a key that is ${schema.allowed ?? `matching ${String(params.pattern)}`}`,
        );
    }
    switch (error.keyword) {
        case "propertyNames":
            return undefined; // reported by the inner error, which names the key
        case "additionalProperties": {
            const key = String(params.additionalProperty);
            const allowed = Object.keys(schema.properties ?? {}).join(", ");
            return problem(
                [...segments, key],
                (error.data as Record<string, unknown>)[key],
                `no such key (a typo?); known keys: ${allowed}`,
            );
        }
        case "required":
            return problem([...segments, String(params.missingProperty)], undefined, "a value: this key is required");
        case "enum":
            return problem(segments, error.data, `one of ${(params.allowedValues as unknown[]).map(String).join(", ")}`);
        case "type":
            return problem(segments, error.data, `a value of type ${String(params.type)}`);
        case "pattern":
            return problem(segments, error.data, schema.allowed ?? `a string matching ${String(params.pattern)}`);
        case "minimum":
        case "maximum":
            return problem(segments, error.data, `a number ${String(params.comparison)} ${String(params.limit)}`);
        case "minItems":
            return problem(segments, error.data, `at least ${String(params.limit)} item(s)`);
        case "uniqueItems":
            return problem(segments, error.data, `no duplicates (items ${String(params.j)} and ${String(params.i)} are equal)`);
        case "minLength":
            return problem(segments, error.data, `at least ${String(params.limit)} character(s)`);
        case "maxLength":
            return problem(segments, error.data, schema.allowed ?? `at most ${String(params.limit)} characters`);
        default:
            return problem(segments, error.data, error.message ?? "a valid value");
    }
}

function schemaProblems(raw: unknown): ConfigProblem[] {
    if (validateSchema(raw)) return [];
    const seen = new Set<string>();
    const problems: ConfigProblem[] = [];
    for (const error of validateSchema.errors ?? []) {
        const p = describeAjvError(error);
        const key = p && `${p.path}|${p.expected}`;
        if (p && key && !seen.has(key)) {
            seen.add(key);
            problems.push(p);
        }
    }
    return problems;
}

/* The raw shape once the schema has accepted it. */
interface RawAmi {
    id?: string;
    owners?: string[];
    namePattern?: string;
    managedByCluster?: boolean;
}
type RawPool = Omit<Partial<PoolConfig>, "ami" | "rootVolume" | "sysctls" | "healthCheck" | "placementGroup" | "mig"> & {
    mig?: Omit<MigLayout, "strategy">;
    placementGroup?: { name: string; create?: boolean };
    ami?: RawAmi;
    healthCheck?: Partial<HealthCheck>;
    rootVolume?: Partial<PoolConfig["rootVolume"]>;
    sysctls?: Record<string, string | number>;
};
interface RawConfig {
    cluster: Partial<Omit<ClusterConfig, "openshiftVersion">> & { name: string; openshiftVersion?: string };
    network?: NetworkConfig;
    lookups?: CapacityConfig["lookups"];
    quotas?: Record<string, number> & { requestIncrease?: boolean };
    usage?: Record<string, number>;
    capacityReservations?: CapacityConfig["capacityReservations"];
    reservationWarningDays?: number;
    efaDevicePlugin?: { image?: string };
    instanceTypes?: CapacityConfig["instanceTypes"];
    prices?: CapacityConfig["prices"];
    ami?: RawAmi;
    pools?: RawPool[];
    gpuOperator?: RawGpuOperator;
    kueue?: RawKueue;
    neuron?: RawNeuron;
    smokeTests?: boolean;
    smokeTestImages?: Partial<CapacityConfig["smokeTestImages"]>;
    renderDirectory?: string;
    kubernetes?: CapacityConfig["kubernetes"];
    clusterAutoscaler?: Partial<CapacityConfig["clusterAutoscaler"]>;
}

interface ConfigContext {
    /** `aws:region` from the stack, the default for `cluster.region`. */
    awsRegion?: string;
}

/** Validates raw config values (top-level key → parsed value) and applies defaults. */
export function parseConfig(raw: Record<string, unknown>, context: ConfigContext = {}): CapacityConfig {
    const problems = schemaProblems(raw);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return resolve(raw as unknown as RawConfig, context);
}

function resolve(raw: RawConfig, context: ConfigContext): CapacityConfig {
    const problems: ConfigProblem[] = [];
    const cluster = resolveCluster(raw, context, problems);
    // Plain Kubernetes pools are existing nodes, often outside AWS: nothing to look up by default.
    const lookups = raw.lookups ?? (cluster.platform === "openshift" ? "aws" : "offline");
    const neuronEnabled = raw.neuron?.enabled ?? false;
    const amiContext = { lookups, cluster, rendering: raw.renderDirectory !== undefined };
    const defaultAmi = resolveAmi(raw.ami, ["ami"], amiContext, problems, (raw.pools ?? []).length > 0 && !raw.pools?.every((p) => p.ami));
    const migStrategy = resolveMigStrategy(raw.pools ?? [], raw.gpuOperator?.mig?.strategy, problems);
    const pools = (raw.pools ?? []).map((pool, index) => resolvePool(pool, index, cluster, amiContext, defaultAmi, migStrategy, problems));
    checkPoolSet(pools, cluster, neuronEnabled, problems);
    const network = raw.network ?? {};
    checkNetworkSource(pools, cluster, network, amiContext, problems);

    const gpuOperator = resolveGpuOperator(raw.gpuOperator, cluster, migStrategy, problems);
    checkGpuOperatorChannel({ gpuOperator, cluster }, raw.gpuOperator?.channel !== undefined, problems);
    const kueue = resolveKueue(raw.kueue, cluster, pools, problems);
    const neuron = resolveNeuron(raw.neuron, cluster, problems);
    const operators = resolveOperatorChannels(cluster);
    checkNfdReachesGpuNodes(pools, gpuOperator, operators, cluster, problems);
    checkGpuSharing(pools, gpuOperator, problems);
    checkDriverPerPool(pools, gpuOperator, problems);
    checkReservations(raw, pools, cluster, lookups, problems);
    checkTraining(pools, cluster, lookups, amiContext.rendering, problems);
    pools.forEach((pool, index) => {
        if (!pool.onDemandFallback) return;
        const at = ["pools", index, "onDemandFallback"];
        if (pool.market !== "spot") {
            problems.push(problem(at, true, "false on an on-demand pool: the fallback is on-demand capacity for a spot pool"));
        } else if (!pool.autoscaling && !pool.retired) {
            problems.push(
                problem(
                    at,
                    true,
                    "false without autoscaling: only the cluster autoscaler falls back, when it cannot grow the spot MachineSets",
                ),
            );
        }
        const tooLong = pool.zones
            .map((zone) =>
                machineSetNameProblem(index, pool.name, fallbackMachineSetName(cluster.infraId, pool.name, zone), "fallback MachineSet"),
            )
            .find((p) => p !== undefined);
        if (tooLong) problems.push(tooLong);
    });
    if (raw.usage && lookups === "aws") {
        problems.push(problem(["usage"], raw.usage, "no usage with aws lookups: the AWS/Usage metrics in CloudWatch say what is in use"));
    }
    if (raw.quotas?.requestIncrease && lookups !== "aws") {
        problems.push(problem(["quotas", "requestIncrease"], true, "false with offline lookups: a quota increase is requested from AWS"));
    }
    if (raw.renderDirectory && raw.kubernetes && Object.keys(raw.kubernetes).length > 0) {
        problems.push(
            problem(
                ["kubernetes"],
                raw.kubernetes,
                "no cluster access settings when renderDirectory is set (rendering talks to no cluster)",
            ),
        );
    }
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return {
        cluster,
        network,
        lookups,
        quotas: Object.fromEntries(Object.entries(raw.quotas ?? {}).filter(([code]) => code !== "requestIncrease")) as Record<
            string,
            number
        >,
        requestQuotaIncrease: raw.quotas?.requestIncrease ?? false,
        usage: raw.usage ?? {},
        capacityReservations: raw.capacityReservations ?? {},
        reservationWarningDays: raw.reservationWarningDays ?? DEFAULT_RESERVATION_WARNING_DAYS,
        efaDevicePluginImage: raw.efaDevicePlugin?.image ?? DEFAULT_EFA_DEVICE_PLUGIN_IMAGE,
        instanceTypes: raw.instanceTypes ?? {},
        prices: raw.prices ?? {},
        pools,
        gpuOperator,
        kueue,
        neuron,
        operators,
        smokeTests: raw.smokeTests ?? false,
        smokeTestImages: { ...DEFAULT_SMOKE_TEST_IMAGES, ...raw.smokeTestImages },
        renderDirectory: raw.renderDirectory,
        kubernetes: raw.kubernetes ?? {},
        clusterAutoscaler: {
            maxNodeProvisionTime: raw.clusterAutoscaler?.maxNodeProvisionTime ?? "30m",
            scaleDownEnabled: raw.clusterAutoscaler?.scaleDownEnabled ?? true,
            scaleDownDelayAfterAdd: raw.clusterAutoscaler?.scaleDownDelayAfterAdd ?? "10m",
            scaleDownUnneededTime: raw.clusterAutoscaler?.scaleDownUnneededTime ?? "10m",
        },
    };
}

function resolveCluster(raw: RawConfig, context: ConfigContext, problems: ConfigProblem[]): ClusterConfig {
    const c = raw.cluster;
    const platform = c.platform ?? "openshift";
    let region = c.region ?? context.awsRegion ?? "";
    // aws:region is not in this project's schema: check it here, before it is used in zone rules.
    if (!c.region && region && !AWS_REGION.test(region)) {
        problems.push(
            problem(["cluster", "region"], region, "an AWS region such as us-east-2 (taken from aws:region, which holds something else)"),
        );
        region = "";
    }
    if (!region && platform === "openshift") {
        problems.push(problem(["cluster", "region"], undefined, "an AWS region here or in the stack's aws:region"));
    }
    if (platform === "openshift" && !c.infraId) {
        problems.push(
            problem(
                ["cluster", "infraId"],
                undefined,
                "the OpenShift infrastructure name (required on OpenShift; every MachineSet name starts with it)",
            ),
        );
    }
    let version = parseOpenShiftVersion(c.openshiftVersion ?? "");
    if (platform === "openshift" && !c.openshiftVersion) {
        problems.push(problem(["cluster", "openshiftVersion"], undefined, 'the cluster\'s "4.N" version (required on OpenShift)'));
    } else if (version && version.minor < MIN_OPENSHIFT_MINOR) {
        problems.push(problem(["cluster", "openshiftVersion"], c.openshiftVersion, `4.${MIN_OPENSHIFT_MINOR} or later`));
    }
    version ??= { major: 4, minor: MIN_OPENSHIFT_MINOR };
    return {
        name: c.name,
        infraId: c.infraId ?? "",
        platform,
        openshiftVersion: version,
        region,
        accountId: c.accountId,
    };
}

interface AmiContext {
    lookups: CapacityConfig["lookups"];
    cluster: ClusterConfig;
    /** renderDirectory is set: nothing can be read from the cluster, its boot image included. */
    rendering: boolean;
}

/**
 * The AMI query of the stack or a pool. Its sources (pinned id, the cluster's boot image, owners +
 * namePattern) are tried at lookup time; here only combinations that can never work are refused.
 */
function resolveAmi(raw: RawAmi | undefined, at: PathSegment[], context: AmiContext, problems: ConfigProblem[], needed: boolean): AmiQuery {
    const { cluster, lookups, rendering } = context;
    const ami: AmiQuery = {
        id: raw?.id,
        owners: raw?.owners ?? [RHCOS_AMI_OWNER],
        namePattern: raw?.namePattern,
        managedByCluster: raw?.managedByCluster,
    };
    if (!needed || cluster.platform !== "openshift") return ami;
    if (raw?.id && raw.namePattern) {
        problems.push(problem([...at, "namePattern"], raw.namePattern, "either id (pinned) or namePattern (lookup), not both"));
    }
    if (!raw?.id && rendering && lookups === "offline") {
        problems.push(
            problem(
                [...at, "id"],
                undefined,
                "a pinned AMI id: offline lookups cannot search AMIs, and renderDirectory reads nothing from the cluster (no boot image)",
            ),
        );
    } else if (!raw?.id && rendering && !raw?.namePattern) {
        problems.push(
            problem(
                at,
                raw,
                "id (pinned) or namePattern (lookup, e.g. rhcos-418.94.*-x86_64): renderDirectory reads nothing from the cluster, so its boot image cannot be used",
            ),
        );
    }
    if (ami.managedByCluster && !managesBootImages(cluster.openshiftVersion)) {
        problems.push(
            problem([...at, "managedByCluster"], true, "false below OpenShift 4.19, which does not manage MachineSet boot images"),
        );
    }
    return ami;
}

function resolvePool(
    raw: RawPool,
    index: number,
    cluster: ClusterConfig,
    amiContext: AmiContext,
    defaultAmi: AmiQuery,
    migStrategy: GpuOperatorConfig["migStrategy"],
    problems: ConfigProblem[],
): PoolConfig {
    const at = (...rest: PathSegment[]): PathSegment[] => ["pools", index, ...rest];
    const name = raw.name as string;
    const accelerator = raw.accelerator as PoolConfig["accelerator"];
    const reservations = raw.capacityReservations ?? [];
    // A pool of reservations only has their MachineSets; zones, when given, add ordinary ones.
    const zonesFromCluster = raw.zones === undefined && reservations.length === 0;
    const zones = raw.zones ?? [];
    if (zonesFromCluster && (cluster.platform !== "openshift" || amiContext.lookups !== "aws")) {
        problems.push(
            problem(
                at("zones"),
                undefined,
                "the pool's zones: they default to the cluster's zones that offer the type only with aws lookups on OpenShift",
            ),
        );
    }

    zones.forEach((zone, z) => {
        if (cluster.platform !== "openshift") return; // zones of existing nodes: any label value
        if (cluster.region && !(zone.startsWith(cluster.region) && /^[a-z]$/.test(zone.slice(cluster.region.length)))) {
            problems.push(problem(at("zones", z), zone, `an availability zone of ${cluster.region}, such as ${cluster.region}a`));
        } else if (cluster.infraId) {
            const tooLong = machineSetNameProblem(index, name, machineSetName(cluster.infraId, name, zone));
            if (tooLong) problems.push(tooLong);
        }
    });

    if (raw.autoscaling) {
        if (raw.autoscaling.minReplicas > raw.autoscaling.maxReplicas) {
            problems.push(
                problem(
                    at("autoscaling", "maxReplicas"),
                    raw.autoscaling.maxReplicas,
                    `a number >= minReplicas (${raw.autoscaling.minReplicas})`,
                ),
            );
        }
        if (raw.replicas !== undefined) {
            problems.push(
                problem(at("replicas"), raw.replicas, "no replicas when autoscaling is set: the autoscaler owns the machine count"),
            );
        }
    }

    for (const label of Object.keys(raw.labels ?? {})) {
        const reserved =
            label === POOL_LABEL ||
            label === ACCELERATOR_LABEL ||
            label === DEVICE_PLUGIN_CONFIG_LABEL ||
            label === MIG_CONFIG_LABEL ||
            label.startsWith("node-role.kubernetes.io/") ||
            label.startsWith("machine.openshift.io/") ||
            // Kubernetes reserves these prefixes for what the kubelet and controllers set (hostname, zone, arch).
            (/^([a-z0-9.-]+\.)?(kubernetes\.io|k8s\.io)\//.test(label) && !label.startsWith("node-restriction.kubernetes.io/"));
        if (reserved) {
            problems.push(
                problem(
                    at("labels", label),
                    raw.labels?.[label],
                    "a label this program does not set itself (node roles, the pool, accelerator and device-plugin labels are managed, and the MIG label comes from mig.profile)",
                ),
            );
        }
    }

    checkTaints(raw, at, problems);
    const userData = (raw.providerSpec?.userDataSecret as { name?: string } | undefined)?.name;
    // worker-user-data-managed is the Machine Config Operator's managed copy of the workers' user data.
    if (userData && !/^worker-user-data(-managed)?$/.test(userData)) {
        problems.push(
            problem(
                at("providerSpec", "userDataSecret", "name"),
                userData,
                "worker-user-data or worker-user-data-managed (or leave it out): other user data, master-user-data above all, would make the machines something other than workers",
            ),
        );
    }
    checkRootVolume(raw.rootVolume, at, problems);
    // AWSMachineProviderConfig has no EBS throughput field before 4.21 (openshift/api
    // machine/v1beta1/types_awsprovider.go, `throughputMib` from release-4.21): the machine API
    // would ignore it and launch the volume at gp3's baseline.
    const throughput = raw.rootVolume?.throughputMiBps;
    if (throughput !== undefined && cluster.platform === "openshift" && cluster.openshiftVersion.minor < 21) {
        problems.push(
            problem(
                at("rootVolume", "throughputMiBps"),
                throughput,
                `no throughput on OpenShift 4.${cluster.openshiftVersion.minor}: the Machine API takes EBS throughput (throughputMib) from 4.21, and would launch gp3 at its 125 MiB/s baseline`,
            ),
        );
    }
    checkProviderSpec(raw.providerSpec, at, problems);

    const sysctls = Object.fromEntries(Object.entries(raw.sysctls ?? {}).map(([k, v]) => [k, String(v)]));
    const kernelArguments = raw.kernelArguments ?? [];
    const tuned = Object.keys(sysctls).length > 0 || kernelArguments.length > 0;
    if (tuned && accelerator === "nvidia" && !isDns1123Label(poolMachineConfigRole(name))) {
        problems.push(
            problem(
                at("name"),
                name,
                `a name of at most ${MAX_LABEL_LENGTH - poolMachineConfigRole("").length} characters for a pool with its own OS tuning (MachineConfigPool ${poolMachineConfigRole(name)})`,
            ),
        );
    }
    if (tuned && accelerator !== "nvidia") {
        problems.push(
            problem(
                at(Object.keys(sysctls).length > 0 ? "sysctls" : "kernelArguments"),
                raw.sysctls ?? raw.kernelArguments,
                "no OS tuning on non-NVIDIA pools: only GPU nodes have a MachineConfigPool",
            ),
        );
    }
    if (raw.timeSlicing !== undefined && accelerator !== "nvidia") {
        problems.push(problem(at("timeSlicing"), raw.timeSlicing, "no time-slicing on non-NVIDIA pools"));
    }
    checkMigLayout(raw, accelerator, at, problems);
    // The cluster autoscaler builds an empty MachineSet's node from its annotations, which know
    // nvidia.com/gpu only (kubernetes-autoscaler clusterapi `clusterapi_unstructured.go`): no
    // pod asking for nvidia.com/mig-* would ever fit it. A node of the MachineSet is the model.
    if (raw.mig && migStrategy === "mixed" && !raw.retired) {
        if (raw.autoscaling && raw.autoscaling.minReplicas < 1) {
            problems.push(
                problem(
                    at("autoscaling", "minReplicas"),
                    raw.autoscaling.minReplicas,
                    "at least 1 on a MIG pool under the mixed strategy: the cluster autoscaler cannot grow an empty MachineSet for nvidia.com/mig-* requests",
                ),
            );
        }
        if (raw.onDemandFallback) {
            problems.push(
                problem(
                    at("onDemandFallback"),
                    true,
                    "false on a MIG pool under the mixed strategy: its fallback MachineSets start empty, and the cluster autoscaler cannot grow an empty MachineSet for nvidia.com/mig-* requests",
                ),
            );
        }
    }

    return {
        name,
        accelerator,
        instanceType: raw.instanceType as string,
        zones,
        zonesFromCluster,
        market: raw.market ?? "on-demand",
        replicas: raw.retired ? 0 : raw.autoscaling ? raw.autoscaling.minReplicas : (raw.replicas ?? 0),
        // A retired pool keeps its autoscaling settings in config (to un-retire) but renders none.
        autoscaling: raw.retired ? undefined : raw.autoscaling,
        retired: raw.retired ?? false,
        labels: raw.labels ?? {},
        taints: raw.taints ?? [DEFAULT_TAINTS[accelerator]],
        rootVolume: { sizeGiB: DEFAULT_ROOT_VOLUME_GIB, type: "gp3", ...raw.rootVolume },
        timeSlicing: raw.timeSlicing,
        ...(raw.mig && { mig: { ...raw.mig, strategy: migStrategy === "single" ? "single" : "mixed" } }),
        kueueFlavor: raw.kueueFlavor ?? name,
        sysctls,
        kernelArguments,
        ami: raw.ami ? resolveAmi(raw.ami, at("ami"), amiContext, problems, true) : defaultAmi,
        amiFromPool: raw.ami !== undefined,
        providerSpec: raw.providerSpec ?? {},
        capacityReservations: reservations,
        ...(raw.driver && { driver: raw.driver }),
        onDemandFallback: raw.onDemandFallback ?? false,
        efa: raw.efa ?? false,
        ...(raw.placementGroup && { placementGroup: { name: raw.placementGroup.name, create: raw.placementGroup.create ?? false } }),
        healthCheck: {
            // Replacing a reserved machine can lose its slot to another account's launch.
            enabled: raw.healthCheck?.enabled ?? reservations.length === 0,
            maxUnhealthy: raw.healthCheck?.maxUnhealthy ?? 1,
            nodeStartupTimeout: raw.healthCheck?.nodeStartupTimeout ?? DEFAULT_NODE_STARTUP_TIMEOUT,
        },
    };
}

/**
 * A MIG layout is either a config the GPU Operator generates (`all-<profile>`, `all-balanced`) or a
 * custom name with its devices; whether the GPU takes it is known only with the instance type's
 * GPU model (lib/plan.ts).
 */
function checkMigLayout(
    raw: RawPool,
    accelerator: PoolConfig["accelerator"],
    at: (...rest: PathSegment[]) => PathSegment[],
    problems: ConfigProblem[],
): void {
    const mig = raw.mig;
    if (!mig) return;
    if (accelerator !== "nvidia") {
        problems.push(problem(at("mig"), mig, "no MIG on non-NVIDIA pools"));
    } else if (raw.timeSlicing !== undefined) {
        problems.push(
            problem(
                at("timeSlicing"),
                raw.timeSlicing,
                "no time-slicing on a MIG pool: the device plugin shares whole GPUs or MIG devices, and this pool's are MIG devices",
            ),
        );
    }
    const generated = mig.profile.startsWith("all-");
    if (generated && mig.devices) {
        problems.push(
            problem(
                at("mig", "profile"),
                mig.profile,
                "a name that does not start with all- for a custom layout with devices (all-* names are the GPU Operator's own configs)",
            ),
        );
    } else if (!generated && !mig.devices) {
        problems.push(
            problem(at("mig", "devices"), undefined, `the MIG devices per GPU of custom profile ${mig.profile}, such as { "1g.10gb": 7 }`),
        );
    }
}

/**
 * EFA and placement groups. EFA's low latency holds within a cluster placement group, which lives in
 * one zone; whether a type takes EFA, and the VPC of the pool's EFA security group, come from AWS.
 * Both create AWS resources, which a stack that only renders YAML must not.
 */
function checkTraining(
    pools: PoolConfig[],
    cluster: ClusterConfig,
    lookups: LookupMode,
    rendering: boolean,
    problems: ConfigProblem[],
): void {
    pools.forEach((pool, index) => {
        const at = (...rest: PathSegment[]): PathSegment[] => ["pools", index, ...rest];
        if ((pool.efa || pool.placementGroup) && cluster.platform !== "openshift") {
            problems.push(
                problem(
                    at(pool.efa ? "efa" : "placementGroup"),
                    pool.efa || pool.placementGroup,
                    "no EFA or placement group on plain Kubernetes: they are set on MachineSets",
                ),
            );
            return;
        }
        if (pool.efa && lookups !== "aws") {
            problems.push(
                problem(
                    at("efa"),
                    true,
                    "false with offline lookups: whether the type takes EFA, and the VPC of its security group, come from AWS",
                ),
            );
        }
        if (pool.efa && rendering) {
            problems.push(
                problem(
                    at("efa"),
                    true,
                    "false when renderDirectory is set: EFA creates an AWS security group, and a rendering stack touches nothing",
                ),
            );
        }
        if (pool.placementGroup?.create && rendering) {
            problems.push(
                problem(
                    at("placementGroup", "create"),
                    true,
                    "false when renderDirectory is set: a rendering stack creates no AWS placement group",
                ),
            );
        }
        if (pool.efa && !pool.placementGroup) {
            problems.push(
                problem(
                    at("placementGroup"),
                    undefined,
                    "a cluster placement group for an EFA pool ({ name } of an existing one, or create: true)",
                ),
            );
        }
        if (pool.efa && pool.zones.length > 1) {
            problems.push(problem(at("zones"), pool.zones, "one zone for an EFA pool: its cluster placement group lives in one zone"));
        }
        if (pool.efa && pool.zonesFromCluster) {
            problems.push(problem(at("zones"), undefined, "the one zone of an EFA pool: its cluster placement group lives in one zone"));
        }
    });
}

/**
 * The image aws/eks-charts `stable/aws-efa-k8s-device-plugin` 0.5.30 deploys. It is in the EKS
 * ECR registry: OpenShift's kubelet has the ECR credential provider from 4.14, but the installer's
 * worker role has no ECR permission, so pulling it needs ECR read access added, or a mirror.
 */
const DEFAULT_EFA_DEVICE_PLUGIN_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.20";

/** The first GPU Operator line whose NVIDIADriver CRs coexist with a default one and take over running drivers node by node. */
const DRIVER_PER_POOL_MIN_LINE = "26.7";

/**
 * Driver per pool: NVIDIADriver CRs from GPU Operator 26.7. Before it the CRD is a technology
 * preview without a default CR, and switching deletes the ClusterPolicy's driver DaemonSets
 * outright (NVIDIA/gpu-operator release-26.3 `object_controls.go`; v26.7.0 `state_manager.go`
 * orphans them and rolls node by node). A CR without a version has no fallback and renders an
 * untagged image (v26.7.0 `internal/image/image.go`), so every CR needs one.
 */
function checkDriverPerPool(pools: PoolConfig[], gpuOperator: GpuOperatorConfig, problems: ConfigProblem[]): void {
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

/** Days before a reservation's end when a run warns. */
const DEFAULT_RESERVATION_WARNING_DAYS = 7;
/**
 * How long a new machine may go without a node before its MachineHealthCheck replaces it. The
 * Machine API's default is 10m (machine-api-operator machinehealthcheck_controller.go
 * `defaultNodeStartupTimeout`, timed from the Machine's last status update); large GPU instances
 * are slower to launch and boot, and a replacement loop on them costs GPU-hours.
 */
const DEFAULT_NODE_STARTUP_TIMEOUT = "25m";

/**
 * Reservations name MachineSets through the Machine API's `capacityReservationId` (OpenShift 4.18,
 * openshift/machine-api-provider-aws release-4.18 `getCapacityReservationSpecification`), and their
 * facts come from AWS or, offline, from `capacityReservations`.
 */
function checkReservations(
    raw: RawConfig,
    pools: PoolConfig[],
    cluster: ClusterConfig,
    lookups: LookupMode,
    problems: ConfigProblem[],
): void {
    if (raw.capacityReservations && lookups === "aws") {
        problems.push(
            problem(
                ["capacityReservations"],
                raw.capacityReservations,
                "no capacityReservations with aws lookups: EC2 says what each reservation is",
            ),
        );
    }
    const owner = new Map<string, number>();
    pools.forEach((pool, index) => {
        pool.capacityReservations.forEach((id, r) => {
            const at = ["pools", index, "capacityReservations", r];
            const earlier = owner.get(id);
            if (earlier !== undefined) {
                problems.push(
                    problem(at, id, `a reservation no other pool uses (pools[${earlier}] has it): its capacity can fill one MachineSet`),
                );
            }
            owner.set(id, index);
            if (cluster.platform !== "openshift") {
                problems.push(
                    problem(at, id, "no capacity reservations on plain Kubernetes: they are launched by the OpenShift Machine API"),
                );
            } else if (cluster.openshiftVersion.minor < 18) {
                problems.push(
                    problem(
                        at,
                        id,
                        `no capacity reservations on OpenShift 4.${cluster.openshiftVersion.minor}: the Machine API launches into one from 4.18 (capacityReservationId)`,
                    ),
                );
            } else if (pool.market === "spot") {
                problems.push(
                    problem(
                        at,
                        id,
                        "an on-demand pool: the Machine API refuses a capacity reservation with spot (machine-api-provider-aws)",
                    ),
                );
            }
            if (lookups === "offline" && !raw.capacityReservations?.[id]) {
                problems.push(
                    problem(at, id, `a reservation described in cluster-capacity:capacityReservations.${id} (offline lookups read no AWS)`),
                );
            }
        });
    });
}

/**
 * GPU nodes must repel ordinary pods, or they fill GPU nodes and keep them from scaling down. Neuron
 * nodes must not: the Neuron driver would never load on them (see DEFAULT_TAINTS).
 */
function checkTaints(raw: RawPool, at: (...rest: PathSegment[]) => PathSegment[], problems: ConfigProblem[]): void {
    if (!raw.taints || !raw.accelerator) return;
    const found = acceleratorTaintProblem(raw.accelerator, raw.taints);
    if (found?.kind === "neuron-repelled") {
        raw.taints.forEach((t, index) => {
            if (!found.repelling.includes(t)) return;
            problems.push(
                problem(
                    at("taints", index, "effect"),
                    t.effect,
                    "PreferNoSchedule on a neuron pool: the AWS Neuron operator's driver (KMM Module), device plugin and node metrics tolerate no NoSchedule/NoExecute taint, so the node would never get aws.amazon.com/neuron",
                ),
            );
        });
    } else if (found?.kind === "gpu-untainted") {
        problems.push(
            problem(
                at("taints"),
                raw.taints,
                "at least one NoSchedule or NoExecute taint on an accelerator pool (leave taints out for the default)",
            ),
        );
    }
}

/** EBS rules EC2 enforces only at launch, when a wrong value leaves Machines Failed. */
function checkRootVolume(volume: RawPool["rootVolume"], at: (...rest: PathSegment[]) => PathSegment[], problems: ConfigProblem[]): void {
    const type = volume?.type ?? "gp3";
    const iopsRange: Record<string, [number, number] | undefined> = {
        gp3: [3000, 16000],
        io1: [100, 64000],
        io2: [100, 256000],
        gp2: undefined,
    };
    const range = iopsRange[type];
    if (volume?.iops !== undefined && !range) {
        problems.push(problem(at("rootVolume", "iops"), volume.iops, `no iops on ${type} volumes (their IOPS follow their size)`));
    } else if (volume?.iops !== undefined && range && (volume.iops < range[0] || volume.iops > range[1])) {
        problems.push(problem(at("rootVolume", "iops"), volume.iops, `${range[0]} to ${range[1]} IOPS for ${type}`));
    } else if (volume?.iops === undefined && (type === "io1" || type === "io2")) {
        problems.push(problem(at("rootVolume", "iops"), undefined, `provisioned IOPS: ${type} volumes require them`));
    }
    if (volume?.throughputMiBps !== undefined && type !== "gp3") {
        problems.push(
            problem(at("rootVolume", "throughputMiBps"), volume.throughputMiBps, `no throughput on ${type} volumes: only gp3 takes it`),
        );
    }
}

/** Keys of the provider spec that the pool's own settings drive, and that quotas, policies and Kueue rely on. */
const MANAGED_PROVIDER_SPEC_KEYS: Readonly<Record<string, string>> = {
    apiVersion: "the provider spec's API version",
    kind: "the provider spec's kind",
    instanceType: "pools[].instanceType",
    ami: "ami or pools[].ami",
    spotMarketOptions: "pools[].market",
    marketType: "pools[].market",
    metadataServiceOptions: "IMDSv2, which is always required",
    blockDevices: "pools[].rootVolume",
};

function checkProviderSpec(
    spec: Record<string, unknown> | undefined,
    at: (...rest: PathSegment[]) => PathSegment[],
    problems: ConfigProblem[],
): void {
    for (const [key, owner] of Object.entries(MANAGED_PROVIDER_SPEC_KEYS)) {
        if (spec && key in spec) {
            problems.push(problem(at("providerSpec", key), spec[key], `no override of ${key}: it is set from ${owner}`));
        }
    }
    const placement = spec?.placement as Record<string, unknown> | undefined;
    for (const key of ["region", "availabilityZone"]) {
        if (placement && key in placement) {
            problems.push(
                problem(
                    at("providerSpec", "placement", key),
                    placement[key],
                    `no override of placement.${key}: it is set from cluster.region and pools[].zones`,
                ),
            );
        }
    }
}

/**
 * A new pool's subnet and security groups come from config, the cluster's worker MachineSets or AWS
 * (lib/network.ts). Rendering offline reaches neither, and the installer's names cannot be guessed.
 */
function checkNetworkSource(
    pools: PoolConfig[],
    cluster: ClusterConfig,
    network: NetworkConfig,
    reach: { lookups: CapacityConfig["lookups"]; rendering: boolean },
    problems: ConfigProblem[],
): void {
    if (cluster.platform !== "openshift" || pools.length === 0) return;
    const explicit = network.subnets !== undefined || network.securityGroups !== undefined;
    if (network.workerMachineSet && reach.rendering) {
        problems.push(
            problem(
                ["network", "workerMachineSet"],
                network.workerMachineSet,
                "no workerMachineSet with renderDirectory: rendering reads nothing from the cluster",
            ),
        );
    }
    if (explicit && network.workerMachineSet) {
        problems.push(
            problem(
                ["network", "workerMachineSet"],
                network.workerMachineSet,
                "either workerMachineSet (copy) or subnets and securityGroups (explicit), not both",
            ),
        );
    }
    if (explicit) {
        if (!network.securityGroups) {
            problems.push(
                problem(
                    ["network", "securityGroups"],
                    undefined,
                    "the worker security groups (ids or Name tags) that go with network.subnets",
                ),
            );
        }
        const zones = [...new Set(pools.flatMap((p) => p.zones))].filter((z) => !(z in (network.subnets ?? {})));
        for (const zone of zones) {
            problems.push(
                problem(["network", "subnets", zone], undefined, `the subnet of ${zone} (a pool uses that zone), as an id or Name tag`),
            );
        }
        return;
    }
    if (reach.rendering && reach.lookups === "offline") {
        problems.push(
            problem(
                ["network"],
                undefined,
                "explicit subnets and securityGroups: renderDirectory reads no worker MachineSet and offline lookups ask AWS nothing, and the installer's names depend on the release the cluster was installed with, not on openshiftVersion",
            ),
        );
    }
}

function checkPoolSet(pools: PoolConfig[], cluster: ClusterConfig, neuronEnabled: boolean, problems: ConfigProblem[]): void {
    const firstIndex = new Map<string, number>();
    const flavorIndex = new Map<string, number>();
    pools.forEach((pool, index) => {
        const earlier = firstIndex.get(pool.name);
        if (earlier !== undefined) {
            problems.push(
                problem(["pools", index, "name"], pool.name, `a name not used by another pool (pools[${earlier}] is also "${pool.name}")`),
            );
        } else {
            firstIndex.set(pool.name, index);
        }
        const flavorOwner = flavorIndex.get(pool.kueueFlavor);
        if (flavorOwner !== undefined && flavorOwner !== index && earlier === undefined) {
            problems.push(
                problem(
                    ["pools", index, "kueueFlavor"],
                    pool.kueueFlavor,
                    `a flavor no other pool uses (pools[${flavorOwner}] has it): each flavor selects exactly one pool's nodes`,
                ),
            );
        } else {
            flavorIndex.set(pool.kueueFlavor, index);
        }
        if (pool.accelerator === "neuron" && !neuronEnabled) {
            problems.push(
                problem(
                    ["pools", index, "accelerator"],
                    "neuron",
                    "nvidia, or set cluster-capacity:neuron.enabled: true (Inferentia pools are gated)",
                ),
            );
        }
    });
    if (neuronEnabled && cluster.platform !== "openshift") {
        problems.push(
            problem(
                ["neuron", "enabled"],
                true,
                "false on plain Kubernetes: the Neuron stack (NFD, KMM, AWS Neuron operator) is installed through OpenShift's OLM",
            ),
        );
    }
    if (neuronEnabled && cluster.platform === "openshift" && cluster.openshiftVersion.minor < 19) {
        problems.push(
            problem(
                ["neuron", "enabled"],
                true,
                `false on OpenShift 4.${cluster.openshiftVersion.minor}: the AWS Neuron operator needs OpenShift 4.19 or later`,
            ),
        );
    }
}
