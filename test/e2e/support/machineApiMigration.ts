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
import { ensureNamespace } from "./objects";

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

/** Installs the feature set's CRDs and, as cluster-capi-operator does from 4.22, its admission policy. */
export async function enableMachineApiMigration(server: ApiServer, admissionPolicy: boolean): Promise<void> {
    const crds = [
        ...documents("machine.openshift.io_machinesets-TechPreviewNoUpgrade.yaml"),
        ...documents("cluster.x-k8s.io_machinesets.yaml"),
    ];
    for (const crd of crds) {
        await ok(
            `CRD ${crd.metadata.name}`,
            server.request(
                "PATCH",
                `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}?fieldManager=e2e&force=true`,
                crd,
                "application/apply-patch+yaml",
            ),
        );
    }
    for (const crd of crds) {
        await eventually(`CRD ${crd.metadata.name} to be established`, 60_000, async () => {
            const live = (await server.request("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`)).body;
            const established = (live?.status?.conditions ?? []).some(
                (c: { type: string; status: string }) => c.type === "Established" && c.status === "True",
            );
            return established ? true : undefined;
        });
    }
    await ensureNamespace(server, CAPI_NAMESPACE);
    if (!admissionPolicy) return;
    for (const object of documents("machine-api-machine-set-vap.yaml")) {
        const plural = object.kind === "ValidatingAdmissionPolicy" ? "validatingadmissionpolicies" : "validatingadmissionpolicybindings";
        await ok(
            `${object.kind} ${object.metadata.name}`,
            server.request(
                "PATCH",
                `/apis/admissionregistration.k8s.io/v1/${plural}/${object.metadata.name}?fieldManager=cluster-capi-operator&force=true`,
                object,
                "application/apply-patch+yaml",
            ),
        );
    }
}

async function setStatusAuthority(server: ApiServer, name: string, authoritativeAPI: string): Promise<void> {
    await ok(
        `status.authoritativeAPI ${authoritativeAPI} of ${name}`,
        server.request(
            "PATCH",
            `${MACHINE_SETS}/${name}/status?fieldManager=${MIGRATION_CONTROLLER}`,
            { status: { authoritativeAPI } },
            "application/merge-patch+json",
        ),
    );
}

async function setSpecAuthority(server: ApiServer, name: string, authoritativeAPI: string): Promise<void> {
    await ok(
        `spec.authoritativeAPI ${authoritativeAPI} of ${name}`,
        server.request(
            "PATCH",
            `${MACHINE_SETS}/${name}?fieldManager=${ADMIN}`,
            { spec: { authoritativeAPI } },
            "application/merge-patch+json",
        ),
    );
}

/**
 * Moves a MachineSet to Cluster API as the admin and the controllers do, and, with the admission
 * policy, waits until it refuses a spec change of it, as it does on a cluster once the move is done.
 */
export async function migrateToClusterApi(server: ApiServer, name: string, clusterName: string, admissionPolicy: boolean): Promise<void> {
    // The server takes up a CRD's new schema shortly after the update: until then it prunes the new fields.
    await eventually("the TechPreviewNoUpgrade MachineSet schema to be served", 60_000, async () => {
        const probe = await server.request(
            "PATCH",
            `${MACHINE_SETS}/${name}/status?fieldManager=e2e-probe&dryRun=All`,
            { status: { authoritativeAPI: "MachineAPI" } },
            "application/merge-patch+json",
        );
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
    return server.request(
        "PATCH",
        `${MACHINE_SETS}/${name}?fieldManager=e2e-probe&dryRun=All`,
        { spec: { minReadySeconds: 7 } },
        "application/merge-patch+json",
    );
}

/** Hands the MachineSet back to the Machine API, as the admin and the migration controller do. */
export async function handBackToMachineApi(server: ApiServer, name: string): Promise<void> {
    await setSpecAuthority(server, name, "MachineAPI");
    await setStatusAuthority(server, name, "Migrating");
    await setStatusAuthority(server, name, "MachineAPI");
    await ok(`deleting Cluster API MachineSet ${name}`, server.request("DELETE", `${CAPI_MACHINE_SETS}/${name}`));
}
