/**
 * The cross-field rules of the pools, the third layer of config validation (after the schema's
 * types and the defaults of validate.ts): each rule once, on the raw values the user wrote, each
 * problem naming its key path. Rules that need AWS's or the plan's facts (a GPU's MIG profiles,
 * a type's EFA support, a reservation's zone) live with those facts in lib/lookups/, lib/plan/index.ts
 * and lib/plan/reservations.ts.
 */
import {
    ACCELERATOR_LABEL,
    acceleratorTaintProblem,
    DEVICE_PLUGIN_CONFIG_LABEL,
    type LookupMode,
    MIG_CONFIG_LABEL,
    POOL_LABEL,
} from "../../policy/lib/contract";
import { ConfigProblem, PathSegment, problem } from "../errors";
import { fallbackMachineSetName, isDns1123Label, machineSetName, machineSetNameProblem, MAX_LABEL_LENGTH, tunedPoolRole } from "../naming";
import type { AmiContext, RawPool } from "./raw";
import type { CapacityConfig, ClusterConfig, GpuOperatorConfig, NetworkConfig, PoolConfig } from "./types";

/** What one pool entry's rules read: the entry as written, where it is, and the settings around it. */
export interface PoolEntry {
    raw: RawPool;
    index: number;
    cluster: ClusterConfig;
    lookups: LookupMode;
    migStrategy: GpuOperatorConfig["migStrategy"];
}

/** One rule of a pool entry: the problems it finds, each naming its key path; none when the entry keeps it. */
export type PoolRule = (entry: PoolEntry) => ConfigProblem[];

/** The key path of a pool entry's key: `["pools", index, ...rest]`. */
function poolKey(entry: PoolEntry, ...rest: PathSegment[]): PathSegment[] {
    return ["pools", entry.index, ...rest];
}

/** Zones left out default to the cluster's zones that offer the type, which only AWS on OpenShift can say. */
export function zonesKnowable(entry: PoolEntry): ConfigProblem[] {
    const { raw, cluster, lookups } = entry;
    // A pool of reservations only has their MachineSets; zones, when given, add ordinary ones.
    const zonesFromCluster = raw.zones === undefined && (raw.capacityReservations ?? []).length === 0;
    if (!zonesFromCluster || (cluster.platform === "openshift" && lookups === "aws")) return [];
    return [
        problem(
            poolKey(entry, "zones"),
            undefined,
            "the pool's zones: they default to the cluster's zones that offer the type only with aws lookups on OpenShift",
        ),
    ];
}

/** On OpenShift each zone is one of the region's and names a MachineSet that fits a label value. */
export function zonesOfRegion(entry: PoolEntry): ConfigProblem[] {
    const { raw, cluster, index } = entry;
    if (cluster.platform !== "openshift") return []; // zones of existing nodes: any label value
    const name = raw.name as string;
    return (raw.zones ?? []).flatMap((zone, z) => {
        if (cluster.region && !(zone.startsWith(cluster.region) && /^[a-z]$/.test(zone.slice(cluster.region.length)))) {
            return [problem(poolKey(entry, "zones", z), zone, `an availability zone of ${cluster.region}, such as ${cluster.region}a`)];
        }
        const tooLong = cluster.infraId ? machineSetNameProblem(index, name, machineSetName(cluster.infraId, name, zone)) : undefined;
        return tooLong ? [tooLong] : [];
    });
}

/** Autoscaling bounds in order, and no replicas beside them: the autoscaler owns the machine count. */
export function autoscalingBounds(entry: PoolEntry): ConfigProblem[] {
    const { autoscaling, replicas } = entry.raw;
    if (!autoscaling) return [];
    const problems: ConfigProblem[] = [];
    if (autoscaling.minReplicas > autoscaling.maxReplicas) {
        problems.push(
            problem(
                poolKey(entry, "autoscaling", "maxReplicas"),
                autoscaling.maxReplicas,
                `a number >= minReplicas (${autoscaling.minReplicas})`,
            ),
        );
    }
    if (replicas !== undefined) {
        problems.push(
            problem(poolKey(entry, "replicas"), replicas, "no replicas when autoscaling is set: the autoscaler owns the machine count"),
        );
    }
    return problems;
}

