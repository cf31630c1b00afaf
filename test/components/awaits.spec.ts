import * as assert from "assert";
import { runProgram } from "../support/harness";
import { SCENARIOS, offlineStack } from "../support/scenarios";

/** Kinds the Kubernetes provider waits for (pulumi-kubernetes provider/pkg/await/awaiters.go) unless told to skip. */
const AWAITED_WORKLOADS = new Set(["Job", "DaemonSet", "Deployment", "StatefulSet", "Pod"]);

describe("what `pulumi up` waits for (components/awaits.ts)", () => {
    for (const [what, config, aws] of SCENARIOS) {
        it(`${what}: no workload holds the update, and every Subscription's wait is bounded`, async () => {
            const run = await runProgram(config, aws);
            assert.ifError(run.error);
            for (const resource of run.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
                const object = resource.inputs as { kind?: string; metadata?: { name?: string; annotations?: Record<string, string> } };
                const annotations = object.metadata?.annotations ?? {};
                if (AWAITED_WORKLOADS.has(object.kind ?? "")) {
                    assert.strictEqual(annotations["pulumi.com/skipAwait"], "true", `${object.kind} ${object.metadata?.name}`);
                }
                if (object.kind === "Subscription") {
                    assert.match(annotations["pulumi.com/waitFor"], /^jsonpath=\{\.status\.installedCSV\}/, object.metadata?.name);
                    assert.deepStrictEqual(resource.customTimeouts, { create: "30m", update: "30m", delete: "" }, object.metadata?.name);
                }
            }
        });
    }

    it("waits for an operator install as long as operatorInstallTimeout says", async () => {
        const run = await runProgram(
            offlineStack({
                "cluster-capacity:gpuOperator": { enabled: true, version: "25.3.1" },
                "cluster-capacity:operatorInstallTimeout": "2h",
            }),
        );
        assert.ifError(run.error);
        const subscriptions = run.resources.filter((r) => (r.inputs as { kind?: string }).kind === "Subscription");
        assert.ok(subscriptions.length >= 1);
        for (const s of subscriptions) assert.deepStrictEqual(s.customTimeouts, { create: "2h", update: "2h", delete: "" });
    });

    it("refuses an operatorInstallTimeout that is not a duration, naming the key", async () => {
        const run = await runProgram(offlineStack({ "cluster-capacity:operatorInstallTimeout": "thirty minutes" }));
        assert.match(String(run.error?.message), /cluster-capacity:operatorInstallTimeout/);
        assert.match(String(run.error?.message), /a duration such as 30m/);
        assert.deepStrictEqual(run.resources, []);
    });
});
