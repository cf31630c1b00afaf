/**
 * Turns raw stack config values into a typed CapacityConfig, or throws one ConfigError that lists
 * every bad value with its key path. Pure: no Pulumi runtime, no AWS. In three layers: the schema
 * types the values (schemaCheck.ts), the resolvers here and in features.ts apply the defaults, and
 * the cross-field rules run once each (poolRules.ts for the pools, features.ts for the GPU
 * Operator, Kueue and Neuron settings).
 */
import { isDeepStrictEqual } from "util";
import { managesBootImages, MIN_OPENSHIFT_MINOR, parseOpenShiftVersion } from "../openshift";
import { ConfigError, ConfigProblem, PathSegment, problem } from "../errors";
import { DEFAULT_TAINTS } from "../../policy/lib/contract";
import { checkFallbacks, checkNetworkSource, checkPool, checkPoolSet, checkReservations, checkTraining } from "./poolRules";
import { schemaProblems } from "./schemaCheck";
import { CONFIG_SCHEMA, PROJECT_DEFAULTS } from "./schema";
import {
    checkGpuOperatorChannel,
    checkNfdReachesGpuNodes,
    checkDriverPerPool,
    checkGpuOperator,
    checkKueue,
    checkNeuron,
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
} from "./operatorSettings";
import type { AmiQuery, CapacityConfig, ClusterConfig, GpuOperatorConfig, NetworkConfig, PoolConfig } from "./types";

const RHCOS_AMI_OWNER = "531415883065";
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$/;
const DEFAULT_ROOT_VOLUME_GIB = 120;

import type { AmiContext, RawAmi, RawPool } from "./raw";

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
    operatorInstallTimeout?: string;
}

interface ConfigContext {
    /** `aws:region` from the stack, the default for `cluster.region`. */
    awsRegion?: string;
}

/** Validates raw config values (top-level key → parsed value) and applies defaults. */
export function parseConfig(raw: Record<string, unknown>, context: ConfigContext = {}): CapacityConfig {
    // A value equal to the key's project default is how the engine says the stack left it out.
    const set = Object.fromEntries(Object.entries(raw).filter(([key, value]) => !isDeepStrictEqual(value, PROJECT_DEFAULTS[key])));
    const problems = schemaProblems(set);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return resolve(set as unknown as RawConfig, context);
}

function resolve(raw: RawConfig, context: ConfigContext): CapacityConfig {
    const problems: ConfigProblem[] = [];
    const cluster = resolveCluster(raw, context, problems);
    const lookups = raw.lookups ?? CONFIG_SCHEMA.properties.lookups.default;
    const neuronEnabled = raw.neuron?.enabled ?? false;
    const amiContext = { lookups, cluster, rendering: raw.renderDirectory !== undefined };
    const defaultAmi = resolveAmi(raw.ami, ["ami"], amiContext, problems, (raw.pools ?? []).length > 0 && !raw.pools?.every((p) => p.ami));
    const migStrategy = resolveMigStrategy(raw.pools ?? [], raw.gpuOperator?.mig?.strategy, problems);
    // Layer 2, defaults: the typed pools. Layer 3, rules: each pool's own, then those across pools and settings.
    const pools = (raw.pools ?? []).map((pool, index) => resolvePool(pool, index, amiContext, defaultAmi, migStrategy, problems));
    problems.push(...(raw.pools ?? []).flatMap((pool, index) => checkPool({ raw: pool, index, cluster, lookups, migStrategy })));
    problems.push(...checkPoolSet(pools, cluster, neuronEnabled));
    const network = raw.network ?? {};
    problems.push(...checkNetworkSource(pools, cluster, network, amiContext));

    const gpuOperator = resolveGpuOperator(raw.gpuOperator, cluster, migStrategy, problems);
    checkGpuOperator(raw.gpuOperator, gpuOperator, cluster, problems);
    checkGpuOperatorChannel({ gpuOperator, cluster }, raw.gpuOperator?.channel !== undefined, problems);
    const kueue = resolveKueue(raw.kueue, cluster, problems);
    checkKueue(raw.kueue, kueue, cluster, pools, problems);
    const neuron = resolveNeuron(raw.neuron, cluster);
    checkNeuron(neuron, cluster, problems);
    const operators = resolveOperatorChannels(cluster);
    checkNfdReachesGpuNodes(pools, gpuOperator, operators, cluster, problems);
    checkGpuSharing(pools, gpuOperator, problems);
    checkDriverPerPool(pools, gpuOperator, problems);
    problems.push(...checkReservations(raw, pools, cluster, lookups));
    problems.push(...checkTraining(pools, { cluster, lookups, rendering: amiContext.rendering }));
    problems.push(...checkFallbacks(pools, cluster));
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
        reservationWarningDays: raw.reservationWarningDays ?? CONFIG_SCHEMA.properties.reservationWarningDays.default,
        efaDevicePluginImage: raw.efaDevicePlugin?.image ?? DEFAULT_EFA_DEVICE_PLUGIN_IMAGE,
        instanceTypes: raw.instanceTypes ?? {},
        prices: raw.prices ?? {},
        pools,
        gpuOperator,
        kueue,
        neuron,
        operators,
        smokeTests: raw.smokeTests ?? CONFIG_SCHEMA.properties.smokeTests.default,
        operatorInstallTimeout: raw.operatorInstallTimeout ?? CONFIG_SCHEMA.properties.operatorInstallTimeout.default,
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

/** A pool entry with its defaults; its rules are checkPool's (poolRules.ts). */
function resolvePool(
    raw: RawPool,
    index: number,
    amiContext: AmiContext,
    defaultAmi: AmiQuery,
    migStrategy: GpuOperatorConfig["migStrategy"],
    problems: ConfigProblem[],
): PoolConfig {
    const name = raw.name as string;
    const accelerator = raw.accelerator as PoolConfig["accelerator"];
    const reservations = raw.capacityReservations ?? [];
    const sysctls = Object.fromEntries(Object.entries(raw.sysctls ?? {}).map(([k, v]) => [k, String(v)]));

    return {
        name,
        accelerator,
        instanceType: raw.instanceType as string,
        zones: raw.zones ?? [],
        // A pool of reservations only has their MachineSets; zones, when given, add ordinary ones.
        zonesFromCluster: raw.zones === undefined && reservations.length === 0,
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
        kernelArguments: raw.kernelArguments ?? [],
        ami: raw.ami ? resolveAmi(raw.ami, ["pools", index, "ami"], amiContext, problems, true) : defaultAmi,
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
 * The image aws/eks-charts `stable/aws-efa-k8s-device-plugin` 0.5.30 deploys. It is in the EKS
 * ECR registry: OpenShift's kubelet has the ECR credential provider from 4.14, but the installer's
 * worker role has no ECR permission, so pulling it needs ECR read access added, or a mirror.
 */
const DEFAULT_EFA_DEVICE_PLUGIN_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.20";

/** Days before a reservation's end when a run warns. */

/**
 * How long a new machine may go without a node before its MachineHealthCheck replaces it. The
 * Machine API's default is 10m (machine-api-operator machinehealthcheck_controller.go
 * `defaultNodeStartupTimeout`, timed from the Machine's last status update); large GPU instances
 * are slower to launch and boot, and a replacement loop on them costs GPU-hours.
 */
const DEFAULT_NODE_STARTUP_TIMEOUT = "25m";
