/**
 * The MachineSet and MachineAutoscaler objects of one pool zone, as plain data. Pure, so tests
 * and the schema check read exactly what the component applies.
 */
import { labelsCapacityType } from "../lib/config/pool";
import { capacityTypeOf, type PoolPlan } from "../lib/plan";
import type { PoolConfig, ReservationFacts } from "../lib/config/types";
import { efaSecurityGroupName, MACHINE_API_NAMESPACE, machineSetName, nodeRoleLabel, timeSlicingConfigKey } from "../lib/naming";
import type { MachineNetwork } from "../lib/lookups/machineNetwork";
import {
    ACCELERATOR_LABEL,
    CAPACITY_TYPE_LABEL,
    CLUSTER_LABEL,
    DEVICE_PLUGIN_CONFIG_LABEL,
    type KubernetesObject,
    MACHINE_API_VERSION,
    MACHINE_AUTOSCALER_API_VERSION,
    type Market,
    MIG_CONFIG_LABEL,
    POOL_LABEL,
    RETIRED_ANNOTATION,
} from "../policy/lib/contract";

interface MachineSetInputs {
    infraId: string;
    region: string;
    pool: PoolConfig;
    zone: string;
    name: string;
    replicas: number;
    amiId: string;
    /** Node role (MachineConfigPool) the machines join: `worker-gpu`, `worker-gpu-<pool>` or `worker`. */
    role: string;
    /** Subnet, security groups and identity, from config, the cluster's worker MachineSets or AWS. */
    network: MachineNetwork;
    /** The capacity reservation its machines launch into (lib/plan/reservations.ts). */
    reservation?: ReservationFacts;
    /** How its machines are bought; default the pool's market (a spot pool's fallback is on-demand). */
    market?: Market;
    /** Its reservation has ended: take spec.replicas back from the autoscaler's field manager, to 0. */
    reservationEnded?: boolean;
}

/** How the MachineSet's machines are bought: its own market, else the pool's. */
function marketOf(i: MachineSetInputs): Market {
    return i.market ?? i.pool.market;
}

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars replace; `null` removes a key. */
export function deepMerge(base: Json, override: Json): Json {
    const merged: Json = { ...base };
    for (const [key, value] of Object.entries(override)) {
        if (value === null) {
            delete merged[key];
        } else if (isPlainObject(value) && isPlainObject(merged[key])) {
            merged[key] = deepMerge(merged[key], value);
        } else {
            merged[key] = value;
        }
    }
    return merged;
}

/** AWSMachineProviderConfig: the pool's instance settings on the network and identity the cluster's workers use. */
function awsProviderSpec(i: MachineSetInputs): Json {
    const volume = i.pool.rootVolume;
    const spec: Json = {
        apiVersion: MACHINE_API_VERSION,
        kind: "AWSMachineProviderConfig",
        ami: { id: i.amiId },
        instanceType: i.pool.instanceType,
        placement: { region: i.region, availabilityZone: i.zone },
        subnet: i.network.subnet,
        securityGroups: i.pool.efa
            ? [...i.network.securityGroups, { filters: [{ name: "tag:Name", values: [efaSecurityGroupName(i.infraId, i.pool.name)] }] }]
            : i.network.securityGroups,
        iamInstanceProfile: i.network.iamInstanceProfile,
        userDataSecret: i.network.userDataSecret,
        credentialsSecret: i.network.credentialsSecret,
        tags: i.network.tags,
        deviceIndex: 0,
        metadataServiceOptions: { authentication: "Required" },
        // `kmsKey: {}` without a key, as the Machine API's defaulting webhook stores it: it re-encodes the
        // provider spec from openshift/api's AWSMachineProviderConfig, whose EBS `kmsKey` is a struct that
        // encoding/json never omits (machine-api-operator pkg/webhooks/machine_webhook.go, defaultAWS;
        // openshift/api machine/v1beta1/types_awsprovider.go). blockDevices is an atomic list, so an
        // apply without it would remove it: a change the cluster's migration policy refuses on a
        // MachineSet Cluster API owns (test/e2e/engine.e2e.ts shows both on the real webhook).
        blockDevices: [
            {
                ebs: {
                    encrypted: true,
                    volumeSize: volume.sizeGiB,
                    volumeType: volume.type,
                    ...(volume.iops !== undefined && { iops: volume.iops }),
                    ...(volume.throughputMiBps !== undefined && { throughputMib: volume.throughputMiBps }),
                    kmsKey: volume.kmsKeyArn !== undefined ? { arn: volume.kmsKeyArn } : {},
                },
            },
        ],
        ...(marketOf(i) === "spot" && { spotMarketOptions: {} }),
        ...(i.reservation && { capacityReservationId: i.reservation.id }),
        // machine-api-provider-aws launchInstance: EFA becomes the first interface's type "efa".
        ...(i.pool.efa && { networkInterfaceType: "EFA" }),
        ...(i.pool.placementGroup && { placementGroupName: i.pool.placementGroup.name }),
        // A Capacity Block is its own market; without it EC2 refuses the launch into the block.
        ...(i.reservation?.kind === "capacity-block" && { marketType: "CapacityBlock" }),
    };
    return deepMerge(spec, i.pool.providerSpec);
}

