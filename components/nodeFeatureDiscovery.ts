/** The OpenShift Node Feature Discovery operator and its instance, which the GPU and Neuron stacks both need. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installOperator } from "./olm";
import type { Toleration } from "../policy/lib/contract";
import type { KubernetesObject } from "../policy/lib/contract";

const NFD_NAMESPACE = "openshift-nfd";

/**
 * The worker must run on tainted accelerator nodes to label them; PCI classes 03 (display) and 12
 * (accelerators). `workerTolerations` exists from OpenShift 4.19 (openshift/cluster-nfd-operator
 * `api/v1/nodefeaturediscovery_types.go`); before, the API server would drop it and the worker
 * tolerates every NoSchedule taint on its own (release-4.18 `internal/daemonset/daemonset.go`).
 */
function nodeFeatureDiscoveryManifest(workerTolerations: Toleration[] | undefined): KubernetesObject {
    return {
        apiVersion: "nfd.openshift.io/v1",
        kind: "NodeFeatureDiscovery",
        metadata: { name: "nfd-instance", namespace: NFD_NAMESPACE },
        spec: {
            operand: { servicePort: 12000, ...(workerTolerations && { workerTolerations }) },
            workerConfig: {
                configData: [
                    "core:",
                    "  sleepInterval: 60s",
                    "sources:",
                    "  pci:",
                    '    deviceClassWhitelist: ["0200", "03", "12"]',
                    '    deviceLabelFields: ["vendor"]',
                    "",
                ].join("\n"),
            },
        },
    };
}

export interface NodeFeatureDiscoveryArgs {
    /** The OLM channel of the `nfd` package on the cluster's OpenShift release. */
    channel: string;
    /** Tolerations for the worker, or undefined where the operand has no such field (before 4.19). */
    workerTolerations: Toleration[] | undefined;
    /** How long `pulumi up` waits for OLM to install the operator. */
    operatorInstallTimeout: string;
}

export class NodeFeatureDiscovery extends pulumi.ComponentResource {
    /** Ready once the operator is installed; NodeFeatureRules depend on it. */
    readonly subscription: k8s.apiextensions.CustomResource;
    readonly instance: k8s.apiextensions.CustomResource;

    constructor(name: string, args: NodeFeatureDiscoveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cluster-capacity:index:NodeFeatureDiscovery", name, {}, opts);
        const { subscription } = installOperator(this, name, {
            namespace: NFD_NAMESPACE,
            namespaceLabels: { "openshift.io/cluster-monitoring": "true" },
            targetOwnNamespace: true,
            operatorGroup: NFD_NAMESPACE,
            packageName: "nfd",
            channel: args.channel,
            source: "redhat-operators",
            installPlanApproval: "Automatic",
            installTimeout: args.operatorInstallTimeout,
        });
        this.subscription = subscription;
        this.instance = new k8s.apiextensions.CustomResource(`${name}-instance`, nodeFeatureDiscoveryManifest(args.workerTolerations), {
            parent: this,
            dependsOn: subscription,
        });
        this.registerOutputs({ namespace: NFD_NAMESPACE });
    }
}
