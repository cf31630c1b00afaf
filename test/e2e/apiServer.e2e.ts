/**
 * What the program renders, applied to a real kube-apiserver of each Kubernetes minor in tools/
 * (1.33, that of OpenShift 4.20, and 1.35, that of 4.22) with every CRD the manifest (test/fixtures/upstream.json) names in ../shared/crds: the server runs schema validation, CEL rules, pruning and
 * defaulting, and server-side apply decides field ownership, which the schema test cannot show.
 */
import * as assert from "assert";
import { rendered, runProgram } from "../support/harness";
import { SCENARIOS, gpuPool, offlineStack, teamsStack } from "../support/scenarios";
import { loadCrds } from "../support/crds";
import { ApiServer, eventually, KUBERNETES_MINORS, startApiServer } from "./support/apiServer";
import { apply, deleteAll, ensureNamespace, fieldsNotKept, installSharedCrds, KindIndex, ObjectLike } from "./support/objects";

/** The field manager the Pulumi Kubernetes provider applies with. */
const PULUMI = "pulumi-kubernetes";

for (const kubernetes of KUBERNETES_MINORS)
    describe(`rendered objects on a real Kubernetes ${kubernetes} API server`, function () {
        // The first run builds kube-apiserver and etcd from source (minutes); later runs reuse them.
        this.timeout(40 * 60_000);
        let server: ApiServer;
        let kinds: KindIndex;

        before(async () => {
            server = await startApiServer(kubernetes);
            kinds = await installSharedCrds(server);
        });
        after(() => server?.stop());

        async function applyAll(objects: ObjectLike[]): Promise<void> {
            const problems: string[] = [];
            for (const object of [...objects].sort((a, b) => Number(b.kind === "Namespace") - Number(a.kind === "Namespace"))) {
                if (kinds.namespaced(object)) await ensureNamespace(server, object.metadata.namespace ?? "default");
                const answer = await apply(server, kinds, object, PULUMI);
                const what = `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`;
                if (answer.status !== 200 && answer.status !== 201) {
                    problems.push(`${what}: ${answer.status} ${answer.body?.message ?? JSON.stringify(answer.body)}`);
                    continue;
                }
                if (!kinds.unconverted(object)) {
                    problems.push(...fieldsNotKept(object, answer.body).map((p) => `${what}: field not kept ${p}`));
                }
            }
            assert.deepStrictEqual(problems, []);
        }

        for (const [what, config, aws] of SCENARIOS) {
            it(`accepts every object of ${what} by server-side apply and keeps every field it was sent`, async () => {
                const run = await runProgram(config, aws);
                assert.ifError(run.error);
                const objects = rendered(run) as unknown as ObjectLike[];
                assert.ok(objects.length > 0);
                try {
                    await applyAll(objects);
                } finally {
                    // Scenarios reuse names (ClusterPolicy, ClusterQueue) across API versions; each starts clean.
                    await deleteAll(server, kinds, objects);
                }
            });
        }

        it("runs the CRDs' CEL rules, which the schema test cannot: a ClusterQueue flavor missing a covered resource is refused", async () => {
            const run = await runProgram(offlineStack({ "cluster-capacity:kueue": { enabled: true } }));
            const queue = structuredClone(rendered(run, "ClusterQueue")[0]) as any;
            queue.metadata.name = "cel-check";
            queue.spec.resourceGroups[0].flavors[0].resources.pop();
            const ajv = loadCrds().validator(queue.apiVersion, queue.kind);
            assert.strictEqual(ajv?.(queue), true, "the JSON-Schema check alone accepts it");
            const answer = await apply(server, kinds, queue, PULUMI);
            assert.strictEqual(answer.status, 422);
            assert.match(answer.body.message, /flavors must have the same number of resources as the coveredResources/);
        });

        it("runs a team's priority-class admission policy: other classes are denied on create and on a label change, other updates pass", async () => {
            const run = await runProgram(teamsStack());
            const policies = rendered(run).filter(
                (o) =>
                    String(o.kind).startsWith("ValidatingAdmissionPolicy") &&
                    (o.metadata as ObjectLike["metadata"]).name.startsWith("kueue-team-"),
            ) as unknown as ObjectLike[];
            assert.strictEqual(policies.length, 4, "two teams with priority classes: a policy and a binding each");
            for (const object of policies) assert.strictEqual((await apply(server, kinds, object, PULUMI)).status < 300, true);
            await ensureNamespace(server, "ml-research");
            await ensureNamespace(server, "elsewhere");
            const configMap = (namespace: string, name: string, priorityClass?: string, data: Record<string, string> = {}) => ({
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name, namespace, ...(priorityClass && { labels: { "kueue.x-k8s.io/priority-class": priorityClass } }) },
                data,
            });
            // Policies take effect once the API server's admission informers have them; each attempt is
            // a new object, since an update that keeps the label is not checked.
            let attempt = 0;
            const denied = await eventually("the policy to deny", 30_000, async () => {
                const answer = await apply(server, kinds, configMap("ml-research", `wants-inference-${attempt++}`, "inference"), "someone");
                return answer.status >= 400 ? answer : undefined;
            });
            assert.strictEqual(denied.status, 403);
            assert.match(denied.body.message, /team research may use the WorkloadPriorityClasses training, batch, not inference/);
            try {
                assert.strictEqual((await apply(server, kinds, configMap("ml-research", "job", "training"), "someone")).status, 201);
                assert.strictEqual((await apply(server, kinds, configMap("ml-research", "unlabelled"), "someone")).status, 201);
                assert.strictEqual((await apply(server, kinds, configMap("elsewhere", "other-team", "inference"), "someone")).status, 201);
                const changed = await apply(server, kinds, configMap("ml-research", "job", "inference"), "someone");
                assert.strictEqual(changed.status, 403, "changing the label to another class is an update the policy checks");
                const untouched = await apply(server, kinds, configMap("ml-research", "job", "training", { step: "2" }), "someone");
                assert.strictEqual(untouched.status, 200, "an update that keeps the label passes");
            } finally {
                await deleteAll(server, kinds, [
                    ...Array.from({ length: attempt - 1 }, (_, i) => configMap("ml-research", `wants-inference-${i}`)),
                    configMap("ml-research", "job"),
                    configMap("ml-research", "unlabelled"),
                    configMap("elsewhere", "other-team"),
                    ...policies,
                ] as ObjectLike[]);
            }
        });

        it("refuses a field the CRD does not declare, so an object the schema would prune cannot pass unnoticed", async () => {
            const run = await runProgram(offlineStack());
            const machineSet = structuredClone(rendered(run, "MachineSet")[0]) as any;
            machineSet.metadata.name = "prune-check";
            machineSet.spec.template.spec.workerTolerations = [{ operator: "Exists" }];
            await ensureNamespace(server, machineSet.metadata.namespace);
            const answer = await apply(server, kinds, machineSet, PULUMI);
            assert.ok(answer.status >= 400, `status ${answer.status}`);
            assert.match(answer.body.message, /\.spec\.template\.spec\.workerTolerations: field not declared in schema/);
        });

        it("creates a missing operator namespace by a labels-only apply, and gives up only the labels when the NamespacePatch goes", async () => {
            const run = await runProgram(offlineStack({ "cluster-capacity:gpuOperator": { enabled: true } }));
            const patch = run.resources.find((r) => r.type === "kubernetes:core/v1:NamespacePatch");
            assert.ok(patch, "the GPU Operator's namespace is a NamespacePatch");
            const namespace = {
                apiVersion: "v1",
                kind: "Namespace",
                ...(structuredClone(patch.inputs) as { metadata: ObjectLike["metadata"] }),
            };
            // A name of its own: the scenarios above already applied the real one, and namespaces stay.
            namespace.metadata.name = `patch-check-${namespace.metadata.name}`;
            const path = `/api/v1/namespaces/${namespace.metadata.name}`;
            assert.strictEqual((await server.request("GET", path)).status, 404);
            // The provider's create of a Patch resource: an apply PATCH (pulumi-kubernetes await.go Creation).
            assert.strictEqual((await apply(server, kinds, namespace, PULUMI)).status, 201);
            const other = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace.metadata.name, labels: { team: "gpu" } } };
            assert.strictEqual((await apply(server, kinds, other, "someone-else")).status, 200);
            // The provider's delete of a Patch resource: ssa.Relinquish, an apply of the identity alone.
            const identity = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace.metadata.name } };
            assert.strictEqual((await apply(server, kinds, identity, PULUMI)).status, 200);
            const left = (await server.request("GET", path)).body;
            assert.strictEqual(left.status.phase, "Active");
            assert.deepStrictEqual(
                Object.keys(left.metadata.labels).filter((k) => k !== "kubernetes.io/metadata.name"),
                ["team"],
            );
        });

        describe("spec.replicas of an autoscaled MachineSet (server-side apply field ownership)", () => {
            let machineSet: ObjectLike;
            const scale = (replicas: number) =>
                server.request(
                    "PATCH",
                    `${kinds.path(machineSet)}/scale?fieldManager=cluster-autoscaler`,
                    { spec: { replicas } },
                    "application/merge-patch+json",
                );
            const current = async () => (await server.request("GET", kinds.path(machineSet))).body;

            before(async () => {
                const run = await runProgram(offlineStack({}, [gpuPool("ssa", { autoscaling: { minReplicas: 0, maxReplicas: 4 } })]));
                assert.ifError(run.error);
                machineSet = rendered(run, "MachineSet")[0] as unknown as ObjectLike;
                await ensureNamespace(server, machineSet.metadata.namespace as string);
                assert.strictEqual((await apply(server, kinds, machineSet, PULUMI)).status, 201);
                assert.strictEqual((await scale(3)).status, 200);
            });

            it("keeps the autoscaler's replicas when Pulumi re-applies without spec.replicas, as ignoreChanges makes it", async () => {
                const withoutReplicas = structuredClone(machineSet) as any;
                delete withoutReplicas.spec.replicas;
                const answer = await apply(server, kinds, withoutReplicas, PULUMI);
                assert.strictEqual(answer.status, 200, JSON.stringify(answer.body));
                assert.strictEqual((await current()).spec.replicas, 3);
            });

            it("refuses a plain re-apply of spec.replicas: the field belongs to the autoscaler now", async () => {
                const answer = await apply(server, kinds, machineSet, PULUMI);
                assert.strictEqual(answer.status, 409);
                assert.match(answer.body.message, /conflict with "cluster-autoscaler".*\.spec\.replicas/s);
                assert.strictEqual((await current()).spec.replicas, 3);
            });

            it("lets a retired pool's forced apply (pulumi.com/patchForce) take spec.replicas back to 0", async () => {
                const retired = structuredClone(machineSet) as any;
                retired.spec.replicas = 0;
                const answer = await apply(server, kinds, retired, PULUMI, true);
                assert.strictEqual(answer.status, 200, JSON.stringify(answer.body));
                assert.strictEqual((await current()).spec.replicas, 0);
            });
        });
    });
