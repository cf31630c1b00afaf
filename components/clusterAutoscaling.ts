/** The cluster-wide ClusterAutoscaler `default`, with GPU limits per accelerator label. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterAutoscalerSettings } from "../lib/config/types";
import { MACHINE_API_NAMESPACE } from "../lib/naming";
import { capacityTypeOf, PoolPlan } from "../lib/plan";
import { CLUSTER_AUTOSCALER_API_VERSION, type KubernetesObject } from "../policy/lib/contract";
import { configMapResource } from "./configMap";

/** Where the autoscaler's priority expander reads its priorities (kubernetes-autoscaler expander/priority/priority.go). */
const PRIORITY_EXPANDER_CONFIGMAP = "cluster-autoscaler-priority-expander";

/** Scale-up preference per capacity type: capacity already paid for first, then the cheaper market. */
const CAPACITY_PRIORITIES = { reserved: 30, spot: 20, "on-demand": 10 } as const;

/**
 * The priority expander's priorities for the autoscaled MachineSets, or undefined when they are all
 * of one capacity type (the autoscaler's default choice is as good). Each regex ends at the
 * MachineSet's name, since the expander matches it anywhere in the node group's id
 * (`MachineSet/<namespace>/<name>` in the clusterapi cloud provider); `.*` at 0 keeps every other
 * node group (the cluster's own worker MachineSets) eligible, as groups no regex matches are never
 * chosen.
 */
export function expanderPriorities(plans: readonly PoolPlan[]): Record<number, string[]> | undefined {
    const byPriority = new Map<number, string[]>();
    for (const plan of plans) {
        for (const machineSet of plan.machineSets.filter((m) => m.autoscaling)) {
            const priority = CAPACITY_PRIORITIES[capacityTypeOf(machineSet)];
            byPriority.set(priority, [...(byPriority.get(priority) ?? []), `(^|/)${machineSet.name.replaceAll(".", "\\.")}$`]);
        }
    }
    if (byPriority.size < 2) return undefined;
    return Object.fromEntries([...byPriority, [0, [".*"]]]);
}

function priorityExpanderConfigMap(priorities: Record<number, string[]>): KubernetesObject {
    const yaml = Object.entries(priorities)
        .sort(([a], [b]) => Number(b) - Number(a))
        .map(([priority, patterns]) => `${priority}:\n${patterns.map((p) => `  - ${JSON.stringify(p)}`).join("\n")}`)
        .join("\n");
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: PRIORITY_EXPANDER_CONFIGMAP, namespace: MACHINE_API_NAMESPACE },
        data: { priorities: `${yaml}\n` },
    };
}

interface GpuLimit {
    /** The `cluster-api/accelerator` label value of a pool (its name). */
    type: string;
    maxGpus: number;
}

export interface ClusterAutoscalingArgs {
    settings: ClusterAutoscalerSettings;
    gpuLimits: GpuLimit[];
    /** The priority expander's priorities (`expanderPriorities`); none: the autoscaler's default expander. */
    priorities?: Record<number, string[]>;
}

export function clusterAutoscalerManifest(
    settings: ClusterAutoscalerSettings,
    gpuLimits: GpuLimit[],
    priorities?: Record<number, string[]>,
): KubernetesObject {
    return {
        apiVersion: CLUSTER_AUTOSCALER_API_VERSION,
        kind: "ClusterAutoscaler",
        metadata: { name: "default" },
        spec: {
            // GPU nodes take minutes to boot and load drivers; give them time before giving up.
            maxNodeProvisionTime: settings.maxNodeProvisionTime,
            // Priority first; LeastWaste breaks ties within one capacity type (OpenShift 4.16+).
            ...(priorities && { expanders: ["Priority", "LeastWaste"] }),
            ...(gpuLimits.length > 0 && { resourceLimits: { gpus: gpuLimits.map((l) => ({ type: l.type, min: 0, max: l.maxGpus })) } }),
            scaleDown: {
                enabled: settings.scaleDownEnabled,
                delayAfterAdd: settings.scaleDownDelayAfterAdd,
                unneededTime: settings.scaleDownUnneededTime,
            },
        },
    };
}

export class ClusterAutoscaling extends pulumi.ComponentResource {
    readonly clusterAutoscaler: k8s.apiextensions.CustomResource;

    constructor(name: string, args: ClusterAutoscalingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cluster-capacity:index:ClusterAutoscaling", name, {}, opts);
        const types = args.gpuLimits.map((l) => l.type);
        // The expander reads its ConfigMap when it chooses; it exists before the autoscaler is told to use it.
        const expanderConfig = args.priorities && priorityExpanderConfigMap(args.priorities);
        const priorities = expanderConfig ? configMapResource(`${name}-priority-expander`, expanderConfig, { parent: this }) : undefined;
        this.clusterAutoscaler = new k8s.apiextensions.CustomResource(
            `${name}-default`,
            clusterAutoscalerManifest(args.settings, args.gpuLimits, args.priorities),
            {
                parent: this,
                dependsOn: priorities ? [priorities] : [],
            },
        );
        this.registerOutputs({ gpuTypes: types });
    }
}
