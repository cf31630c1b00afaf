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

    it("passes a Neuron MachineSet whose only taint is PreferNoSchedule", async () => {
        const violations = await violationsOf("accelerator-nodes-tainted", [
            machineSet({ instanceType: "inf2.xlarge", taints: [{ key: "aws.amazon.com/neuron", effect: "PreferNoSchedule" }] }),
        ]);
        assert.deepStrictEqual(violations, []);
    });

    it("fails a Neuron MachineSet tainted NoSchedule, which would keep the Neuron driver off its nodes", async () => {
        const [message] = await violationsOf("accelerator-nodes-tainted", [
            machineSet({ instanceType: "trn1.2xlarge", taints: [{ key: "aws.amazon.com/neuron", value: "true", effect: "NoSchedule" }] }),
        ]);
        assert.match(message, /trn1\.2xlarge nodes tainted aws\.amazon\.com\/neuron:NoSchedule: the AWS Neuron operator's driver/);
    });

    it("leaves CPU MachineSets alone", async () => {
        assert.deepStrictEqual(
            await violationsOf("accelerator-nodes-tainted", [machineSet({ instanceType: "m6i.xlarge", taints: [] })]),
            [],
        );
    });
});