/**
 * @param capacityType how the node was bought (labelled only in pools of more than one capacity type).
 *
 * A MIG pool under the `mixed` strategy has no accelerator label: its nodes advertise
 * nvidia.com/mig-* and no nvidia.com/gpu, and the cluster autoscaler takes a node with the label
 * but no nvidia.com/gpu for one whose GPUs are not up yet, forever (kubernetes/autoscaler
 * `processors/customresources/gpu_processor.go` FilterOutNodesWithUnreadyResources, which knows
 * only nvidia.com/gpu; kubernetes/autoscaler#8095). Such a node would count as unready and stall
 * scale-ups once too many are. Its pool gets no GPU limit in the ClusterAutoscaler either.
 */
function nodeLabels(pool: PoolConfig, role: string, capacityType: string): Record<string, string> {
    return {
        ...pool.labels,
        ...(labelsCapacityType(pool) && { [CAPACITY_TYPE_LABEL]: capacityType }),
        [nodeRoleLabel("worker")]: "",
        ...(role !== "worker" && { [nodeRoleLabel(role)]: "" }),
        [POOL_LABEL]: pool.name,
        ...(pool.accelerator === "nvidia" && pool.mig?.strategy !== "mixed" && { [ACCELERATOR_LABEL]: pool.name }),
        ...(pool.timeSlicing !== undefined && { [DEVICE_PLUGIN_CONFIG_LABEL]: timeSlicingConfigKey(pool.timeSlicing) }),
        ...(pool.mig && { [MIG_CONFIG_LABEL]: pool.mig.profile }),
    };
}

/**
 * A MachineSet scaled to 0 from outside its autoscaler (a retired pool, an ended reservation) takes
 * spec.replicas back from the autoscaler's field manager: the server-side apply of replicas 0 must
 * win the conflict, hence `pulumi.com/patchForce`. The retired mark lets it be deleted once it has
 * no machines (policy/lib/deletionGuard.ts).
 */
const RETIRED_ANNOTATIONS: Readonly<Record<string, string>> = {
    [RETIRED_ANNOTATION]: "true",
    "pulumi.com/patchForce": "true",
};

export function machineSetManifest(i: MachineSetInputs): KubernetesObject {
    const clusterLabel = { [CLUSTER_LABEL]: i.infraId };
    const selectorLabels = { ...clusterLabel, "machine.openshift.io/cluster-api-machineset": i.name };
    return {
        apiVersion: MACHINE_API_VERSION,
        kind: "MachineSet",
        metadata: {
            name: i.name,
            namespace: MACHINE_API_NAMESPACE,
            labels: { ...clusterLabel, [POOL_LABEL]: i.pool.name },
            // An ended reservation's MachineSet is retired like a pool's: once drained it may leave the config.
            ...((i.pool.retired || i.reservationEnded) && { annotations: RETIRED_ANNOTATIONS }),
        },
        spec: {
            replicas: i.replicas,
            selector: { matchLabels: selectorLabels },
            template: {
                metadata: {
                    labels: {
                        ...selectorLabels,
                        "machine.openshift.io/cluster-api-machine-role": i.role,
                        "machine.openshift.io/cluster-api-machine-type": i.role,
                    },
                },
                spec: {
                    metadata: { labels: nodeLabels(i.pool, i.role, capacityTypeOf({ reservation: i.reservation, market: marketOf(i) })) },
                    taints: i.pool.taints.map((t) => ({ key: t.key, ...(t.value !== undefined && { value: t.value }), effect: t.effect })),
                    providerSpec: { value: awsProviderSpec(i) },
                },
            },
        },
    };
}

