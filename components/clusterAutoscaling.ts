/** The cluster-wide ClusterAutoscaler `default`, with GPU limits per accelerator label. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterAutoscalerSettings } from "../lib/config/types";
import type { KubernetesObject } from "./machineSetManifest";

export interface GpuLimit {
    /** The `cluster-api/accelerator` label value of a pool (its name). */
    type: string;
    maxGpus: number;
}

export interface ClusterAutoscalingArgs {
    settings: ClusterAutoscalerSettings;
    gpuLimits: GpuLimit[];
    provider: k8s.Provider;
}

export function clusterAutoscalerManifest(settings: ClusterAutoscalerSettings, gpuLimits: GpuLimit[]): KubernetesObject {
    return {
        apiVersion: "autoscaling.openshift.io/v1",
        kind: "ClusterAutoscaler",
        metadata: { name: "default" },
        spec: {
            // GPU nodes take minutes to boot and load drivers; give them time before giving up.
            maxNodeProvisionTime: settings.maxNodeProvisionTime,
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
        this.clusterAutoscaler = new k8s.apiextensions.CustomResource(
            `${name}-default`,
            clusterAutoscalerManifest(args.settings, args.gpuLimits),
            {
                parent: this,
                provider: args.provider,
            },
        );
        this.registerOutputs({ gpuTypes: types });
    }
}
