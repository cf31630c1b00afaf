/**
 * The vocabulary the program and the policy pack share: node labels, extended resource names, API
 * kinds and the rules both apply. It imports nothing of ours, so the pack stays self-contained; a
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

/** Node label naming the mig-parted config the GPU Operator's mig-manager applies to the node's GPUs. */
export const MIG_CONFIG_LABEL = "nvidia.com/mig.config";

/** The label naming a job's WorkloadPriorityClass; mutable (kueue v0.19 `pkg/controller/constants`). */
export const WORKLOAD_PRIORITY_CLASS_LABEL = "kueue.x-k8s.io/priority-class";
