/**
 * The vocabulary the program and the policy pack share: node labels, extended resource names, API
 * versions, kinds and object shapes, the lookups words, and the rules both apply (accelerator
 * taints, EC2 quota grouping). It imports nothing of ours, so the pack stays self-contained; a
 * structure test (test/structure.spec.ts) keeps every such name defined here and nowhere else.
 */

/** Whole NVIDIA GPUs (and, under the GPU Operator's `single` MIG strategy, MIG devices). */
export const GPU_RESOURCE = "nvidia.com/gpu";
/** AWS Neuron devices (Inferentia2, Trainium); each has two NeuronCores. */
export const NEURON_RESOURCE = "aws.amazon.com/neuron";
export const NEURONCORE_RESOURCE = "aws.amazon.com/neuroncore";
/** Elastic Fabric Adapter interfaces, advertised by the EFA device plugin. */
export const EFA_RESOURCE = "vpc.amazonaws.com/efa";

/**
 * A MIG device's extended resource under the `mixed` strategy: k8s-device-plugin v0.20.0
 * `internal/rm/rm.go` names it `mig-<profile>` with `+` written as `.`.
 */
export function migResource(device: string): string {
    return `nvidia.com/mig-${device.replaceAll("+", ".")}`;
}

export function isMigResource(resource: string): boolean {
    return resource.startsWith("nvidia.com/mig-");
}

// API versions and kinds.

export const MACHINE_API_GROUP = "machine.openshift.io";
export const MACHINE_API_VERSION = `${MACHINE_API_GROUP}/v1beta1`;
export const MACHINE_AUTOSCALER_API_VERSION = "autoscaling.openshift.io/v1beta1";
export const CLUSTER_AUTOSCALER_API_VERSION = "autoscaling.openshift.io/v1";
export const KUEUE_GROUP = "kueue.x-k8s.io";
/** The kueue.x-k8s.io versions the program renders: v1beta2, or v1beta1 for older Kueue builds. */
export const KUEUE_API_VERSIONS = ["v1beta2", "v1beta1"] as const;
export type KueueApiVersion = (typeof KUEUE_API_VERSIONS)[number];

/** The Pulumi Kubernetes provider's type token of a kind: `kubernetes:<group>/<version>:<kind>`, `core/v1` for the core group. */
function kubernetesType(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

export const MACHINE_SET = kubernetesType(MACHINE_API_VERSION, "MachineSet");
export const MACHINE_AUTOSCALER = kubernetesType(MACHINE_AUTOSCALER_API_VERSION, "MachineAutoscaler");
export const CLUSTER_AUTOSCALER = kubernetesType(CLUSTER_AUTOSCALER_API_VERSION, "ClusterAutoscaler");
export const VALIDATING_ADMISSION_POLICY = kubernetesType("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy");
export const VALIDATING_ADMISSION_POLICY_BINDING = kubernetesType("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding");
export const RESOURCE_FLAVORS = KUEUE_API_VERSIONS.map((version) => kubernetesType(`${KUEUE_GROUP}/${version}`, "ResourceFlavor"));

/** An object as the program renders it (and applies it): plain data, checked against its CRD by the tests. */
export interface KubernetesObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Record<string, unknown>;
    data?: Record<string, string>;
}

// Lookups: where quotas, instance specs and AMIs come from, one word for each side that outside checks rely on.

/** The stack config's `lookups`: `aws` (the default) or `offline`. */
export const LOOKUP_MODES = ["aws", "offline"] as const;
export type LookupMode = (typeof LOOKUP_MODES)[number];
/** pool-within-quota's policy config `lookups`: `config` (the default, no network) or `aws`. */
export const POLICY_LOOKUP_MODES = ["config", "aws"] as const;
export type PolicyLookupMode = (typeof POLICY_LOOKUP_MODES)[number];

/** The pack's word for a stack's lookups: an offline stack's quotas are in its (policy) config. */
export function policyLookupMode(mode: LookupMode): PolicyLookupMode {
    return mode === "aws" ? "aws" : "config";
}

