/**
 * A cluster with the MachineAPIMigration feature gate (TechPreviewNoUpgrade), played on the suite's
 * API server with the upstream files of test/fixtures/machine-api-migration: the TechPreviewNoUpgrade
 * MachineSet CRD (spec and status `authoritativeAPI`), the Cluster API MachineSet CRD and
 * cluster-capi-operator's admission policy. The test moves a MachineSet as the operators would:
 * an admin sets spec.authoritativeAPI, the migration controller walks status.authoritativeAPI
 * MachineAPI → Migrating → ClusterAPI and the sync controller mirrors it into openshift-cluster-api
 * (cluster-capi-operator pkg/controllers/machinesetmigration, machinesetsync).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO } from "../../support/scenarios";
import { ApiServer, eventually } from "./apiServer";
import { apply, ensureNamespace, installCrds, KindIndex, type ObjectLike } from "./objects";

const FIXTURES = path.join(REPO, "test", "fixtures", "machine-api-migration");
const MACHINE_SETS = "/apis/machine.openshift.io/v1beta1/namespaces/openshift-machine-api/machinesets";
const CAPI_NAMESPACE = "openshift-cluster-api";
const CAPI_MACHINE_SETS = `/apis/cluster.x-k8s.io/v1beta2/namespaces/${CAPI_NAMESPACE}/machinesets`;
/** The field managers of the actors the test plays. */
const ADMIN = "oc";
const MIGRATION_CONTROLLER = "machineset-migration-controller";

function documents(file: string): Record<string, any>[] {
    return YAML.parseAllDocuments(fs.readFileSync(path.join(FIXTURES, file), "utf8")).map((d) => d.toJSON() as Record<string, any>);
}

async function ok(what: string, answer: Promise<{ status: number; body: any }>): Promise<any> {
    const { status, body } = await answer;
    if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(body).slice(0, 600)}`);
    return body;
}

/** A JSON merge patch of a MachineSet (or its `/status`) by `fieldManager`; `dryRun` leaves the server unchanged. */
function patchMachineSet(server: ApiServer, subpath: string, fieldManager: string, patch: unknown, dryRun = false) {
    return server.request(
        "PATCH",
        `${MACHINE_SETS}/${subpath}?fieldManager=${fieldManager}${dryRun ? "&dryRun=All" : ""}`,
        patch,
        "application/merge-patch+json",
    );
}

/** Installs the feature set's CRDs and, as cluster-capi-operator does from 4.22, its admission policy. */
export async function enableMachineApiMigration(server: ApiServer, admissionPolicy: boolean): Promise<void> {
    await installCrds(server, [
        path.join(FIXTURES, "machine.openshift.io_machinesets-TechPreviewNoUpgrade.yaml"),
        path.join(FIXTURES, "cluster.x-k8s.io_machinesets.yaml"),
    ]);
    await ensureNamespace(server, CAPI_NAMESPACE);
    if (!admissionPolicy) return;
    for (const object of documents("machine-api-machine-set-vap.yaml")) {
        await ok(
            `${object.kind} ${object.metadata.name}`,
            apply(server, new KindIndex(), object as ObjectLike, "cluster-capi-operator", true),
        );
    }
}

function setStatusAuthority(server: ApiServer, name: string, authoritativeAPI: string): Promise<void> {
    return ok(
        `status.authoritativeAPI ${authoritativeAPI} of ${name}`,
        patchMachineSet(server, `${name}/status`, MIGRATION_CONTROLLER, { status: { authoritativeAPI } }),
    );
}

function setSpecAuthority(server: ApiServer, name: string, authoritativeAPI: string): Promise<void> {
    return ok(`spec.authoritativeAPI ${authoritativeAPI} of ${name}`, patchMachineSet(server, name, ADMIN, { spec: { authoritativeAPI } }));
}

/**
 * Moves a MachineSet to Cluster API as the admin and the controllers do, and, with the admission
 * policy, waits until it refuses a spec change of it, as it does on a cluster once the move is done.
 */
export async function migrateToClusterApi(server: ApiServer, name: string, clusterName: string, admissionPolicy: boolean): Promise<void> {
    // The server takes up a CRD's new schema shortly after the update: until then it prunes the new fields.
    await eventually("the TechPreviewNoUpgrade MachineSet schema to be served", 60_000, async () => {
        const probe = await patchMachineSet(server, `${name}/status`, "e2e-probe", { status: { authoritativeAPI: "MachineAPI" } }, true);
        return probe.body?.status?.authoritativeAPI === "MachineAPI" ? true : undefined;
    });
    await setSpecAuthority(server, name, "ClusterAPI");
    await setStatusAuthority(server, name, "MachineAPI");
    await setStatusAuthority(server, name, "Migrating");
    // The sync controller's mirror (machineset_sync_controller.go), the policy's param.
    await ok(
        `Cluster API MachineSet ${name}`,
        server.request("POST", CAPI_MACHINE_SETS, {
            apiVersion: "cluster.x-k8s.io/v1beta2",
            kind: "MachineSet",
            metadata: { name, namespace: CAPI_NAMESPACE },
            spec: {
                clusterName,
                selector: { matchLabels: { "cluster.x-k8s.io/set-name": name } },
                template: {
                    metadata: { labels: { "cluster.x-k8s.io/set-name": name } },
                    spec: {
                        clusterName,
                        bootstrap: { dataSecretName: "worker-user-data" },
                        infrastructureRef: { apiGroup: "infrastructure.cluster.x-k8s.io", kind: "AWSMachineTemplate", name },
                    },
                },
            },
        }),
    );
    await setStatusAuthority(server, name, "ClusterAPI");
    if (!admissionPolicy) return;
    await eventually(`the admission policy to refuse a spec change of ${name}`, 60_000, async () => {
        const answer = await refusedSpecChange(server, name);
        return answer.status === 422 ? true : undefined;
    });
}

/** A spec change of the MachineSet (its minReadySeconds), as Pulumi would send one; a dry run, which admission sees all the same. */
export function refusedSpecChange(server: ApiServer, name: string): Promise<{ status: number; body: any }> {
    return patchMachineSet(server, name, "e2e-probe", { spec: { minReadySeconds: 7 } }, true);
}

/** Hands the MachineSet back to the Machine API, as the admin and the migration controller do. */
export async function handBackToMachineApi(server: ApiServer, name: string): Promise<void> {
    await setSpecAuthority(server, name, "MachineAPI");
    await setStatusAuthority(server, name, "Migrating");
    await setStatusAuthority(server, name, "MachineAPI");
    await ok(`deleting Cluster API MachineSet ${name}`, server.request("DELETE", `${CAPI_MACHINE_SETS}/${name}`));
}