/** A label this program, the machine API or Kubernetes sets on the nodes itself. */
export function isManagedLabel(label: string): boolean {
    return (
        label === POOL_LABEL ||
        label === ACCELERATOR_LABEL ||
        label === DEVICE_PLUGIN_CONFIG_LABEL ||
        label === MIG_CONFIG_LABEL ||
        label.startsWith("node-role.kubernetes.io/") ||
        label.startsWith("machine.openshift.io/") ||
        // Kubernetes reserves these prefixes for what the kubelet and controllers set (hostname, zone, arch).
        (/^([a-z0-9.-]+\.)?(kubernetes\.io|k8s\.io)\//.test(label) && !label.startsWith("node-restriction.kubernetes.io/"))
    );
}

export function labelsUnmanaged(entry: PoolEntry): ConfigProblem[] {
    const labels = entry.raw.labels ?? {};
    return Object.keys(labels)
        .filter(isManagedLabel)
        .map((label) =>
            problem(
                poolKey(entry, "labels", label),
                labels[label],
                "a label this program does not set itself (node roles, the pool, accelerator and device-plugin labels are managed, and the MIG label comes from mig.profile)",
            ),
        );
}

export function userDataOfWorkers(entry: PoolEntry): ConfigProblem[] {
    const userData = (entry.raw.providerSpec?.userDataSecret as { name?: string } | undefined)?.name;
    // worker-user-data-managed is the Machine Config Operator's managed copy of the workers' user data.
    if (!userData || /^worker-user-data(-managed)?$/.test(userData)) return [];
    return [
        problem(
            poolKey(entry, "providerSpec", "userDataSecret", "name"),
            userData,
            "worker-user-data or worker-user-data-managed (or leave it out): other user data, master-user-data above all, would make the machines something other than workers",
        ),
    ];
}

export function throughputSupported(entry: PoolEntry): ConfigProblem[] {
    const { raw, cluster } = entry;
    // AWSMachineProviderConfig has no EBS throughput field before 4.21 (openshift/api
    // machine/v1beta1/types_awsprovider.go, `throughputMib` from release-4.21): the machine API
    // would ignore it and launch the volume at gp3's baseline.
    const throughput = raw.rootVolume?.throughputMiBps;
    if (throughput === undefined || cluster.platform !== "openshift" || cluster.openshiftVersion.minor >= 21) return [];
    return [
        problem(
            poolKey(entry, "rootVolume", "throughputMiBps"),
            throughput,
            `no throughput on OpenShift 4.${cluster.openshiftVersion.minor}: the Machine API takes EBS throughput (throughputMib) from 4.21, and would launch gp3 at its 125 MiB/s baseline`,
        ),
    ];
}

/** OS tuning (sysctls, kernel arguments) goes to a pool's own MachineConfigPool, which only GPU pools have. */
export function tuningOnGpuPools(entry: PoolEntry): ConfigProblem[] {
    const { raw } = entry;
    const name = raw.name as string;
    const hasSysctls = Object.keys(raw.sysctls ?? {}).length > 0;
    if (!hasSysctls && (raw.kernelArguments ?? []).length === 0) return [];
    if (raw.accelerator !== "nvidia") {
        return [
            problem(
                poolKey(entry, hasSysctls ? "sysctls" : "kernelArguments"),
                raw.sysctls ?? raw.kernelArguments,
                "no OS tuning on non-NVIDIA pools: only GPU nodes have a MachineConfigPool",
            ),
        ];
    }
    if (isDns1123Label(tunedPoolRole(name))) return [];
    return [
        problem(
            poolKey(entry, "name"),
            name,
            `a name of at most ${MAX_LABEL_LENGTH - tunedPoolRole("").length} characters for a pool with its own OS tuning (MachineConfigPool ${tunedPoolRole(name)})`,
        ),
    ];
}

export function timeSlicingOnGpuPools(entry: PoolEntry): ConfigProblem[] {
    const { raw } = entry;
    if (raw.timeSlicing === undefined || raw.accelerator === "nvidia") return [];
    return [problem(poolKey(entry, "timeSlicing"), raw.timeSlicing, "no time-slicing on non-NVIDIA pools")];
}

/**
 * The cluster autoscaler builds an empty MachineSet's node from its annotations, which know
 * nvidia.com/gpu only (kubernetes-autoscaler clusterapi `clusterapi_unstructured.go`): no
 * pod asking for nvidia.com/mig-* would ever fit it. A node of the MachineSet is the model.
 */
export function mixedMigPoolsNeverEmpty(entry: PoolEntry): ConfigProblem[] {
    const { raw } = entry;
    if (!raw.mig || entry.migStrategy !== "mixed" || raw.retired) return [];
    const problems: ConfigProblem[] = [];
    if (raw.autoscaling && raw.autoscaling.minReplicas < 1) {
        problems.push(
            problem(
                poolKey(entry, "autoscaling", "minReplicas"),
                raw.autoscaling.minReplicas,
                "at least 1 on a MIG pool under the mixed strategy: the cluster autoscaler cannot grow an empty MachineSet for nvidia.com/mig-* requests",
            ),
        );
    }
    if (raw.onDemandFallback) {
        problems.push(
            problem(
                poolKey(entry, "onDemandFallback"),
                true,
                "false on a MIG pool under the mixed strategy: its fallback MachineSets start empty, and the cluster autoscaler cannot grow an empty MachineSet for nvidia.com/mig-* requests",
            ),
        );
    }
    return problems;
}

/**
 * GPU nodes must repel ordinary pods, or they fill GPU nodes and keep them from scaling down. Neuron
 * nodes must not: the Neuron driver would never load on them (see DEFAULT_TAINTS).
 */
export function taintsFitAccelerator(entry: PoolEntry): ConfigProblem[] {
    const { taints, accelerator } = entry.raw;
    if (!taints || !accelerator) return [];
    const found = acceleratorTaintProblem(accelerator, taints);
    if (found?.kind === "neuron-repelled") {
        return taints.flatMap((t, index) =>
            found.repelling.includes(t)
                ? [
                      problem(
                          poolKey(entry, "taints", index, "effect"),
                          t.effect,
                          "PreferNoSchedule on a neuron pool: the AWS Neuron operator's driver (KMM Module), device plugin and node metrics tolerate no NoSchedule/NoExecute taint, so the node would never get aws.amazon.com/neuron",
                      ),
                  ]
                : [],
        );
    }
    if (found?.kind === "gpu-untainted") {
        return [
            problem(
                poolKey(entry, "taints"),
                taints,
                "at least one NoSchedule or NoExecute taint on an accelerator pool (leave taints out for the default)",
            ),
        ];
    }
    return [];
}

/** EBS IOPS ranges per volume type; gp2's IOPS follow its size. */
const IOPS_RANGES: Readonly<Record<string, [number, number] | undefined>> = {
    gp3: [3000, 16000],
    io1: [100, 64000],
    io2: [100, 256000],
    gp2: undefined,
};

/** EBS rules EC2 enforces only at launch, when a wrong value leaves Machines Failed. */
export function rootVolumeFitsType(entry: PoolEntry): ConfigProblem[] {
    const volume = entry.raw.rootVolume;
    const type = volume?.type ?? "gp3";
    const range = IOPS_RANGES[type];
    const problems: ConfigProblem[] = [];
    if (volume?.iops !== undefined && !range) {
        problems.push(
            problem(poolKey(entry, "rootVolume", "iops"), volume.iops, `no iops on ${type} volumes (their IOPS follow their size)`),
        );
    } else if (volume?.iops !== undefined && range && (volume.iops < range[0] || volume.iops > range[1])) {
        problems.push(problem(poolKey(entry, "rootVolume", "iops"), volume.iops, `${range[0]} to ${range[1]} IOPS for ${type}`));
    } else if (volume?.iops === undefined && (type === "io1" || type === "io2")) {
        problems.push(problem(poolKey(entry, "rootVolume", "iops"), undefined, `provisioned IOPS: ${type} volumes require them`));
    }
    if (volume?.throughputMiBps !== undefined && type !== "gp3") {
        problems.push(
            problem(
                poolKey(entry, "rootVolume", "throughputMiBps"),
                volume.throughputMiBps,
                `no throughput on ${type} volumes: only gp3 takes it`,
            ),
        );
    }
    return problems;
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

export function providerSpecLeavesManagedKeys(entry: PoolEntry): ConfigProblem[] {
    const spec = entry.raw.providerSpec;
    if (!spec) return [];
    const managed = Object.entries(MANAGED_PROVIDER_SPEC_KEYS)
        .filter(([key]) => key in spec)
        .map(([key, owner]) => problem(poolKey(entry, "providerSpec", key), spec[key], `no override of ${key}: it is set from ${owner}`));
    const placement = spec.placement as Record<string, unknown> | undefined;
    const placed = ["region", "availabilityZone"]
        .filter((key) => placement && key in placement)
        .map((key) =>
            problem(
                poolKey(entry, "providerSpec", "placement", key),
                placement?.[key],
                `no override of placement.${key}: it is set from cluster.region and pools[].zones`,
            ),
        );
    return [...managed, ...placed];
}

/**
 * A MIG layout is either a config the GPU Operator generates (`all-<profile>`, `all-balanced`) or a
 * custom name with its devices; whether the GPU takes it is known only with the instance type's
 * GPU model (lib/plan/index.ts).
 */
export function migLayoutKnown(entry: PoolEntry): ConfigProblem[] {
    const { mig, accelerator, timeSlicing } = entry.raw;
    if (!mig) return [];
    const problems: ConfigProblem[] = [];
    if (accelerator !== "nvidia") {
        problems.push(problem(poolKey(entry, "mig"), mig, "no MIG on non-NVIDIA pools"));
    } else if (timeSlicing !== undefined) {
        problems.push(
            problem(
                poolKey(entry, "timeSlicing"),
                timeSlicing,
                "no time-slicing on a MIG pool: the device plugin shares whole GPUs or MIG devices, and this pool's are MIG devices",
            ),
        );
    }
    const generated = mig.profile.startsWith("all-");
    if (generated && mig.devices) {
        problems.push(
            problem(
                poolKey(entry, "mig", "profile"),
                mig.profile,
                "a name that does not start with all- for a custom layout with devices (all-* names are the GPU Operator's own configs)",
            ),
        );
    } else if (!generated && !mig.devices) {
        problems.push(
            problem(
                poolKey(entry, "mig", "devices"),
                undefined,
                `the MIG devices per GPU of custom profile ${mig.profile}, such as { "1g.10gb": 7 }`,
            ),
        );
    }
    return problems;
}

/** The rules of one pool entry, in the order their problems are reported. */
export const POOL_RULES: readonly PoolRule[] = [
    zonesKnowable,
    zonesOfRegion,
    autoscalingBounds,
    labelsUnmanaged,
    taintsFitAccelerator,
    userDataOfWorkers,
    rootVolumeFitsType,
    throughputSupported,
    providerSpecLeavesManagedKeys,
    tuningOnGpuPools,
    timeSlicingOnGpuPools,
    migLayoutKnown,
    mixedMigPoolsNeverEmpty,
];

/** The problems of one pool entry: every rule's, in order. */
export function checkPool(entry: PoolEntry): ConfigProblem[] {
    return POOL_RULES.flatMap((rule) => rule(entry));
}

/** A spot pool's on-demand fallback: autoscaled spot pools only, with names that fit. */
export function checkFallbacks(pools: readonly PoolConfig[], cluster: ClusterConfig): ConfigProblem[] {
    return pools.flatMap((pool, index) => {
        if (!pool.onDemandFallback) return [];
        const at = ["pools", index, "onDemandFallback"];
        const problems: ConfigProblem[] = [];
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
        return problems;
    });
}

/** What the EFA and placement-group rules read besides the pool. */
export interface TrainingContext {
    cluster: ClusterConfig;
    lookups: LookupMode;
    /** renderDirectory is set: the stack creates no AWS resource. */
    rendering: boolean;
}

/** One rule of a pool's EFA and placement group. */
type TrainingRule = (pool: PoolConfig, index: number, context: TrainingContext) => ConfigProblem[];

/** EFA and placement groups are set on MachineSets, which plain Kubernetes has none of. */
export function trainingOnOpenShift(pool: PoolConfig, index: number, { cluster }: TrainingContext): ConfigProblem[] {
    if (!(pool.efa || pool.placementGroup) || cluster.platform === "openshift") return [];
    return [
        problem(
            ["pools", index, pool.efa ? "efa" : "placementGroup"],
            pool.efa || pool.placementGroup,
            "no EFA or placement group on plain Kubernetes: they are set on MachineSets",
        ),
    ];
}

/** Whether a type takes EFA, and the VPC of the pool's EFA security group, come from AWS: not offline. */
export function efaWithAwsLookups(pool: PoolConfig, index: number, { lookups }: TrainingContext): ConfigProblem[] {
    if (!pool.efa || lookups === "aws") return [];
    return [
        problem(
            ["pools", index, "efa"],
            true,
            "false with offline lookups: whether the type takes EFA, and the VPC of its security group, come from AWS",
        ),
    ];
}

/** EFA's security group and a created placement group are AWS resources, which a stack that only renders YAML must not create. */
export function trainingCreatesNothingWhenRendering(pool: PoolConfig, index: number, { rendering }: TrainingContext): ConfigProblem[] {
    if (!rendering) return [];
    const problems: ConfigProblem[] = [];
    if (pool.efa) {
        problems.push(
            problem(
                ["pools", index, "efa"],
                true,
                "false when renderDirectory is set: EFA creates an AWS security group, and a rendering stack touches nothing",
            ),
        );
    }
    if (pool.placementGroup?.create) {
        problems.push(
            problem(
                ["pools", index, "placementGroup", "create"],
                true,
                "false when renderDirectory is set: a rendering stack creates no AWS placement group",
            ),
        );
    }
    return problems;
}

/** EFA's low latency holds within a cluster placement group, which lives in one zone. */
export function efaInOnePlacementGroup(pool: PoolConfig, index: number): ConfigProblem[] {
    if (!pool.efa) return [];
    const problems: ConfigProblem[] = [];
    if (!pool.placementGroup) {
        problems.push(
            problem(
                ["pools", index, "placementGroup"],
                undefined,
                "a cluster placement group for an EFA pool ({ name } of an existing one, or create: true)",
            ),
        );
    }
    if (pool.zonesFromCluster) {
        problems.push(
            problem(["pools", index, "zones"], undefined, "the one zone of an EFA pool: its cluster placement group lives in one zone"),
        );
    }
    return problems;
}

/** The EFA and placement-group rules that hold on OpenShift, in the order their problems are reported. */
const TRAINING_RULES: readonly TrainingRule[] = [efaWithAwsLookups, trainingCreatesNothingWhenRendering, efaInOnePlacementGroup];

/**
 * EFA and placement groups. EFA's low latency holds within a cluster placement group, which lives in
 * one zone; whether a type takes EFA, and the VPC of the pool's EFA security group, come from AWS.
 * Both create AWS resources, which a stack that only renders YAML must not.
 */
export function checkTraining(pools: readonly PoolConfig[], context: TrainingContext): ConfigProblem[] {
    return pools.flatMap((pool, index) => {
        // On plain Kubernetes that is the one thing to say: the other rules are about MachineSets.
        const notOpenShift = trainingOnOpenShift(pool, index, context);
        if (notOpenShift.length > 0) return notOpenShift;
        return TRAINING_RULES.flatMap((rule) => rule(pool, index, context));
    });
}

/** One reservation a pool names, and the pool that named it before, if any. */
export interface ReservationEntry {
    pool: PoolConfig;
    id: string;
    at: PathSegment[];
    /** The index of the last pool before that names it too (its own index when the pool names it twice). */
    earlier?: number;
}

/** Every reservation the pools name, in order, each with the last pool that named it before. */
function namedReservations(pools: readonly PoolConfig[]): ReservationEntry[] {
    const owner = new Map<string, number>();
    return pools.flatMap((pool, index) =>
        pool.capacityReservations.map((id, r) => {
            const earlier = owner.get(id);
            owner.set(id, index);
            return { pool, id, at: ["pools", index, "capacityReservations", r], earlier };
        }),
    );
}

/** The Machine API launches into a reservation from OpenShift 4.18 (capacityReservationId), on-demand only. */
export function reservationLaunchable({ pool, id, at }: ReservationEntry, cluster: ClusterConfig): ConfigProblem[] {
    if (cluster.platform !== "openshift") {
        return [problem(at, id, "no capacity reservations on plain Kubernetes: they are launched by the OpenShift Machine API")];
    }
    if (cluster.openshiftVersion.minor < 18) {
        return [
            problem(
                at,
                id,
                `no capacity reservations on OpenShift 4.${cluster.openshiftVersion.minor}: the Machine API launches into one from 4.18 (capacityReservationId)`,
            ),
        ];
    }
    if (pool.market === "spot") {
        return [problem(at, id, "an on-demand pool: the Machine API refuses a capacity reservation with spot (machine-api-provider-aws)")];
    }
    return [];
}

/**
 * Reservations name MachineSets through the Machine API's `capacityReservationId` (OpenShift 4.18,
 * openshift/machine-api-provider-aws release-4.18 `getCapacityReservationSpecification`), and their
 * facts come from AWS or, offline, from `capacityReservations`.
 */
export function checkReservations(
    raw: { capacityReservations?: CapacityConfig["capacityReservations"] },
    pools: readonly PoolConfig[],
    cluster: ClusterConfig,
    lookups: LookupMode,
): ConfigProblem[] {
    const described =
        raw.capacityReservations && lookups === "aws"
            ? [
                  problem(
                      ["capacityReservations"],
                      raw.capacityReservations,
                      "no capacityReservations with aws lookups: EC2 says what each reservation is",
                  ),
              ]
            : [];
    return [
        ...described,
        ...namedReservations(pools).flatMap((named) => {
            const { id, at, earlier } = named;
            const problems: ConfigProblem[] = [];
            if (earlier !== undefined) {
                problems.push(
                    problem(at, id, `a reservation no other pool uses (pools[${earlier}] has it): its capacity can fill one MachineSet`),
                );
            }
            problems.push(...reservationLaunchable(named, cluster));
            if (lookups === "offline" && !raw.capacityReservations?.[id]) {
                problems.push(
                    problem(at, id, `a reservation described in cluster-capacity:capacityReservations.${id} (offline lookups read no AWS)`),
                );
            }
            return problems;
        }),
    ];
}

/**
 * A new pool's subnet and security groups come from config, the cluster's worker MachineSets or AWS
 * (lib/lookups/machineNetwork.ts). Rendering offline reaches neither, and the installer's names cannot be guessed.
 */
export function checkNetworkSource(
    pools: readonly PoolConfig[],
    cluster: ClusterConfig,
    network: NetworkConfig,
    reach: Pick<AmiContext, "lookups" | "rendering">,
): ConfigProblem[] {
    if (cluster.platform !== "openshift" || pools.length === 0) return [];
    const explicit = network.subnets !== undefined || network.securityGroups !== undefined;
    return [
        ...workerMachineSetSource(network, explicit, reach.rendering),
        ...(explicit ? explicitNetworkComplete(pools, network) : networkReachable(reach)),
    ];
}

/** A worker MachineSet to copy is read from the cluster, and is one source: not with explicit subnets. */
export function workerMachineSetSource(network: NetworkConfig, explicit: boolean, rendering: boolean): ConfigProblem[] {
    if (!network.workerMachineSet) return [];
    const problems: ConfigProblem[] = [];
    if (rendering) {
        problems.push(
            problem(
                ["network", "workerMachineSet"],
                network.workerMachineSet,
                "no workerMachineSet with renderDirectory: rendering reads nothing from the cluster",
            ),
        );
    }
    if (explicit) {
        problems.push(
            problem(
                ["network", "workerMachineSet"],
                network.workerMachineSet,
                "either workerMachineSet (copy) or subnets and securityGroups (explicit), not both",
            ),
        );
    }
    return problems;
}

/** An explicit network names the security groups and a subnet for every zone a pool uses. */
export function explicitNetworkComplete(pools: readonly PoolConfig[], network: NetworkConfig): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (!network.securityGroups) {
        problems.push(
            problem(["network", "securityGroups"], undefined, "the worker security groups (ids or Name tags) that go with network.subnets"),
        );
    }
    const zones = [...new Set(pools.flatMap((p) => p.zones))].filter((z) => !(z in (network.subnets ?? {})));
    for (const zone of zones) {
        problems.push(
            problem(["network", "subnets", zone], undefined, `the subnet of ${zone} (a pool uses that zone), as an id or Name tag`),
        );
    }
    return problems;
}

/** Without explicit subnets the network is discovered, which needs the cluster or AWS. */
export function networkReachable(reach: Pick<AmiContext, "lookups" | "rendering">): ConfigProblem[] {
    if (!reach.rendering || reach.lookups !== "offline") return [];
    return [
        problem(
            ["network"],
            undefined,
            "explicit subnets and securityGroups: renderDirectory reads no worker MachineSet and offline lookups ask AWS nothing, and the installer's names depend on the release the cluster was installed with, not on openshiftVersion",
        ),
    ];
}

/**
 * Pool names, and Kueue flavors (each selects exactly one pool's nodes), are unique: per pool, the
 * problems of its name and flavor. A pool whose name repeats another's says only that, and takes the
 * flavor over, so a later pool with that flavor names it.
 */
export function uniqueNamesAndFlavors(pools: readonly PoolConfig[]): ConfigProblem[][] {
    const firstIndex = new Map<string, number>();
    const flavorIndex = new Map<string, number>();
    return pools.map((pool, index) => {
        const problems: ConfigProblem[] = [];
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
        return problems;
    });
}

/** Inferentia pools are gated behind neuron.enabled. */
export function neuronPoolGated(pool: PoolConfig, index: number, neuronEnabled: boolean): ConfigProblem[] {
    if (pool.accelerator !== "neuron" || neuronEnabled) return [];
    return [
        problem(
            ["pools", index, "accelerator"],
            "neuron",
            "nvidia, or set cluster-capacity:neuron.enabled: true (Inferentia pools are gated)",
        ),
    ];
}

/** The Neuron stack (NFD, KMM, AWS Neuron operator) comes from OpenShift's OLM, the operator from 4.19. */
export function neuronStackInstallable(cluster: ClusterConfig, neuronEnabled: boolean): ConfigProblem[] {
    if (!neuronEnabled) return [];
    if (cluster.platform !== "openshift") {
        return [
            problem(
                ["neuron", "enabled"],
                true,
                "false on plain Kubernetes: the Neuron stack (NFD, KMM, AWS Neuron operator) is installed through OpenShift's OLM",
            ),
        ];
    }
    if (cluster.openshiftVersion.minor < 19) {
        return [
            problem(
                ["neuron", "enabled"],
                true,
                `false on OpenShift 4.${cluster.openshiftVersion.minor}: the AWS Neuron operator needs OpenShift 4.19 or later`,
            ),
        ];
    }
    return [];
}

/** The rules across pools: per pool its name, flavor and accelerator, then the Neuron stack. */
export function checkPoolSet(pools: readonly PoolConfig[], cluster: ClusterConfig, neuronEnabled: boolean): ConfigProblem[] {
    const duplicates = uniqueNamesAndFlavors(pools);
    return [
        ...pools.flatMap((pool, index) => [...duplicates[index], ...neuronPoolGated(pool, index, neuronEnabled)]),
        ...neuronStackInstallable(cluster, neuronEnabled),
    ];
}
