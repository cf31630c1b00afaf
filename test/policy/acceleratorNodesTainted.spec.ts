import * as assert from "assert";
import { violationsOf } from "../support/policyHarness";
import { machineSet } from "../support/policyFixtures";

describe("policy accelerator-nodes-tainted", () => {
    it("passes a GPU MachineSet tainted NoSchedule", async () => {
        assert.deepStrictEqual(await violationsOf("accelerator-nodes-tainted", [machineSet()]), []);
    });

    it("fails a GPU MachineSet without taints", async () => {
        const [message] = await violationsOf("accelerator-nodes-tainted", [machineSet({ taints: [] })]);
        assert.match(message, /runs g6\.4xlarge nodes without a NoSchedule or NoExecute taint/);
    });

    it("fails a Neuron MachineSet whose only taint is PreferNoSchedule", async () => {
        const [message] = await violationsOf("accelerator-nodes-tainted", [
            machineSet({ instanceType: "inf2.xlarge", taints: [{ key: "aws.amazon.com/neuron", effect: "PreferNoSchedule" }] }),
        ]);
        assert.match(message, /inf2\.xlarge/);
    });

    it("leaves CPU MachineSets alone", async () => {
        assert.deepStrictEqual(
            await violationsOf("accelerator-nodes-tainted", [machineSet({ instanceType: "m6i.xlarge", taints: [] })]),
            [],
        );
    });
});
