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

    it("fails a negative maxReplicas", async () => {
        const [message] = await violationsOf("machineautoscaler-targets-machineset", [
            machineSet(),
            machineAutoscaler("test-abcde-l4-us-east-2a", 0, -100),
        ]);
        assert.match(message, /minReplicas 0 and maxReplicas -100: both must be whole numbers with 0 ≤ minReplicas ≤ maxReplicas/);
    });

    it("fails a minReplicas above maxReplicas", async () => {
        const violations = await violationsOf("machineautoscaler-targets-machineset", [
            machineSet(),
            machineAutoscaler("test-abcde-l4-us-east-2a", 3, 2),
        ]);
        assert.strictEqual(violations.length, 1);
    });

    it("fails two autoscalers targeting one MachineSet, naming both", async () => {
        const second = machineAutoscaler("test-abcde-l4-us-east-2a", 0, 5);
        second.name = "second-autoscaler";
        const [message] = await violationsOf("machineautoscaler-targets-machineset", [
            machineSet(),
            machineAutoscaler("test-abcde-l4-us-east-2a", 0, 2),
            second,
        ]);
        assert.match(
            message,
            /MachineSet test-abcde-l4-us-east-2a is targeted by 2 MachineAutoscalers \(test-abcde-l4-us-east-2a-autoscaler, second-autoscaler\)/,
        );
    });
});
