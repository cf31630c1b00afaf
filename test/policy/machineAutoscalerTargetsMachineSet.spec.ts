import * as assert from "assert";
import { violationsOf } from "../support/policyHarness";
import { edited, machineAutoscaler, machineSet } from "../support/policyFixtures";

describe("policy machineautoscaler-targets-machineset", () => {
    it("passes an autoscaler whose MachineSet is in the stack", async () => {
        assert.deepStrictEqual(
            await violationsOf("machineautoscaler-targets-machineset", [machineSet(), machineAutoscaler("test-abcde-l4-us-east-2a", 0, 2)]),
            [],
        );
    });

    it("fails an autoscaler targeting a MachineSet outside the stack", async () => {
        const [message] = await violationsOf("machineautoscaler-targets-machineset", [
            machineSet(),
            machineAutoscaler("test-abcde-worker-us-east-2a", 0, 2),
        ]);
        assert.match(message, /targets MachineSet test-abcde-worker-us-east-2a, which is not a MachineSet of this stack/);
    });

    it("fails an autoscaler targeting another kind", async () => {
        const autoscaler = edited(machineAutoscaler("test-abcde-l4-us-east-2a", 0, 2), (p) => (p.spec.scaleTargetRef.kind = "MachinePool"));
        assert.strictEqual((await violationsOf("machineautoscaler-targets-machineset", [machineSet(), autoscaler])).length, 1);
    });
});
