/**
 * The fact: this stack's MachineSets as the cluster has them now — their labels, annotations, spec,
 * machines and who owns them (`status.authoritativeAPI`). Read with one LIST before anything is registered, because a
 * provider read (lib/lookups/clusterReads.ts) fails the run for a MachineSet that does not exist yet.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { MACHINE_API_NAMESPACE } from "../naming";
import type { KubernetesAccess } from "../config/types";
import { MACHINE_API_GROUP, POOL_LABEL } from "../../policy/lib/contract";

/** A MachineSet of one of this stack's pools, as the cluster reports it. */
export interface LiveMachineSet {
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    spec: unknown;
    /** `spec.replicas`: the machines it is asked to have. */
    replicas: number;
    /** `status.replicas`: the machines it has, as the MachineSet controller last counted them (0 before it has). */
    statusReplicas: number;
    /** The fields the Pulumi Kubernetes provider applied and owns, as path segments (label keys hold dots). */
    ownedByPulumi: string[][];
    /** `spec.authoritativeAPI`: the owner an admin asked for (TechPreviewNoUpgrade clusters only). */
    requestedAPI?: string;
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
 * A client for the cluster the stack's Kubernetes provider talks to, found as the provider finds it:
 * `kubernetes.kubeconfig`, else $KUBECONFIG, as a path (`~` expanded) or as the contents
 * (@pulumi/kubernetes `provider.ts`, provider `parseKubeconfigString` in pkg/provider/util.go),
 * else the ambient config (~/.kube/config, or the pod's service account inside a cluster); then
 * `kubernetes.context`.
 */
export function customObjectsClient(access: KubernetesAccess, env: NodeJS.ProcessEnv = process.env): CustomObjectsClient {
    const kubeconfig = new KubeConfig();
    const pathOrContents = access.kubeconfig ?? env.KUBECONFIG;
    if (!pathOrContents) {
        kubeconfig.loadFromDefault();
    } else {
        const expanded =
            pathOrContents === "~"
                ? os.homedir()
                : pathOrContents.startsWith("~/")
                  ? path.join(os.homedir(), pathOrContents.slice(2))
                  : pathOrContents;
        if (fs.existsSync(expanded)) kubeconfig.loadFromFile(expanded);
        else kubeconfig.loadFromString(pathOrContents);
    }
    if (access.context) kubeconfig.setCurrentContext(access.context);
    return kubeconfig.makeApiClient(CustomObjectsApi);
}

/** How long the LIST may take, retries included: a cluster that does not answer fails the run instead of hanging it. */
const LIST_BUDGET_MS = 60_000;

/**
 * Answers worth asking again: 429 (API Priority and Fairness, or storage still initializing) and the
 * transient 5xx. client-go retries the same ones, waiting as `Retry-After` says (rest/request.go, checkWait).
 */
const RETRIED_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** How the LIST waits between tries; a test gives its own clock. */
export interface RetryClock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: RetryClock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * How long to wait before trying again after `error`, or undefined when it is not worth it: 0.5 s
 * doubling up to 8 s, or longer where the server's `Retry-After` (in seconds) says so; a server
 * answering `Retry-After: 0` again and again is not asked in a tight loop.
 */
export function retryDelayMs(error: unknown, attempt: number): number | undefined {
    const { code, headers } = error as { code?: number; headers?: Record<string, string> };
    if (code === undefined || !RETRIED_STATUS.has(code)) return undefined;
    const retryAfter = Number(Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === "retry-after")?.[1]);
    const backoff = Math.min(500 * 2 ** attempt, 8000);
    return Number.isFinite(retryAfter) && retryAfter > 0 ? Math.max(retryAfter * 1000, backoff) : backoff;
}

interface ManagedFieldsEntry {
    manager?: string;
    operation?: string;
    fieldsV1?: unknown;
}

interface MachineSetItem {
    metadata?: {
        name?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        managedFields?: ManagedFieldsEntry[];
    };
    spec?: { authoritativeAPI?: string; replicas?: number };
    status?: { authoritativeAPI?: string; replicas?: number };
}

/** Where a managedFields entry says its manager owns a field: `f:spec` → `spec`. */
function ownedPaths(fields: unknown, at: string[] = []): string[][] {
    if (typeof fields !== "object" || fields === null) return [];
    const entries = Object.entries(fields).filter(([key]) => key !== ".");
    // A leaf, or a list whose items are keyed (`k:`, `v:`, `i:`): owned as a whole here.
    if (entries.length === 0 || entries.some(([key]) => !key.startsWith("f:"))) return at.length > 0 ? [at] : [];
    return entries.flatMap(([key, child]) => ownedPaths(child, [...at, key.slice(2)]));
}

/** The fields the Pulumi Kubernetes provider's field managers own (`pulumi-kubernetes-<id>` under server-side apply). */
function ownedByPulumi(managedFields: ManagedFieldsEntry[] | undefined): string[][] {
    return (managedFields ?? [])
        .filter((entry) => entry.manager?.startsWith("pulumi-kubernetes") && entry.operation === "Apply")
        .flatMap((entry) => ownedPaths(entry.fieldsV1));
}

/** One LIST, asked again on a 429 or a transient 5xx while the budget lasts; anything else fails at once. */
async function listWithRetries(client: CustomObjectsClient, clock: RetryClock): Promise<unknown> {
    const deadline = clock.now() + LIST_BUDGET_MS;
    for (let attempt = 0; ; attempt++) {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${LIST_BUDGET_MS / 1000} s`)), Math.max(0, deadline - clock.now()));
        });
        try {
            return await Promise.race([
                client.listNamespacedCustomObject({
                    group: MACHINE_API_GROUP,
                    version: "v1beta1",
                    namespace: MACHINE_API_NAMESPACE,
                    plural: "machinesets",
                    labelSelector: POOL_LABEL,
                }),
                timedOut,
            ]);
        } catch (error) {
            const delay = retryDelayMs(error, attempt);
            if (delay === undefined || clock.now() + delay >= deadline) throw error;
            await clock.sleep(delay);
        } finally {
            clearTimeout(timer);
        }
    }
}

/**
 * The MachineSets in openshift-machine-api that carry the pool label, the ones this program makes.
 * Fails the run, saying why, when the cluster cannot be asked.
 */
export async function livePoolMachineSets(connect: () => CustomObjectsClient, clock: RetryClock = REAL_CLOCK): Promise<LiveMachineSet[]> {
    let answer: unknown;
    try {
        answer = await listWithRetries(connect(), clock);
    } catch (error) {
        throw new pulumi.RunError(
            `cluster-capacity: listing the MachineSets in ${MACHINE_API_NAMESPACE} failed, so the run cannot tell which of this stack's pools the cluster has and who owns them (the identity that runs Pulumi needs list on machinesets.machine.openshift.io there); no cluster object was registered: ${describeKubernetesFailure(error)}`,
        );
    }
    const items = ((answer as { items?: MachineSetItem[] })?.items ?? []).filter((item) => item.metadata?.name);
    return items.map((item) => ({
        name: item.metadata?.name as string,
        labels: item.metadata?.labels ?? {},
        annotations: item.metadata?.annotations ?? {},
        spec: item.spec,
        // The CRD defaults spec.replicas to 1; status.replicas is absent until the controller counts machines.
        replicas: item.spec?.replicas ?? 1,
        statusReplicas: item.status?.replicas ?? 0,
        ownedByPulumi: ownedByPulumi(item.metadata?.managedFields),
        ...(item.spec?.authoritativeAPI !== undefined && { requestedAPI: item.spec.authoritativeAPI }),
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
