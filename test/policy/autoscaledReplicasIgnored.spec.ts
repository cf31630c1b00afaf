import * as assert from "assert";
import { violationsOf } from "../support/policyHarness";
import { machineAutoscaler, machineSet } from "../support/policyFixtures";

describe("policy autoscaled-replicas-ignored", () => {
    const target = "test-abcde-l4-us-east-2a";

    it("passes an autoscaled MachineSet that ignores spec.replicas", async () => {
        assert.deepStrictEqual(
            await violationsOf("autoscaled-replicas-ignored", [
                machineSet({}, { ignoreChanges: ["spec.replicas"] }),
                machineAutoscaler(target, 0, 2),
            ]),
            [],
        );
    });

    it("fails an autoscaled MachineSet that would reset spec.replicas on every up", async () => {
        const [message] = await violationsOf("autoscaled-replicas-ignored", [machineSet(), machineAutoscaler(target, 0, 2)]);
        assert.match(message, /is autoscaled but does not ignore spec\.replicas/);
    });

    it("does not ask a fixed-size MachineSet to ignore spec.replicas", async () => {
        assert.deepStrictEqual(await violationsOf("autoscaled-replicas-ignored", [machineSet()]), []);
    });
});
