import * as assert from "assert";
import { violationsOf } from "../support/policyHarness";
import { machineSet, resourceFlavor } from "../support/policyFixtures";

describe("policy kueue-flavor-selects-nodes", () => {
    const gpuToleration = { key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" };
    const sets = [machineSet({ name: "l4" }), machineSet({ name: "l4-b" })];

    it("passes a flavor selecting one pool's nodes and tolerating its taint", async () => {
        assert.deepStrictEqual(
            await violationsOf("kueue-flavor-selects-nodes", [
                ...sets,
                resourceFlavor("l4", { "cluster-capacity.io/pool": "l4" }, [gpuToleration]),
            ]),
            [],
        );
    });

    it("accepts an Exists toleration for the taint key", async () => {
        const flavor = resourceFlavor("l4", { "cluster-capacity.io/pool": "l4" }, [{ key: "nvidia.com/gpu", operator: "Exists" }]);
        assert.deepStrictEqual(await violationsOf("kueue-flavor-selects-nodes", [...sets, flavor]), []);
    });

    it("has nothing to compare with on a stack without MachineSets (plain Kubernetes)", async () => {
        assert.deepStrictEqual(
            await violationsOf("kueue-flavor-selects-nodes", [resourceFlavor("rtx", { "cluster-capacity.io/pool": "rtx" })]),
            [],
        );
    });

    it("fails a flavor whose node labels no MachineSet creates", async () => {
        const [message] = await violationsOf("kueue-flavor-selects-nodes", [
            ...sets,
            resourceFlavor("h100", { "cluster-capacity.io/pool": "h100" }, [gpuToleration]),
        ]);
        assert.match(message, /ResourceFlavor h100 selects nodes labelled .* which no MachineSet of this stack creates/);
    });

    it("fails a flavor that does not tolerate the selected nodes' taint", async () => {
        const [message] = await violationsOf("kueue-flavor-selects-nodes", [
            ...sets,
            resourceFlavor("l4", { "cluster-capacity.io/pool": "l4" }),
        ]);
        assert.match(message, /does not tolerate its taint\(s\) nvidia\.com\/gpu=true:NoSchedule/);
    });
});