const AMI_PATH = "spec.template.spec.providerSpec.value.ami";

/** One MachineSet of a pool, as the pool component registers it. */
export interface PoolMachineSet {
    /** Its resource name after the pool's: `<zone>` and the reservation or fallback suffix. */
    resourceSuffix: string;
    manifest: KubernetesObject;
    /** The fields another owner sets: spec.replicas under an autoscaler, the AMI under boot-image management. */
    ignoreChanges: string[];
    autoscaling?: { minReplicas: number; maxReplicas: number };
}

/**
 * The MachineSets of a pool plan, with the node role its machines join. Pure, so the run can compare
 * them with the cluster's before registering anything (lib/plan/machineSetMigration.ts).
 */
export function poolMachineSets(args: { infraId: string; region: string; plan: PoolPlan }, role: string): PoolMachineSet[] {
    const { plan } = args;
    const { pool } = plan;
    return plan.machineSets.map((machineSet) => ({
        // Named like the MachineSet after its `<infraId>-<pool>-` prefix, as in earlier releases.
        resourceSuffix: machineSet.name.slice(machineSetName(args.infraId, pool.name, "").length),
        manifest: machineSetManifest({
            infraId: args.infraId,
            region: args.region,
            network: machineSet.network as MachineNetwork,
            pool,
            zone: machineSet.zone,
            name: machineSet.name,
            replicas: machineSet.replicas,
            amiId: plan.amiId,
            role,
            reservation: machineSet.reservation,
            market: machineSet.market,
            reservationEnded: machineSet.reservationEnded,
        }),
        ignoreChanges: [...(machineSet.autoscaling ? ["spec.replicas"] : []), ...(plan.ignoreAmiDrift ? [AMI_PATH] : [])],
        ...(machineSet.autoscaling && { autoscaling: machineSet.autoscaling }),
    }));
}

export function machineAutoscalerManifest(machineSet: string, minReplicas: number, maxReplicas: number): KubernetesObject {
    return {
        apiVersion: MACHINE_AUTOSCALER_API_VERSION,
        kind: "MachineAutoscaler",
        metadata: { name: machineSet, namespace: MACHINE_API_NAMESPACE },
        spec: {
            minReplicas,
            maxReplicas,
            scaleTargetRef: { apiVersion: MACHINE_API_VERSION, kind: "MachineSet", name: machineSet },
        },
    };
}

/**
 * The pool's MachineHealthCheck: it deletes a machine whose node stays NotReady or Unknown for 10
 * minutes, or that has no node `nodeStartupTimeout` after it was created, and its MachineSet
 * creates a replacement. `maxUnhealthy` stops all remediation while more of the pool's machines are
 * unhealthy (a zone or AMI problem, not a bad host). openshift/machine-api-operator
 * `pkg/controller/machinehealthcheck/machinehealthcheck_controller.go`: `needsRemediation`,
 * `isAllowedRemediation`; machines without a controlling MachineSet are skipped.
 */
export function machineHealthCheckManifest(infraId: string, pool: PoolConfig, machineSets: readonly string[]): KubernetesObject {
    return {
        apiVersion: MACHINE_API_VERSION,
        kind: "MachineHealthCheck",
        metadata: { name: `${infraId}-${pool.name}`, namespace: MACHINE_API_NAMESPACE, labels: { [POOL_LABEL]: pool.name } },
        spec: {
            selector: {
                matchLabels: { [CLUSTER_LABEL]: infraId },
                matchExpressions: [{ key: "machine.openshift.io/cluster-api-machineset", operator: "In", values: [...machineSets] }],
            },
            unhealthyConditions: [
                { type: "Ready", status: "False", timeout: "600s" },
                { type: "Ready", status: "Unknown", timeout: "600s" },
            ],
            maxUnhealthy: pool.healthCheck.maxUnhealthy,
            nodeStartupTimeout: pool.healthCheck.nodeStartupTimeout,
        },
    };
}
