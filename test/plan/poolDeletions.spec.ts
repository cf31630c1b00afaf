import * as assert from "assert";
import { rendered, renderedObject, runProgram } from "../support/harness";
import { connectedStack, gpuPool, offlineStack } from "../support/scenarios";
import { fakeCluster } from "../support/cluster";
import { deletionBlockers, refusedDeletions } from "../../lib/plan/poolDeletions";
import type { LiveMachineSet } from "../../lib/lookups/poolMachineSets";

const CLUSTER = "machine.openshift.io/cluster-api-cluster";
const POOL = "cluster-capacity.io/pool";
const RETIRED = "cluster-capacity.io/retired";

const guards = (run: Parameters<typeof rendered>[0]) =>
    rendered(run, "ValidatingAdmissionPolicy").filter(
        (p) => (p.metadata as { name: string }).name === "cluster-capacity-pool-deletion-guard",
    );

function liveSet(name: string, pool: string, edit: Partial<LiveMachineSet> = {}): LiveMachineSet {
    return {
        name,
        labels: { [CLUSTER]: "test-abcde", [POOL]: pool },
        annotations: {},
        spec: {},
        replicas: 1,
        statusReplicas: 1,
        ownedByPulumi: [],
        ...edit,
    };
}

/** A pool MachineSet as the LIST answers it. */
function listed(name: string, pool: string, spec: object, status: object = {}, annotations: Record<string, string> = {}): object {
    return { metadata: { name, labels: { [CLUSTER]: "test-abcde", [POOL]: pool }, annotations }, spec, status };
}

