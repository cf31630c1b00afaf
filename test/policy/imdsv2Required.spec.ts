import * as assert from "assert";
import { violationsOf } from "../support/policyHarness";
import { edited, machineSet } from "../support/policyFixtures";

describe("policy imdsv2-required", () => {
    it("passes a MachineSet requiring IMDSv2", async () => {
        assert.deepStrictEqual(await violationsOf("imdsv2-required", [machineSet()]), []);
    });

    it("fails a MachineSet with optional IMDS authentication", async () => {
        const ms = edited(
            machineSet(),
            (p) => (p.spec.template.spec.providerSpec.value.metadataServiceOptions = { authentication: "Optional" }),
        );
        const [message] = await violationsOf("imdsv2-required", [ms]);
        assert.match(message, /allows IMDSv1/);
    });

    it("fails a MachineSet that does not say", async () => {
        const ms = edited(machineSet(), (p) => delete p.spec.template.spec.providerSpec.value.metadataServiceOptions);
        assert.strictEqual((await violationsOf("imdsv2-required", [ms])).length, 1);
    });
});
