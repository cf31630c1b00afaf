/**
 * What Inferentia/Trainium nodes need on OpenShift 4.19+: an NFD rule that labels nodes with AWS
 * Neuron PCI devices, Kernel Module Management (loads the Neuron driver), the AWS Neuron operator,
 * and its DeviceConfig (device plugin, scheduler extension, node metrics).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsError } from "../lib/errors";
import type { NeuronConfig } from "../lib/config/types";
import { installOperator } from "./olm";
import type { KubernetesObject } from "../policy/lib/contract";

const NEURON_NAMESPACE = "aws-neuron-operator";
const NEURON_NODE_LABEL = "feature.node.kubernetes.io/aws-neuron";

/** AWS's PCI vendor id and the Inferentia2/Trainium device ids, as in the operator's own NFD rule. */
const NEURON_PCI = { vendor: "1d0f", devices: ["7064", "7065", "7066", "7067", "7164", "7264", "7364"] };

function neuronNodeFeatureRule(): KubernetesObject {
    return {
        apiVersion: "nfd.openshift.io/v1alpha1",
        kind: "NodeFeatureRule",
        metadata: { name: "neuron-nfd-rule", namespace: NEURON_NAMESPACE },
        spec: {
            rules: [
                {
                    name: "neuron-device",
                    labels: { [NEURON_NODE_LABEL]: "true" },
                    matchAny: [
                        {
                            matchFeatures: [
                                {
                                    feature: "pci.device",
                                    matchExpressions: {
                                        vendor: { op: "In", value: [NEURON_PCI.vendor] },
                                        device: { op: "In", value: NEURON_PCI.devices },
                                    },
                                },
                            ],
                        },
                    ],
                },
            ],
        },
    };
}

function deviceConfigManifest(settings: NeuronConfig): KubernetesObject {
    const { images } = settings;
    return {
        apiVersion: "k8s.aws/v1beta1",
        kind: "DeviceConfig",
        metadata: { name: "device-config", namespace: NEURON_NAMESPACE },
        spec: {
            driversImage: images.drivers,
            ...(settings.driverVersion && { driverVersion: settings.driverVersion }),
            devicePluginImage: images.devicePlugin,
            customSchedulerImage: images.customScheduler,
            schedulerExtensionImage: images.schedulerExtension,
            nodeMetricsImage: images.nodeMetrics,
            selector: { [NEURON_NODE_LABEL]: "true" },
            useInTreeDrivers: false,
        },
    };
}

export interface NeuronOperatorArgs {
    settings: NeuronConfig;
    /** The OLM channel of `kernel-module-management` on the cluster's OpenShift release. */
    kmmChannel: string;
    /** The Node Feature Discovery install whose operator serves NodeFeatureRules. */
    nodeFeatureDiscovery: pulumi.Resource;
    /** How long `pulumi up` waits for OLM to install each operator. */
    operatorInstallTimeout: string;
}

export class NeuronOperator extends pulumi.ComponentResource {
    constructor(name: string, args: NeuronOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!args.settings.enabled) throw new ArgsError("NeuronOperator", name, "settings.enabled", false, "true (or no NeuronOperator)");
        super("cluster-capacity:index:NeuronOperator", name, {}, opts);
        const { settings } = args;
        const allNamespaces = {
            targetOwnNamespace: false,
            installPlanApproval: "Automatic" as const,
            installTimeout: args.operatorInstallTimeout,
        };
        const kmm = installOperator(this, `${name}-kmm`, {
            ...allNamespaces,
            namespace: "openshift-kmm",
            operatorGroup: "kernel-module-management",
            packageName: "kernel-module-management",
            channel: args.kmmChannel,
            source: "redhat-operators",
        });
        const neuron = installOperator(this, name, {
            ...allNamespaces,
            namespace: NEURON_NAMESPACE,
            operatorGroup: NEURON_NAMESPACE,
            packageName: "aws-neuron-operator",
            channel: settings.operatorChannel,
            source: settings.operatorSource,
        });
        const childOpts = { parent: this };
        new k8s.apiextensions.CustomResource(`${name}-nfd-rule`, neuronNodeFeatureRule(), {
            ...childOpts,
            dependsOn: [args.nodeFeatureDiscovery, neuron.namespace],
        });
        new k8s.apiextensions.CustomResource(`${name}-device-config`, deviceConfigManifest(settings), {
            ...childOpts,
            dependsOn: [neuron.subscription, kmm.subscription],
        });
        this.registerOutputs({ namespace: NEURON_NAMESPACE });
    }
}
