/**
 * The cross-field rules of the pools, the third layer of config validation (after the schema's
 * types and the defaults of validate.ts): each rule once, on the raw values the user wrote, each
 * problem naming its key path. Rules that need AWS's or the plan's facts (a GPU's MIG profiles,
 * a type's EFA support, a reservation's zone) live with those facts in lib/lookups/, lib/plan.ts
 * and lib/reservations.ts.
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
import {
    fallbackMachineSetName,
    isDns1123Label,
    machineSetName,
    machineSetNameProblem,
    MAX_LABEL_LENGTH,
    poolMachineConfigRole,
} from "../naming";
import type { AmiContext, RawPool } from "./raw";
import type { CapacityConfig, ClusterConfig, GpuOperatorConfig, NetworkConfig, PoolConfig } from "./types";

/** The rules of one pool entry. */
export function checkPool(
    raw: RawPool,
    index: number,
    cluster: ClusterConfig,
    lookups: LookupMode,
    migStrategy: GpuOperatorConfig["migStrategy"],
    problems: ConfigProblem[],
): void {
    const at = (...rest: PathSegment[]): PathSegment[] => ["pools", index, ...rest];
    const name = raw.name as string;
    const accelerator = raw.accelerator as PoolConfig["accelerator"];
    const reservations = raw.capacityReservations ?? [];
    // A pool of reservations only has their MachineSets; zones, when given, add ordinary ones.
    const zonesFromCluster = raw.zones === undefined && reservations.length === 0;
    const zones = raw.zones ?? [];
    if (zonesFromCluster && (cluster.platform !== "openshift" || lookups !== "aws")) {
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
}

/** A spot pool's on-demand fallback: autoscaled spot pools only, with names that fit. */
export function checkFallbacks(pools: readonly PoolConfig[], cluster: ClusterConfig, problems: ConfigProblem[]): void {
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
export function checkTraining(
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
        if (pool.efa && pool.zonesFromCluster) {
            problems.push(problem(at("zones"), undefined, "the one zone of an EFA pool: its cluster placement group lives in one zone"));
        }
    });
}

/**
 * Reservations name MachineSets through the Machine API's `capacityReservationId` (OpenShift 4.18,
 * openshift/machine-api-provider-aws release-4.18 `getCapacityReservationSpecification`), and their
 * facts come from AWS or, offline, from `capacityReservations`.
 */
export function checkReservations(
    raw: { capacityReservations?: CapacityConfig["capacityReservations"] },
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
export function checkNetworkSource(
    pools: PoolConfig[],
    cluster: ClusterConfig,
    network: NetworkConfig,
    reach: Pick<AmiContext, "lookups" | "rendering">,
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

export function checkPoolSet(pools: PoolConfig[], cluster: ClusterConfig, neuronEnabled: boolean, problems: ConfigProblem[]): void {
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
