/**
 * Turns raw stack config values into a typed CapacityConfig, or throws one ConfigError that lists
 * every bad value with its key path. Pure: no Pulumi runtime, no AWS. In three layers: the schema
 * types the values (schemaCheck.ts), the resolvers here and in operatorSettings.ts apply the
 * defaults, and the cross-field rules run once each, each returning its problems (poolRules.ts for
 * the pools, operatorSettings.ts for the GPU Operator, Kueue and Neuron settings, the stack's here).
 */
import { isDeepStrictEqual } from "util";
import { managesBootImages, MIN_OPENSHIFT_MINOR, parseOpenShiftVersion } from "../openshift";
import { ConfigError, ConfigProblem, PathSegment, problem } from "../errors";
import { DEFAULT_TAINTS } from "../../policy/lib/contract";
import { checkFallbacks, checkNetworkSource, checkPool, checkPoolSet, checkReservations, checkTraining } from "./poolRules";
import { schemaProblems } from "./schemaCheck";
import { CONFIG_SCHEMA, PROJECT_DEFAULTS } from "./schema";
import {
    checkOperatorSettings,
    DEFAULT_SMOKE_TEST_IMAGES,
    migStrategyFitsPools,
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
    cluster: RawCluster;
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

type RawCluster = Partial<Omit<ClusterConfig, "openshiftVersion">> & { name: string; openshiftVersion?: string };

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

/** Layer 2 then layer 3: the defaults, then every rule's problems; the config only if there are none. */
function resolve(raw: RawConfig, context: ConfigContext): CapacityConfig {
    const config = withDefaults(raw, context);
    const problems = configProblems(raw, config, context);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return config;
}

/** Layer 2, defaults: the typed config. Pure; what is wrong with it is configProblems' to say. */
function withDefaults(raw: RawConfig, context: ConfigContext): CapacityConfig {
    const cluster = resolveCluster(raw.cluster, context);
    const migStrategy = resolveMigStrategy(raw.pools ?? [], raw.gpuOperator?.mig?.strategy);
    const defaultAmi = resolveAmi(raw.ami);
    return {
        cluster,
        network: raw.network ?? {},
        lookups: raw.lookups ?? CONFIG_SCHEMA.properties.lookups.default,
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
        pools: (raw.pools ?? []).map((pool) => resolvePool(pool, defaultAmi, migStrategy)),
        gpuOperator: resolveGpuOperator(raw.gpuOperator, cluster, migStrategy),
        kueue: resolveKueue(raw.kueue, cluster),
        neuron: resolveNeuron(raw.neuron, cluster),
        operators: resolveOperatorChannels(cluster),
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

/**
 * Layer 3, rules, in the order users see their problems: the cluster's and the stack AMI's, the
 * MIG strategy's, the pools' (each pool's own, then those across pools), the operator settings',
 * the reservations', EFA's, the fallbacks', and what the lookups and rendering allow.
 */
function configProblems(raw: RawConfig, config: CapacityConfig, context: ConfigContext): ConfigProblem[] {
    const { cluster, lookups, pools } = config;
    const amiContext: AmiContext = { lookups, cluster, rendering: raw.renderDirectory !== undefined };
    const defaultAmiNeeded = (raw.pools ?? []).length > 0 && !raw.pools?.every((p) => p.ami);
    return [
        ...clusterProblems(raw.cluster, context),
        ...amiProblems(raw.ami, ["ami"], amiContext, defaultAmiNeeded),
        ...migStrategyFitsPools(raw.pools ?? [], raw.gpuOperator?.mig?.strategy),
        ...poolProblems(raw, config, amiContext),
        ...checkOperatorSettings({ ...config, raw }),
        ...checkReservations(raw, pools, cluster, lookups),
        ...checkTraining(pools, { cluster, lookups, rendering: amiContext.rendering }),
        ...checkFallbacks(pools, cluster),
        ...lookupAndRenderingProblems(raw, lookups),
    ];
}

/** The pools' AMIs, each pool entry's rules, the rules across pools, and where their network comes from. */
function poolProblems(raw: RawConfig, config: CapacityConfig, amiContext: AmiContext): ConfigProblem[] {
    const { cluster, lookups, pools, network } = config;
    const migStrategy = config.gpuOperator.migStrategy;
    const entries = raw.pools ?? [];
    return [
        ...entries.flatMap((pool, index) => (pool.ami ? amiProblems(pool.ami, ["pools", index, "ami"], amiContext, true) : [])),
        ...entries.flatMap((pool, index) => checkPool({ raw: pool, index, cluster, lookups, migStrategy })),
        ...checkPoolSet(pools, cluster, raw.neuron?.enabled ?? false),
        ...checkNetworkSource(pools, cluster, network, amiContext),
    ];
}

/** Usage comes from CloudWatch with aws lookups, a quota increase from AWS, and rendering talks to no cluster. */
function lookupAndRenderingProblems(raw: RawConfig, lookups: CapacityConfig["lookups"]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
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
    return problems;
}

/** `cluster.region`, else `aws:region` unless that is no AWS region (aws:region is not in this project's schema). */
function clusterRegion(c: RawCluster, context: ConfigContext): string {
    const region = c.region ?? context.awsRegion ?? "";
    return !c.region && region && !AWS_REGION.test(region) ? "" : region;
}

function resolveCluster(c: RawCluster, context: ConfigContext): ClusterConfig {
    return {
        name: c.name,
        infraId: c.infraId ?? "",
        platform: c.platform ?? "openshift",
        openshiftVersion: parseOpenShiftVersion(c.openshiftVersion ?? "") ?? { major: 4, minor: MIN_OPENSHIFT_MINOR },
        region: clusterRegion(c, context),
        accountId: c.accountId,
    };
}

/** A region to place zones in (checked here, before the zone rules use it), and on OpenShift the infrastructure name and version. */
function clusterProblems(c: RawCluster, context: ConfigContext): ConfigProblem[] {
    const openshift = (c.platform ?? "openshift") === "openshift";
    const problems: ConfigProblem[] = [];
    const given = c.region ?? context.awsRegion ?? "";
    const region = clusterRegion(c, context);
    if (region !== given) {
        problems.push(
            problem(["cluster", "region"], given, "an AWS region such as us-east-2 (taken from aws:region, which holds something else)"),
        );
    }
    if (!region && openshift) {
        problems.push(problem(["cluster", "region"], undefined, "an AWS region here or in the stack's aws:region"));
    }
    if (openshift && !c.infraId) {
        problems.push(
            problem(
                ["cluster", "infraId"],
                undefined,
                "the OpenShift infrastructure name (required on OpenShift; every MachineSet name starts with it)",
            ),
        );
    }
    const version = parseOpenShiftVersion(c.openshiftVersion ?? "");
    if (openshift && !c.openshiftVersion) {
        problems.push(problem(["cluster", "openshiftVersion"], undefined, 'the cluster\'s "4.N" version (required on OpenShift)'));
    } else if (version && version.minor < MIN_OPENSHIFT_MINOR) {
        problems.push(problem(["cluster", "openshiftVersion"], c.openshiftVersion, `4.${MIN_OPENSHIFT_MINOR} or later`));
    }
    return problems;
}

/**
 * The AMI query of the stack or a pool. Its sources (pinned id, the cluster's boot image, owners +
 * namePattern) are tried at lookup time; amiProblems refuses only combinations that can never work.
 */
function resolveAmi(raw: RawAmi | undefined): AmiQuery {
    return {
        id: raw?.id,
        owners: raw?.owners ?? [RHCOS_AMI_OWNER],
        namePattern: raw?.namePattern,
        managedByCluster: raw?.managedByCluster,
    };
}

/** An AMI query that some pool uses, on OpenShift: one source, one that rendering can use, boot-image management from 4.19. */
function amiProblems(raw: RawAmi | undefined, at: PathSegment[], context: AmiContext, needed: boolean): ConfigProblem[] {
    const { cluster, lookups, rendering } = context;
    if (!needed || cluster.platform !== "openshift") return [];
    const problems: ConfigProblem[] = [];
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
    if (raw?.managedByCluster && !managesBootImages(cluster.openshiftVersion)) {
        problems.push(
            problem([...at, "managedByCluster"], true, "false below OpenShift 4.19, which does not manage MachineSet boot images"),
        );
    }
    return problems;
}

/** A pool entry with its defaults; its rules are checkPool's (poolRules.ts). */
function resolvePool(raw: RawPool, defaultAmi: AmiQuery, migStrategy: GpuOperatorConfig["migStrategy"]): PoolConfig {
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
        ami: raw.ami ? resolveAmi(raw.ami) : defaultAmi,
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