describe("pool deletions (lib/plan/poolDeletions.ts)", () => {
    describe("deletionBlockers", () => {
        it("lets a retired MachineSet with no machines asked for or left go", () => {
            assert.deepStrictEqual(
                deletionBlockers(liveSet("a", "l4", { annotations: { [RETIRED]: "true" }, replicas: 0, statusReplicas: 0 })),
                [],
            );
        });

        it("holds a MachineSet whose pool is not retired, even at 0 machines", () => {
            assert.deepStrictEqual(deletionBlockers(liveSet("a", "l4", { replicas: 0, statusReplicas: 0 })), [
                'its pool is not retired (no cluster-capacity.io/retired: "true")',
            ]);
        });

        it("holds a retired MachineSet that still reports machines, and one still asked for machines", () => {
            const retired = { annotations: { [RETIRED]: "true" } };
            assert.deepStrictEqual(deletionBlockers(liveSet("a", "l4", { ...retired, replicas: 0, statusReplicas: 2 })), [
                "it still has machines (spec.replicas 0, status.replicas 2)",
            ]);
            assert.deepStrictEqual(deletionBlockers(liveSet("a", "l4", { ...retired, replicas: 1, statusReplicas: 0 })), [
                "it still has machines (spec.replicas 1, status.replicas 0)",
            ]);
        });

        it("does not take another value of the annotation for retired", () => {
            assert.strictEqual(
                deletionBlockers(liveSet("a", "l4", { annotations: { [RETIRED]: "yes" }, replicas: 0, statusReplicas: 0 })).length,
                1,
            );
        });
    });

    describe("refusedDeletions", () => {
        it("names the MachineSets of this cluster that the run would not render and that are not retired and drained", () => {
            const live = [liveSet("test-abcde-l4-a", "l4"), liveSet("test-abcde-a100-a", "a100")];
            assert.deepStrictEqual(refusedDeletions(live, new Set(["test-abcde-l4-a"]), new Set(["l4"]), "test-abcde"), [
                {
                    machineSet: "test-abcde-a100-a",
                    pool: "a100",
                    poolConfigured: false,
                    reasons: [
                        'its pool is not retired (no cluster-capacity.io/retired: "true")',
                        "it still has machines (spec.replicas 1, status.replicas 1)",
                    ],
                },
            ]);
        });

        it("leaves alone MachineSets of another infraId and those without the pool label", () => {
            const other = liveSet("x", "l4", { labels: { [CLUSTER]: "other-1234", [POOL]: "l4" } });
            const unlabelled = liveSet("y", "l4", { labels: { [CLUSTER]: "test-abcde" } });
            assert.deepStrictEqual(refusedDeletions([other, unlabelled], new Set(), new Set(), "test-abcde"), []);
        });
    });

    describe("a run against a cluster", () => {
        it("refuses a run that would delete a pool removed from the stack file, naming each MachineSet, its pool and the runbook, before registering anything", async () => {
            fakeCluster.machineSets = [
                listed("test-abcde-l4-us-east-2a", "l4", { replicas: 0 }),
                listed("test-abcde-a100-us-east-2a", "a100", { replicas: 2 }, { replicas: 2 }),
                listed("test-abcde-a100-us-east-2b", "a100", { replicas: 2 }, { replicas: 2 }),
            ];
            const run = await runProgram(connectedStack());
            assert.ok(run.error, "the run should have been refused");
            assert.match(
                run.error.message,
                /this run would delete 2 pool MachineSet\(s\) that are not retired and drained; no cluster object was registered\.\n {2}- MachineSet openshift-machine-api\/test-abcde-a100-us-east-2a \(pool a100\): its pool is not retired .*, and it still has machines \(spec\.replicas 2, status\.replicas 2\)\n {2}- MachineSet openshift-machine-api\/test-abcde-a100-us-east-2b \(pool a100\)/,
            );
            assert.match(run.error.message, /docs\/runbook\.md#retire-a-pool/);
            assert.match(run.error.message, /If a pool was removed by mistake, put it back in the stack file/);
            assert.deepStrictEqual(
                run.resources.filter((r) => r.type.startsWith("kubernetes:")),
                [],
            );
        });

        it("says so when the pool is still in the stack file and only one of its MachineSets would go, e.g. a zone removed", async () => {
            fakeCluster.machineSets = [
                listed("test-abcde-l4-us-east-2a", "l4", { replicas: 1 }),
                listed("test-abcde-l4-us-east-2b", "l4", { replicas: 1 }, { replicas: 1 }),
            ];
            const run = await runProgram(connectedStack());
            assert.match(
                run.error?.message ?? "",
                /MachineSet openshift-machine-api\/test-abcde-l4-us-east-2b \(pool l4\): its pool is not retired .*; its pool is still in the stack file, but this run no longer renders this MachineSet \(a zone, the spot fallback or a capacity reservation removed.*docs\/runbook\.md#remove-one-machineset-of-a-pool/,
            );
        });

        it("refuses it also when the stack keeps no pool at all", async () => {
            fakeCluster.machineSets = [listed("test-abcde-l4-us-east-2a", "l4", { replicas: 1 }, { replicas: 1 })];
            const run = await runProgram(connectedStack({}, []));
            assert.match(
                run.error?.message ?? "",
                /would delete 1 pool MachineSet\(s\).*\n {2}- MachineSet openshift-machine-api\/test-abcde-l4-us-east-2a \(pool l4\)/,
            );
        });

        it("lets through the removal of a pool retired by the program and drained", async () => {
            fakeCluster.machineSets = [
                listed("test-abcde-a100-us-east-2a", "a100", { replicas: 0 }, { replicas: 0 }, { [RETIRED]: "true" }),
                listed("test-abcde-a100-us-east-2b", "a100", { replicas: 0 }, {}, { [RETIRED]: "true" }),
            ];
            assert.ifError((await runProgram(connectedStack())).error);
        });

        it("refuses the removal of a retired pool whose MachineSet still reports machines", async () => {
            fakeCluster.machineSets = [
                listed("test-abcde-a100-us-east-2a", "a100", { replicas: 0 }, { replicas: 1 }, { [RETIRED]: "true" }),
            ];
            const run = await runProgram(connectedStack());
            assert.match(run.error?.message ?? "", /\(pool a100\): it still has machines \(spec\.replicas 0, status\.replicas 1\)/);
            assert.doesNotMatch(run.error?.message ?? "", /not retired \(/);
        });

        it("warns once, and lists nothing, when it renders YAML instead", async () => {
            const run = await runProgram(offlineStack());
            assert.ifError(run.error);
            assert.deepStrictEqual(fakeCluster.requests, []);
            assert.strictEqual(run.warnings.filter((w) => /renderDirectory: no cluster is asked/.test(w)).length, 1);
        });
    });

    describe("the deletion guard on the cluster", () => {
        it("renders the admission policy and its Deny binding, and every pool MachineSet depends on the binding", async () => {
            const run = await runProgram(offlineStack({}, [gpuPool("l4", { zones: ["us-east-2a", "us-east-2b"] })]));
            assert.ifError(run.error);
            const policy = renderedObject(run, "ValidatingAdmissionPolicy", "cluster-capacity-pool-deletion-guard");
            assert.deepStrictEqual(policy.spec.matchConstraints.resourceRules, [
                { apiGroups: ["machine.openshift.io"], apiVersions: ["*"], resources: ["machinesets"], operations: ["DELETE"] },
            ]);
            assert.deepStrictEqual(policy.spec.matchConstraints.objectSelector, { matchExpressions: [{ key: POOL, operator: "Exists" }] });
            const binding = renderedObject(run, "ValidatingAdmissionPolicyBinding", "cluster-capacity-pool-deletion-guard");
            assert.deepStrictEqual(binding.spec, { policyName: "cluster-capacity-pool-deletion-guard", validationActions: ["Deny"] });
            const bindingUrn = run.resources.find(
                (r) => r.type.endsWith(":ValidatingAdmissionPolicyBinding") && r.name === "pool-deletion-guard-binding",
            )?.urn;
            const machineSets = run.resources.filter((r) => r.type.endsWith(":MachineSet"));
            assert.strictEqual(machineSets.length, 2);
            for (const ms of machineSets)
                assert.ok(bindingUrn && ms.dependencies.includes(bindingUrn), `${ms.name} depends on the binding`);
        });

        it("renders none before OpenShift 4.17, and says what still guards the pools", async () => {
            const run = await runProgram(
                offlineStack({
                    "cluster-capacity:cluster": { name: "old", infraId: "test-abcde", openshiftVersion: "4.16", region: "us-east-2" },
                }),
            );
            assert.ifError(run.error);
            assert.deepStrictEqual(guards(run), []);
            assert.ok(
                run.warnings.some((w) =>
                    /OpenShift 4\.16 serves no admissionregistration\.k8s\.io\/v1 ValidatingAdmissionPolicy .*only this program's check .*and protect guard the pools/.test(
                        w,
                    ),
                ),
                run.warnings.join("\n"),
            );
        });

        it("renders none for a stack without pools", async () => {
            const run = await runProgram(offlineStack({}, []));
            assert.ifError(run.error);
            assert.deepStrictEqual(guards(run), []);
        });
    });
});
