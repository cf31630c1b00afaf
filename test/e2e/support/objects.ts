/**
 * Objects on the e2e API server: the shared CRDs installed and established, REST paths per kind,
 * server-side apply, and a comparison of what was sent with what the server kept.
 */
import * as fs from "fs";
import * as YAML from "yaml";
import { crdFiles } from "../../support/crds";
import { ApiResponse, ApiServer, eventually } from "./apiServer";

export interface KindInfo {
    plural: string;
    namespaced: boolean;
    /**
     * Served at a version other than the stored one, and the shared CRD has no conversion webhook
     * (Kueue adds its own when it installs): renamed fields cannot survive the round trip here.
     */
    unconverted?: boolean;
}

export interface ObjectLike {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

/** The built-in kinds the program renders, with the paths the API serves them at. */
const BUILT_IN_KINDS: Record<string, KindInfo> = {
    "v1/Namespace": { plural: "namespaces", namespaced: false },
    "v1/ConfigMap": { plural: "configmaps", namespaced: true },
    "v1/ServiceAccount": { plural: "serviceaccounts", namespaced: true },
    "batch/v1/Job": { plural: "jobs", namespaced: true },
    "apps/v1/DaemonSet": { plural: "daemonsets", namespaced: true },
    "rbac.authorization.k8s.io/v1/RoleBinding": { plural: "rolebindings", namespaced: true },
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": { plural: "validatingadmissionpolicies", namespaced: false },
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": { plural: "validatingadmissionpolicybindings", namespaced: false },
};

export class KindIndex {
    private readonly kinds = new Map<string, KindInfo>(Object.entries(BUILT_IN_KINDS));

    add(apiVersion: string, kind: string, info: KindInfo): void {
        this.kinds.set(`${apiVersion}/${kind}`, info);
    }

    /** `/api/v1/namespaces/x/configmaps/y` or `/apis/<group>/<version>/…/<plural>/<name>`. */
    path(object: ObjectLike): string {
        const info = this.kinds.get(`${object.apiVersion}/${object.kind}`);
        if (!info) throw new Error(`no CRD or built-in kind serves ${object.apiVersion} ${object.kind}`);
        const root = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
        const ns = info.namespaced ? `/namespaces/${object.metadata.namespace ?? "default"}` : "";
        return `${root}${ns}/${info.plural}/${object.metadata.name}`;
    }

    namespaced(object: ObjectLike): boolean {
        return this.kinds.get(`${object.apiVersion}/${object.kind}`)?.namespaced ?? false;
    }

