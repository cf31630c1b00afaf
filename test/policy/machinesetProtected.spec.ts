import * as assert from "assert";
import { violationsOf } from "../support/policyHarness";
import { machineAutoscaler, machineSet } from "../support/policyFixtures";

describe("policy machineset-protected", () => {
    it("passes a protected MachineSet", async () => {
        assert.deepStrictEqual(await violationsOf("machineset-protected", [machineSet()]), []);
    });

    it("fails an unprotected MachineSet, saying why and how to retire a pool on purpose", async () => {
        const [message, ...rest] = await violationsOf("machineset-protected", [machineSet({}, { protect: false })]);
        assert.deepStrictEqual(rest, []);
        assert.match(message, /MachineSet l4-us-east-2a is not protected/);
        assert.match(message, /deletes its Machines, and with them the nodes under running jobs/);
        assert.match(message, /retired: true.*pulumi state unprotect/s);
    });

    it("ignores resources that are not MachineSets", async () => {
        assert.deepStrictEqual(await violationsOf("machineset-protected", [machineAutoscaler("x", 0, 1)]), []);
    });
});