/** Where the Machine API keeps MachineSets, Machines and their autoscalers. */
export const MACHINE_API_NAMESPACE = "openshift-machine-api";

/**
 * MachineSet annotation set from a pool's `retired: true`: the pool is leaving, and once it has no
 * machines its MachineSets may be deleted (the deletion guard, policy/lib/deletionGuard.ts).
 */
export const RETIRED_ANNOTATION = "cluster-capacity.io/retired";

/** MachineSet label naming the cluster (its infrastructure name), set by the installer and by this program. */
export const CLUSTER_LABEL = "machine.openshift.io/cluster-api-cluster";

// Node labels.

/** Node label naming the pool a node belongs to; Kueue flavors select on it. */
export const POOL_LABEL = "cluster-capacity.io/pool";

/**
 * Node label saying how a node of a pool with capacity reservations was bought: `reserved`, `spot`
 * or `on-demand`. Kueue flavors select on it to tell the pool's reserved nodes from the others.
 */
export const CAPACITY_TYPE_LABEL = "cluster-capacity.io/capacity-type";

/** Node label the cluster autoscaler uses to wait for GPUs before counting a node as ready. */
export const ACCELERATOR_LABEL = "cluster-api/accelerator";

/** Node label that picks a per-node device-plugin config (GPU time-slicing) from the GPU Operator's ConfigMap. */
export const DEVICE_PLUGIN_CONFIG_LABEL = "nvidia.com/device-plugin.config";

/** Node label naming the mig-parted config the GPU Operator's mig-manager applies to the node's GPUs. */
export const MIG_CONFIG_LABEL = "nvidia.com/mig.config";

/** The label without which the Red Hat build of Kueue ignores a namespace's jobs. */
export const KUEUE_MANAGED_LABEL = "kueue.openshift.io/managed";

/** The label Kueue puts on every pod of an admitted workload (kueue v0.19 `jobframework/reconciler.go`). */
export const KUEUE_PODSET_LABEL = "kueue.x-k8s.io/podset";

/** The label naming a job's WorkloadPriorityClass; mutable (kueue v0.19 `pkg/controller/constants`). */
export const WORKLOAD_PRIORITY_CLASS_LABEL = "kueue.x-k8s.io/priority-class";

// Taints and tolerations.

export type Accelerator = "nvidia" | "neuron";
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
    key: string;
    value?: string;
    effect: TaintEffect;
}

export interface Toleration {
    key?: string;
    operator?: "Equal" | "Exists";
    value?: string;
    effect?: string;
}

/**
 * Default taints keep ordinary pods off accelerator nodes. Neuron nodes can only be steered with
 * PreferNoSchedule: the AWS Neuron operator's KMM Module tolerates nothing but its own upgrade taint
 * and `node.kubernetes.io/unschedulable` (awslabs/operator-for-ai-chips-on-aws
 * `internal/kmmmodule/kmmmodule.go`), the DeviceConfig has no tolerations field, and KMM skips nodes
 * with any other NoSchedule/NoExecute taint (kubernetes-sigs/kernel-module-management
 * `internal/node/node.go` IsNodeSchedulable): driver, device plugin and node metrics would never start.
 */
export const DEFAULT_TAINTS: Readonly<Record<Accelerator, Taint>> = {
    nvidia: { key: GPU_RESOURCE, value: "true", effect: "NoSchedule" },
    neuron: { key: NEURON_RESOURCE, value: "true", effect: "PreferNoSchedule" },
};

/** Taints that keep pods without a matching toleration off a node. */
export function isRepellingTaint(taint: Taint): boolean {
    return taint.effect === "NoSchedule" || taint.effect === "NoExecute";
}

/**
 * The taint rule of accelerator nodes, which the config check and the pack's
 * accelerator-nodes-tainted both apply: GPU nodes need a NoSchedule or NoExecute taint, so ordinary
 * pods cannot take them; Neuron nodes must have none (see DEFAULT_TAINTS).
 */