    unconverted(object: ObjectLike): boolean {
        return this.kinds.get(`${object.apiVersion}/${object.kind}`)?.unconverted ?? false;
    }
}

/** Server-side apply, as the Pulumi Kubernetes provider does it (dry-run off). */
export function apply(server: ApiServer, kinds: KindIndex, object: ObjectLike, fieldManager: string, force = false): Promise<ApiResponse> {
    const query = `?fieldManager=${encodeURIComponent(fieldManager)}${force ? "&force=true" : ""}`;
    return server.request("PATCH", `${kinds.path(object)}${query}`, object, "application/apply-patch+yaml");
}

/** Deletes what a scenario applied (namespaces stay: no namespace controller runs to finish them). */
export async function deleteAll(server: ApiServer, kinds: KindIndex, objects: readonly ObjectLike[]): Promise<void> {
    // Admission policies first: the pools' deletion guard refuses deleting their MachineSets. The API
    // server drops a deleted binding from its policy cache a moment later, so a refusal is asked again.
    const first = (o: ObjectLike) => Number(o.kind.startsWith("ValidatingAdmissionPolicy"));
    for (const object of objects.filter((o) => o.kind !== "Namespace").sort((a, b) => first(b) - first(a))) {
        // Background: a Job's default (orphan) deletion waits for a garbage collector this server lacks.
        const remove = () => server.request("DELETE", `${kinds.path(object)}?propagationPolicy=Background`);
        let answer = await remove();
        for (let tries = 0; answer.status === 403 && /ValidatingAdmissionPolicy/.test(JSON.stringify(answer.body)) && tries < 20; tries++) {
            await new Promise((resolve) => setTimeout(resolve, 500));
            answer = await remove();
        }
        if (answer.status !== 200 && answer.status !== 202 && answer.status !== 404) {
            throw new Error(`deleting ${object.kind} ${object.metadata.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
    }
}

/** Creates `object` at `urlPath` unless it exists. */
export async function created(server: ApiServer, urlPath: string, object: unknown): Promise<void> {
    const answer = await server.request("POST", urlPath, object);
    if (answer.status !== 201 && answer.status !== 409) throw new Error(`POST ${urlPath}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

export function ensureNamespace(server: ApiServer, name: string): Promise<void> {
    return created(server, "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

/** Applies every CRD of the shared folder and waits until the API server serves each. */
export function installSharedCrds(server: ApiServer): Promise<KindIndex> {
    return installCrds(server, crdFiles());
}

/** Applies every CRD of `files` (replacing one of the same name) and waits until the API server serves each. */
export async function installCrds(server: ApiServer, files: readonly string[], kinds = new KindIndex()): Promise<KindIndex> {
    const names: string[] = [];
    for (const file of files) {
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
            const crd = doc.toJSON() as {
                kind?: string;
                metadata: { name: string };
                spec: {
                    group: string;
                    scope: string;
                    names: { kind: string; plural: string };
                    versions: { name: string; served: boolean; storage: boolean }[];
                    conversion?: { strategy?: string };
                };
            };
            if (crd?.kind !== "CustomResourceDefinition") continue;
            const answer = await server.request(
                "PATCH",
                `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}?fieldManager=e2e&force=true`,
                crd,
                "application/apply-patch+yaml",
            );
            if (answer.status >= 300) throw new Error(`CRD ${file}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
            names.push(crd.metadata.name);
            for (const version of crd.spec.versions.filter((v) => v.served)) {
                kinds.add(`${crd.spec.group}/${version.name}`, crd.spec.names.kind, {
                    plural: crd.spec.names.plural,
                    namespaced: crd.spec.scope === "Namespaced",
                    unconverted: !version.storage && crd.spec.conversion?.strategy !== "Webhook",
                });
            }
        }
    }
    for (const name of names) {
        await eventually(`CRD ${name} to be established`, 60_000, async () => {
            const crd = await server.request("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
            const conditions = (crd.body?.status?.conditions ?? []) as { type: string; status: string }[];
            return conditions.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
        });
    }
    return kinds;
}

const isEmpty = (value: unknown) =>
    (Array.isArray(value) && value.length === 0) ||
    (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0);

/**
 * Paths of everything that was sent but is not in what the server stored: fields pruned by a
 * structural schema, or values it changed. Extra fields the server added (defaults, status) are fine,
 * and so is an empty list or object it leaves out (`omitempty` in the built-in types).
 */
export function fieldsNotKept(sent: unknown, kept: unknown, at = ""): string[] {
    if (kept === undefined && isEmpty(sent)) return [];
    if (Array.isArray(sent)) {
        if (!Array.isArray(kept) || kept.length !== sent.length)
            return [`${at}: sent ${JSON.stringify(sent)}, kept ${JSON.stringify(kept)}`];
        return sent.flatMap((item, i) => fieldsNotKept(item, kept[i], `${at}[${i}]`));
    }
    if (sent !== null && typeof sent === "object") {
        if (kept === null || typeof kept !== "object") return [`${at}: sent an object, kept ${JSON.stringify(kept)}`];
        return Object.entries(sent as Record<string, unknown>).flatMap(([key, value]) =>
            fieldsNotKept(value, (kept as Record<string, unknown>)[key], `${at}.${key}`),
        );
    }
    return sent === kept ? [] : [`${at}: sent ${JSON.stringify(sent)}, kept ${JSON.stringify(kept)}`];
}
