/**
 * The AWS EFA device plugin, which advertises each node's Elastic Fabric Adapters as
 * `vpc.amazonaws.com/efa` so that training pods can request them. AWS ships it only as an image
 * (its source is not published); the DaemonSet follows aws/eks-charts
 * `stable/aws-efa-k8s-device-plugin` (chart 0.5.30: privileged, host network, the kubelet's
 * device-plugins directory and /dev/infiniband), restricted to the EFA pools' nodes. On OpenShift
 * the pod needs the `privileged` SCC, granted to its service account through the
 * `system:openshift:scc:privileged` ClusterRole.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PoolConfig } from "../lib/config/types";
import { EFA_RESOURCE, type KubernetesObject, POOL_LABEL } from "../policy/lib/contract";
import { SKIP_AWAIT } from "./awaits";
import { tolerationsFor } from "./tolerations";

const EFA_NAMESPACE = "cluster-capacity-efa";
const NAME = "aws-efa-k8s-device-plugin";

export interface EfaDevicePluginArgs {
    /** The pools with `efa: true`: the plugin runs on their nodes only, tolerating their taints. */
    pools: PoolConfig[];
    image: string;
}

function efaDevicePluginManifests(pools: readonly PoolConfig[], image: string): KubernetesObject[] {
    const labels = { "app.kubernetes.io/name": NAME };
    const hostPath = (name: string, path: string) => ({ name, hostPath: { path } });
    return [
        {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: EFA_NAMESPACE, labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
        },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: NAME, namespace: EFA_NAMESPACE } },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: `${NAME}-privileged-scc`, namespace: EFA_NAMESPACE },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:openshift:scc:privileged" },
            subjects: [{ kind: "ServiceAccount", name: NAME, namespace: EFA_NAMESPACE }],
        } as KubernetesObject,
        {
            apiVersion: "apps/v1",
            kind: "DaemonSet",
            metadata: { name: NAME, namespace: EFA_NAMESPACE, labels, annotations: SKIP_AWAIT },
            spec: {
                selector: { matchLabels: labels },
                updateStrategy: { type: "RollingUpdate" },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: NAME,
                        priorityClassName: "system-node-critical",
                        hostNetwork: true,
                        affinity: {
                            nodeAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: {
                                    nodeSelectorTerms: [
                                        { matchExpressions: [{ key: POOL_LABEL, operator: "In", values: pools.map((p) => p.name) }] },
                                    ],
                                },
                            },
                        },
                        tolerations: tolerationsFor(pools.flatMap((p) => p.taints)),
                        containers: [
                            {
                                name: "device-plugin",
                                image,
                                securityContext: { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0, runAsNonRoot: false },
                                resources: { requests: { cpu: "10m", memory: "20Mi" } },
                                volumeMounts: [
                                    { name: "device-plugins", mountPath: "/var/lib/kubelet/device-plugins" },
                                    { name: "infiniband", mountPath: "/dev/infiniband" },
                                ],
                            },
                        ],
                        volumes: [hostPath("device-plugins", "/var/lib/kubelet/device-plugins"), hostPath("infiniband", "/dev/infiniband")],
                    },
                },
            },
        },
    ];
}

export class EfaDevicePlugin extends pulumi.ComponentResource {
    constructor(name: string, args: EfaDevicePluginArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cluster-capacity:index:EfaDevicePlugin", name, {}, opts);
        const [namespace, serviceAccount, binding, daemonSet] = efaDevicePluginManifests(args.pools, args.image);
        const childOpts = { parent: this };
        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: namespace.metadata }, childOpts);
        const inNamespace = { ...childOpts, dependsOn: ns };
        const sa = new k8s.core.v1.ServiceAccount(`${name}-service-account`, { metadata: serviceAccount.metadata }, inNamespace);
        const rb = new k8s.rbac.v1.RoleBinding(`${name}-privileged-scc`, binding as unknown as k8s.rbac.v1.RoleBindingArgs, inNamespace);
        new k8s.apps.v1.DaemonSet(`${name}-daemonset`, daemonSet as unknown as k8s.apps.v1.DaemonSetArgs, {
            ...childOpts,
            dependsOn: [sa, rb],
        });
        this.registerOutputs({ resource: EFA_RESOURCE });
    }
}