export function acceleratorTaintProblem(
    accelerator: Accelerator,
    taints: readonly Taint[],
): { kind: "gpu-untainted" } | { kind: "neuron-repelled"; repelling: Taint[] } | undefined {
    const repelling = taints.filter(isRepellingTaint);
    if (accelerator === "neuron") return repelling.length > 0 ? { kind: "neuron-repelled", repelling } : undefined;
    return repelling.length === 0 ? { kind: "gpu-untainted" } : undefined;
}

/** Whether a toleration lets a pod onto a node with the taint (the scheduler's rule). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
    if (toleration.effect && toleration.effect !== taint.effect) return false;
    if (toleration.operator === "Exists") return toleration.key === undefined || toleration.key === taint.key;
    return toleration.key === taint.key && (toleration.value ?? "") === (taint.value ?? "");
}

// EC2 quota grouping: which vCPU quota an instance type counts against, with the Service Quotas codes of each group.

export type Market = "on-demand" | "spot";

export interface QuotaRef {
    code: string;
    name: string;
}

interface QuotaGroup {
    group: string;
    prefixes: readonly string[];
    onDemand: QuotaRef;
    spot: QuotaRef;
}

/** A quota group whose Service Quotas names follow EC2's pattern; `label` as the names spell the group. */
function quotaGroup(group: string, prefixes: readonly string[], onDemandCode: string, spotCode: string, label = group): QuotaGroup {
    return {
        group,
        prefixes,
        onDemand: { code: onDemandCode, name: `Running On-Demand ${label} instances` },
        spot: { code: spotCode, name: `All ${label} Spot Instance Requests` },
    };
}

/** EC2 instance quota groups (Service Quotas, service code `ec2`), counted in vCPUs per region. */
const QUOTA_GROUPS: readonly QuotaGroup[] = [
    quotaGroup(
        "Standard",
        ["a", "c", "d", "h", "i", "m", "r", "t", "z"],
        "L-1216C47A",
        "L-34B43A08",
        "Standard (A, C, D, H, I, M, R, T, Z)",
    ),
    quotaGroup("G and VT", ["g", "vt"], "L-DB2E81BA", "L-3819A6DF"),
    quotaGroup("P", ["p"], "L-417A185B", "L-7212CCBC"),
    quotaGroup("Inf", ["inf"], "L-1945791B", "L-B5D1601B"),
    quotaGroup("Trn", ["trn"], "L-2C3B7624", "L-6B0D517C"),
    quotaGroup("DL", ["dl"], "L-6E869C2A", "L-85EED4F7"),
];

const PREFIXES_LONGEST_FIRST = QUOTA_GROUPS.flatMap((group) => group.prefixes.map((prefix) => ({ prefix, group }))).sort(
    (a, b) => b.prefix.length - a.prefix.length,
);

/** The quota group of an instance type, matching the longest prefix of its family (`inf` before `i`). */
export function quotaGroupOf(instanceType: string): QuotaGroup | undefined {
    const family = instanceType.split(".")[0].toLowerCase();
    return PREFIXES_LONGEST_FIRST.find(({ prefix }) => family.startsWith(prefix))?.group;
}

/** The quota an instance type counts against in a market, or undefined for types outside the known groups. */
export function quotaFor(instanceType: string, market: Market): QuotaRef | undefined {
    const group = quotaGroupOf(instanceType);
    if (!group) {
        return undefined;
    }
    return market === "spot" ? group.spot : group.onDemand;
}

/** The name of a quota code, for messages. */
export function quotaName(code: string): string | undefined {
    for (const group of QUOTA_GROUPS) {
        if (group.onDemand.code === code) return group.onDemand.name;
        if (group.spot.code === code) return group.spot.name;
    }
    return undefined;
}

/** One source of demand: a pool (program) or a MachineSet (policy) at its maximum size. */
