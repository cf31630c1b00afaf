import * as assert from "assert";
import { clusterQueueQuotas, ProgramRun, rendered, resourcesOfKind, runProgram } from "../support/harness";
import { split } from "../../lib/plan/kueueTeams";
import { provisioningStack, TEAMS, teamsStack } from "../support/scenarios";

/** Per ClusterQueue, per flavor: the GPU nominal quota. */
function gpuQuotas(run: ProgramRun): Record<string, Record<string, string>> {
    const quotas = clusterQueueQuotas(run, (r) => r === "nvidia.com/gpu");
    return Object.fromEntries(
        Object.entries(quotas).map(([queue, flavors]) => [
            queue,
            Object.fromEntries(Object.entries(flavors).map(([flavor, resources]) => [flavor, resources["nvidia.com/gpu"]])),
        ]),
    );
}

describe("Kueue teams (kueue.teams)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(teamsStack());
        assert.ifError(run.error);
    });

    it("gives each team its own ClusterQueue in one cohort, and no shared queue", () => {
        const queues = rendered(run, "ClusterQueue") as any[];
        assert.deepStrictEqual(queues.map((q) => q.metadata.name).sort(), ["batch", "inference", "research"]);
        assert.ok(queues.every((q) => q.spec.cohortName === "gpu-as-a-service"));
        assert.deepStrictEqual(queues[0].spec.preemption, { withinClusterQueue: "LowerPriority", reclaimWithinCohort: "Any" });
    });

    it("splits every flavor's GPUs by the teams' shares, adding up exactly to what the pools provide", () => {
        assert.deepStrictEqual(gpuQuotas(run), {
            research: { h100: "8", a100: "4", l4: "3" },
            inference: { h100: "5", a100: "2", l4: "2" },
            batch: { h100: "3", a100: "2", l4: "1" },
        });
    });

    it("adds up exactly for cpu and memory too, flavor by flavor", () => {
        const shared = (rendered(run, "ResourceFlavor") as any[]).map((f) => f.metadata.name);
        const queues = rendered(run, "ClusterQueue") as any[];
        const flavors = (run.outputs as any).kueue.flavors as Record<string, Record<string, string>>;
        const units = (resource: string, q: string) =>
            resource === "cpu"
                ? q.endsWith("m")
                    ? Number(q.slice(0, -1))
                    : Number(q) * 1000
                : resource === "memory"
                  ? Number(q.replace("Mi", ""))
                  : Number(q);
        for (const flavor of shared) {
            for (const [resource, capacity] of Object.entries(flavors[flavor])) {
                const sum = queues.reduce((total, q) => {
                    const f = q.spec.resourceGroups[0].flavors.find((x: any) => x.name === flavor);
                    return total + units(resource, f.resources.find((r: any) => r.name === resource).nominalQuota);
                }, 0);
                assert.strictEqual(sum, units(resource, capacity), `${flavor} ${resource}`);
            }
        }
    });

    it("gives each team's namespaces LocalQueues pointing at the team's ClusterQueue, labelled for the Red Hat build", () => {
        const local = rendered(run, "LocalQueue") as any[];
        assert.deepStrictEqual(local.map((q) => [q.metadata.namespace, q.spec.clusterQueue]).sort(), [
            ["batch-jobs", "batch"],
            ["ml-research", "research"],
            ["serving", "inference"],
        ]);
        const tenants = resourcesOfKind(run, "NamespacePatch")
            .map((r) => (r.inputs as any).metadata)
            .filter((m) => ["ml-research", "serving", "batch-jobs"].includes(m.name));
        assert.deepStrictEqual(
            tenants.map((m) => m.labels["kueue.openshift.io/managed"]),
            ["true", "true", "true"],
        );
    });

    it("renders borrowing and lending limits as fractions of the team's own quota, and fair-sharing weights", () => {
        const batch = (rendered(run, "ClusterQueue") as any[]).find((q) => q.metadata.name === "batch");
        const h100 = batch.spec.resourceGroups[0].flavors.find((f: any) => f.name === "h100");
        const gpu = h100.resources.find((r: any) => r.name === "nvidia.com/gpu");
        assert.deepStrictEqual([gpu.nominalQuota, gpu.lendingLimit], ["3", "1"]);
        assert.deepStrictEqual(batch.spec.fairSharing, { weight: "0.5" });
        const research = (rendered(run, "ClusterQueue") as any[]).find((q) => q.metadata.name === "research");
        assert.strictEqual(
            research.spec.resourceGroups[0].flavors[0].resources.find((r: any) => r.name === "nvidia.com/gpu").borrowingLimit,
            "4",
        );
    });

    it("turns on fair sharing in the Red Hat build's Kueue CR when a team has a fair-sharing weight, and only then", async () => {
        const kueue = rendered(run, "Kueue").find((o: any) => o.apiVersion === "kueue.openshift.io/v1") as any;
        assert.deepStrictEqual(kueue.spec.config.preemption, { preemptionPolicy: "FairSharing" });
        const unweighted = await runProgram(teamsStack(TEAMS.map(({ fairSharingWeight: _weight, ...team }) => team)));
        assert.ifError(unweighted.error);
        const plain = rendered(unweighted, "Kueue").find((o: any) => o.apiVersion === "kueue.openshift.io/v1") as any;
        assert.strictEqual(plain.spec.config.preemption, undefined);
    });

    it("reports per team the GPUs guaranteed and borrowable, which add up with what the pools provide", () => {
        const teams = (run.outputs as any).kueue.teams as Record<
            string,
            { guaranteedDevices: number; borrowableDevices: number; poolDevices: number }
        >;
        assert.deepStrictEqual(
            Object.fromEntries(Object.entries(teams).map(([name, t]) => [name, [t.guaranteedDevices, t.borrowableDevices, t.poolDevices]])),
            { research: [15, 7, 30], inference: [9, 17, 30], batch: [6, 24, 30] },
        );
        assert.strictEqual(
            Object.values(teams).reduce((sum, t) => sum + t.guaranteedDevices, 0),
            30,
        );
    });

    it("takes a team's nominal GPUs per flavor as given, and the others' shares of the rest", async () => {
        const nominal = await runProgram(
            teamsStack([
                { name: "research", namespaces: [{ name: "ml-research" }], nominal: { h100: 10, a100: 0, l4: 6 } },
                { name: "inference", namespaces: [{ name: "serving" }], nominal: { h100: 6, a100: 8, l4: 0 } },
            ]),
        );
        assert.ifError(nominal.error);
        assert.deepStrictEqual(gpuQuotas(nominal), {
            research: { h100: "10", a100: "0", l4: "6" },
            inference: { h100: "6", a100: "8", l4: "0" },
        });
    });

    it("splits integers so that parts add up to the whole when the weights add up to 1", () => {
        assert.deepStrictEqual(split(16, [0.5, 0.3, 0.2]), [8, 5, 3]);
        assert.deepStrictEqual(split(7, [1 / 3, 1 / 3, 1 / 3]), [3, 2, 2]);
        assert.deepStrictEqual(split(10, [0.25, 0.25]), [2, 2]);
    });

    it("keeps the single shared ClusterQueue unchanged without teams", async () => {
        const single = await runProgram(teamsStack([]));
        assert.ifError(single.error);
        assert.deepStrictEqual(
            (rendered(single, "ClusterQueue") as any[]).map((q) => q.metadata.name),
            ["gpu-cluster-queue"],
        );
    });
});

