/**
 * Operator installation through OLM: a namespace, an OperatorGroup and a Subscription. The
 * Subscription carries `pulumi.com/waitFor` on `status.installedCSV`, so resources that need the
 * operator's CRDs can depend on it: OLM creates the CRDs while installing the CSV, and the
 * provider retries a missing kind only for about a minute.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isSystemNamespace } from "../lib/config/operatorSettings";
import type { KubernetesObject } from "../policy/lib/contract";

interface OperatorSubscription {
    namespace: string;
    /** Extra namespace labels, e.g. `openshift.io/cluster-monitoring: "true"`. */
    namespaceLabels?: Record<string, string>;
    /** OwnNamespace (target the operator's namespace) or AllNamespaces (empty OperatorGroup spec). */
    targetOwnNamespace: boolean;
    operatorGroup: string;
    packageName: string;
    channel: string;
    source: string;
    installPlanApproval: "Manual" | "Automatic";
    startingCSV?: string;
    /** How long `pulumi up` waits for OLM to install the operator (a Manual InstallPlan waits for approval), e.g. 30m. */
    installTimeout: string;
}

function namespaceManifest(name: string, labels: Record<string, string> = {}): KubernetesObject {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, ...(Object.keys(labels).length > 0 && { labels }) } };
}

/**
 * Namespace `name` as a resource of this stack. A namespace of the platform or of an operator
 * (`isSystemNamespace`) is never a Pulumi-owned Namespace, which a later `up` could delete with
 * everything in it: a NamespacePatch applies the labels alone by server-side apply. The provider
 * creates a Patch resource with an apply PATCH, which also creates a missing namespace, and deletes
 * it by giving its fields up, leaving the namespace (pulumi-kubernetes
 * `provider/pkg/await/await.go`: `Creation` upserts Patch resources, `Deletion` calls
 * `ssa.Relinquish`). The alias carries over a Namespace resource of an earlier release under the
 * same name, so upgrading updates it in place instead of deleting the namespace.
 */
export function createNamespace(
    resourceName: string,
    name: string,
    labels: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace | k8s.core.v1.NamespacePatch {
    const metadata = namespaceManifest(name, labels).metadata;
    if (isSystemNamespace(name)) {
        return new k8s.core.v1.NamespacePatch(resourceName, { metadata }, { ...opts, aliases: [{ type: "kubernetes:core/v1:Namespace" }] });
    }
    return new k8s.core.v1.Namespace(resourceName, { metadata }, opts);
}

function operatorGroupManifest(s: OperatorSubscription): KubernetesObject {
    return {
        apiVersion: "operators.coreos.com/v1",
        kind: "OperatorGroup",
        metadata: { name: s.operatorGroup, namespace: s.namespace },
        spec: s.targetOwnNamespace ? { targetNamespaces: [s.namespace] } : {},
    };
}

function subscriptionManifest(s: OperatorSubscription): KubernetesObject {
    return {
        apiVersion: "operators.coreos.com/v1alpha1",
        kind: "Subscription",
        // A pinned CSV is awaited by name, so an upgrade waits for the new version, not the old one.
        metadata: {
            name: s.packageName,
            namespace: s.namespace,
            annotations: {
                "pulumi.com/waitFor": s.startingCSV
                    ? `jsonpath={.status.installedCSV}=${s.startingCSV}`
                    : "jsonpath={.status.installedCSV}",
            },
        },
        spec: {
            name: s.packageName,
            channel: s.channel,
            source: s.source,
            sourceNamespace: "openshift-marketplace",
            installPlanApproval: s.installPlanApproval,
            ...(s.startingCSV && { startingCSV: s.startingCSV }),
        },
    };
}

interface InstalledOperator {
    namespace: k8s.core.v1.Namespace;
    subscription: k8s.apiextensions.CustomResource;
}

/** Creates the three objects as children of `parent` (and so with its Kubernetes provider), named `${prefix}-…`. */
export function installOperator(parent: pulumi.Resource, prefix: string, s: OperatorSubscription): InstalledOperator {
    const opts = { parent };
    const namespace = createNamespace(`${prefix}-namespace`, s.namespace, s.namespaceLabels ?? {}, opts);
    const group = new k8s.apiextensions.CustomResource(`${prefix}-operator-group`, operatorGroupManifest(s), {
        ...opts,
        dependsOn: namespace,
    });
    const subscription = new k8s.apiextensions.CustomResource(`${prefix}-subscription`, subscriptionManifest(s), {
        ...opts,
        dependsOn: group,
        customTimeouts: { create: s.installTimeout, update: s.installTimeout },
    });
    return { namespace, subscription };
}
