import * as assert from "assert";
import { violationsOf } from "../support/policyHarness";
import { clusterAutoscaler, machineSet } from "../support/policyFixtures";

describe("policy cluster-autoscaler-gpu-types", () => {
    const sets = [machineSet({ name: "l4" }), machineSet({ name: "l4-quad", instanceType: "g6.12xlarge" })];

    it("passes when the GPU types are exactly the accelerator labels", async () => {
        assert.deepStrictEqual(await violationsOf("cluster-autoscaler-gpu-types", [...sets, clusterAutoscaler(["l4", "l4-quad"])]), []);
    });

    it("fails a missing GPU type", async () => {
        const [message] = await violationsOf("cluster-autoscaler-gpu-types", [...sets, clusterAutoscaler(["l4"])]);
        assert.match(message, /no resourceLimits\.gpus entry for accelerator label\(s\) l4-quad/);
    });

    it("fails a GPU type no MachineSet carries", async () => {
        const [message] = await violationsOf("cluster-autoscaler-gpu-types", [...sets, clusterAutoscaler(["l4", "l4-quad", "a100"])]);
        assert.match(message, /limits GPU type\(s\) a100 that no MachineSet labels/);
    });

    it("needs no GPU type for a MachineSet that can have no machines (a retired pool)", async () => {
        const retired = machineSet({ name: "old", replicas: 0 });
        assert.deepStrictEqual(
            await violationsOf("cluster-autoscaler-gpu-types", [...sets, retired, clusterAutoscaler(["l4", "l4-quad"])]),
            [],
        );
    });

    it("has nothing to check without a ClusterAutoscaler", async () => {
        assert.deepStrictEqual(await violationsOf("cluster-autoscaler-gpu-types", sets), []);
    });
});
