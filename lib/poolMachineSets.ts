/**
 * The fact: this stack's MachineSets as the cluster has them now — their labels, spec and who owns
 * them (`status.authoritativeAPI`). Read with one LIST before anything is registered, because a
 * provider read (lib/clusterReads.ts) fails the run for a MachineSet that does not exist yet.
 */
import * as fs from "fs";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { MACHINE_API_NAMESPACE } from "./naming";
import type { KubernetesAccess } from "./config/types";
import { POOL_LABEL } from "../policy/lib/contract";

/** A MachineSet of one of this stack's pools, as the cluster reports it. */
export interface LiveMachineSet {
    name: string;
    labels: Record<string, string>;
    spec: unknown;
    /** `status.authoritativeAPI`: absent where the MachineAPIMigration feature gate is off (Default feature set). */
    authoritativeAPI?: string;
}

/** The part of the Kubernetes client this fact needs: one LIST of custom objects. */
export interface CustomObjectsClient {
    listNamespacedCustomObject(request: {
        group: string;
        version: string;
        namespace: string;
        plural: string;
        labelSelector?: string;
    }): Promise<unknown>;
}

/**
 * A client for the cluster the stack's Kubernetes provider talks to: `kubernetes.kubeconfig` (a path
 * or the contents, as the provider takes it) and `kubernetes.context`, else the ambient kubeconfig
 * (KUBECONFIG, ~/.kube/config, or the pod's service account inside a cluster).
 */
export function customObjectsClient(access: KubernetesAccess): CustomObjectsClient {
    const kubeconfig = new KubeConfig();
    if (access.kubeconfig === undefined) kubeconfig.loadFromDefault();
    else if (fs.existsSync(access.kubeconfig)) kubeconfig.loadFromFile(access.kubeconfig);
    else kubeconfig.loadFromString(access.kubeconfig);
    if (access.context) kubeconfig.setCurrentContext(access.context);
    return kubeconfig.makeApiClient(CustomObjectsApi);
}

interface MachineSetItem {
    metadata?: { name?: string; labels?: Record<string, string> };
    spec?: unknown;
    status?: { authoritativeAPI?: string };
}

/** The MachineSets in openshift-machine-api that carry the pool label, the ones this program makes. */
export async function livePoolMachineSets(client: CustomObjectsClient): Promise<LiveMachineSet[]> {
    let answer: unknown;
    try {
        answer = await client.listNamespacedCustomObject({
            group: "machine.openshift.io",
            version: "v1beta1",
            namespace: MACHINE_API_NAMESPACE,
            plural: "machinesets",
            labelSelector: POOL_LABEL,
        });
    } catch (error) {
        throw new Error(
            `cluster-capacity: listing the MachineSets in ${MACHINE_API_NAMESPACE} failed, so the run cannot tell whether Cluster API owns any of this stack's (the identity that runs Pulumi needs list on machinesets.machine.openshift.io there): ${describeKubernetesFailure(error)}`,
        );
    }
    const items = ((answer as { items?: MachineSetItem[] })?.items ?? []).filter((item) => item.metadata?.name);
    return items.map((item) => ({
        name: item.metadata?.name as string,
        labels: item.metadata?.labels ?? {},
        spec: item.spec,
        ...(item.status?.authoritativeAPI !== undefined && { authoritativeAPI: item.status.authoritativeAPI }),
    }));
}

/** The API server's own message where it sent one (client-node's ApiException carries it in `body`), else the error's. */
function describeKubernetesFailure(error: unknown): string {
    const { code, body } = error as { code?: number; body?: unknown };
    let message: string | undefined;
    try {
        const status = (typeof body === "string" ? JSON.parse(body) : body) as { message?: string } | undefined;
        message = status?.message;
    } catch {
        // a body that is not a Status
    }
    const text = message ?? (error instanceof Error ? error.message.split("\n")[0] : String(error));
    return code ? `HTTP ${code}: ${text}` : text;
}