describe("Kueue team mistakes", () => {
    const refusal = async (teams: Record<string, unknown>[], pattern: RegExp, extra: Record<string, unknown> = {}) => {
        const run = await runProgram(teamsStack(teams, extra));
        assert.ok(run.error, "the program should have failed");
        assert.match(run.error.message, pattern);
        assert.deepStrictEqual(run.resources, [], "nothing may be registered");
    };

    it("refuses shares adding up to more than the pools", () =>
        refusal(
            [
                { name: "a", namespaces: [{ name: "a" }], share: 0.6 },
                { name: "b", namespaces: [{ name: "b" }], share: 0.6 },
            ],
            /cluster-capacity:kueue\.teams: got "a: 0\.6, b: 0\.6"; expected shares that add up to at most 1 \(they add up to 1\.2/,
        ));

    it("refuses nominal GPUs past a flavor's, naming the teams and the numbers", () =>
        refusal(
            [
                { name: "a", namespaces: [{ name: "a" }], nominal: { h100: 12 } },
                { name: "b", namespaces: [{ name: "b" }], nominal: { h100: 6 } },
            ],
            /cluster-capacity:kueue\.teams: got "a 12, b 6"; expected teams that together hold at most the 16 device\(s\) of flavor h100 \(they ask for 18\)/,
        ));

    it("refuses a nominal quota of a flavor no pool has", () =>
        refusal(
            [{ name: "a", namespaces: [{ name: "a" }], nominal: { v100: 4 } }],
            /kueue\.teams\[0\]\.nominal\.v100: got 4; expected a flavor of the pools/,
        ));

    it("refuses a team with both share and nominal, or neither", () =>
        refusal(
            [{ name: "a", namespaces: [{ name: "a" }], share: 0.5, nominal: { h100: 4 } }],
            /kueue\.teams\[0\]\.share: got 0\.5; expected either share \(a fraction of every flavor\) or nominal/,
        ));

    it("refuses a namespace in two teams", () =>
        refusal(
            [
                { name: "a", namespaces: [{ name: "shared" }], share: 0.5 },
                { name: "b", namespaces: [{ name: "shared" }], share: 0.5 },
            ],
            /kueue\.teams\[1\]\.namespaces\[0\]\.name: got "shared"; expected a namespace of no other team or queue \(kueue\.teams\[0\] has it\)/,
        ));

    it("refuses a team priority class that kueue.priorityClasses does not define", () =>
        refusal(
            [{ name: "a", namespaces: [{ name: "a" }], share: 1, priorityClasses: ["urgent"] }],
            /kueue\.teams\[0\]\.priorityClasses\[0\]: got "urgent"; expected a WorkloadPriorityClass of kueue\.priorityClasses \(training, inference, batch\)/,
        ));

    it("refuses team priority classes before OpenShift 4.17, which has no ValidatingAdmissionPolicy", () =>
        refusal(
            [{ name: "a", namespaces: [{ name: "a" }], share: 1, priorityClasses: ["batch"] }],
            /kueue\.teams\[0\]\.priorityClasses: got \["batch"\]; expected none on OpenShift 4\.16: they are enforced by a ValidatingAdmissionPolicy, GA from 4\.17/,
            { "cluster-capacity:cluster": { name: "test", infraId: "test-abcde", openshiftVersion: "4.16", region: "us-east-2" } },
        ));
});

describe("priority classes per team (kueue.teams[].priorityClasses)", () => {
    it("generates the WorkloadPriorityClasses and one admission policy per team that lists some, bound to deny", async () => {
        const run = await runProgram(teamsStack());
        assert.ifError(run.error);
        assert.deepStrictEqual(
            (rendered(run, "WorkloadPriorityClass") as any[]).map((p) => [p.metadata.name, p.value]),
            [
                ["training", 1000],
                ["inference", 500],
                ["batch", 100],
            ],
        );
        const policies = (rendered(run, "ValidatingAdmissionPolicy") as any[]).filter((p) => p.metadata.name.startsWith("kueue-team-"));
        assert.deepStrictEqual(
            policies.map((p) => p.metadata.name),
            ["kueue-team-research-priority-classes", "kueue-team-inference-priority-classes"],
        );
        const research = policies[0].spec;
        assert.deepStrictEqual(research.matchConstraints.namespaceSelector.matchExpressions[0].values, ["ml-research"]);
        assert.strictEqual(
            research.validations[0].expression,
            "object.metadata.labels['kueue.x-k8s.io/priority-class'] in ['training','batch']",
        );
        const bindings = (rendered(run, "ValidatingAdmissionPolicyBinding") as any[]).filter((b) =>
            b.metadata.name.startsWith("kueue-team-"),
        );
        assert.deepStrictEqual(
            bindings.map((b) => [b.spec.policyName, b.spec.validationActions]),
            policies.map((p) => [p.metadata.name, ["Deny"]]),
        );
    });
});

describe("ProvisioningRequest admission (kueue.provisioning)", () => {
    it("requires a ProvisioningRequest admission check on every team's ClusterQueue, for the accelerators", async () => {
        const run = await runProgram(provisioningStack());
        assert.ifError(run.error);
        const config = rendered(run, "ProvisioningRequestConfig")[0] as any;
        assert.deepStrictEqual(config.spec, {
            provisioningClassName: "best-effort-atomic-scale-up.autoscaling.x-k8s.io",
            managedResources: ["nvidia.com/gpu"],
        });
        const check = rendered(run, "AdmissionCheck")[0] as any;
        assert.deepStrictEqual(check.spec, {
            controllerName: "kueue.x-k8s.io/provisioning-request",
            parameters: { apiGroup: "kueue.x-k8s.io", kind: "ProvisioningRequestConfig", name: "gpu-provisioning" },
        });
        for (const queue of rendered(run, "ClusterQueue") as any[]) {
            assert.deepStrictEqual(queue.spec.admissionChecksStrategy, { admissionChecks: [{ name: "gpu-provisioning" }] });
        }
    });

    it("takes check-capacity when asked", async () => {
        const run = await runProgram(provisioningStack({ provisioningClass: "check-capacity.autoscaling.x-k8s.io" }));
        assert.ifError(run.error);
        assert.strictEqual(
            (rendered(run, "ProvisioningRequestConfig")[0] as any).spec.provisioningClassName,
            "check-capacity.autoscaling.x-k8s.io",
        );
    });

    it("refuses it on OpenShift, whose autoscaler serves ProvisioningRequests only in DevPreviewNoUpgrade", async () => {
        const run = await runProgram(teamsStack(undefined, { "cluster-capacity:kueue": { enabled: true, provisioning: true } }));
        assert.match(
            run.error?.message ?? "",
            /cluster-capacity:kueue\.provisioning: got true; expected false on OpenShift 4\.18: its cluster autoscaler serves ProvisioningRequests only from 4\.21 and only in the DevPreviewNoUpgrade feature set/,
        );
        assert.deepStrictEqual(run.resources, []);
    });
});
