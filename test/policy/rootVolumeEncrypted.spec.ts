import * as assert from "assert";
import { violationsOf } from "../support/policyHarness";
import { edited, machineSet } from "../support/policyFixtures";

describe("policy root-volume-encrypted", () => {
    it("passes encrypted volumes", async () => {
        assert.deepStrictEqual(await violationsOf("root-volume-encrypted", [machineSet()]), []);
    });

    it("fails an unencrypted volume", async () => {
        const ms = edited(machineSet(), (p) => (p.spec.template.spec.providerSpec.value.blockDevices[0].ebs.encrypted = false));
        assert.match((await violationsOf("root-volume-encrypted", [ms]))[0], /without encrypted: true/);
    });

    it("fails a MachineSet that leaves the root volume to the AMI", async () => {
        const ms = edited(machineSet(), (p) => delete p.spec.template.spec.providerSpec.value.blockDevices);
        assert.match((await violationsOf("root-volume-encrypted", [ms]))[0], /declares no blockDevices/);
    });
});
