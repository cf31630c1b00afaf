import * as assert from "assert";
import { reservationProblem, unknownConfigKeys, usageNowProblem } from "../../policy/policies/poolWithinQuota";
import type { QuotaCheck } from "../../policy/lib/quota";

/** A quota of `limit` vCPUs, as checkQuotas returns it for a demand within it. */
const quota = (limit: number): QuotaCheck => ({
    code: "L-DB2E81BA",
    name: "Running On-Demand G and VT instances",
    demand: 0,
    contributions: [],
    limit,
    headroom: limit,
    exceeded: false,
});

describe("pool-within-quota, step by step", () => {
    describe("unknownConfigKeys", () => {
        it("names the keys the pack does not know, in the config's order", () => {
            assert.deepStrictEqual(unknownConfigKeys({ quota: {}, quotas: {}, region: "us-east-2", lookup: "aws" }), ["quota", "lookup"]);
        });

        it("knows enforcementLevel, which the CLI adds to every policy's config", () => {
            assert.deepStrictEqual(unknownConfigKeys({ enforcementLevel: "mandatory", lookups: "config", capacityReservations: {} }), []);
        });
    });

    describe("reservationProblem", () => {
        const demand = { names: ["ms-a", "ms-b"], machines: 3 };

        it("passes MachineSets that fill their reservation exactly", () => {
            assert.strictEqual(reservationProblem("cr-1", demand, 3), undefined);
        });

        it("refuses more machines than the reservation holds, naming the MachineSets, the id and both numbers", () => {
            assert.strictEqual(
                reservationProblem("cr-1", demand, 2),
                "MachineSet(s) ms-a, ms-b can have 3 machine(s) in capacity reservation cr-1, which holds 2: the rest would fail to launch.",
            );
        });

        it("refuses a reservation of unknown size, naming the policy config key that would give it", () => {
            assert.match(
                reservationProblem("cr-1", demand, undefined) ?? "",
                /whose size is unknown: set capacityReservations\.cr-1 in the policy config/,
            );
        });
    });

    describe("usageNowProblem", () => {
        it("passes a desired size that fits the limit minus what is used outside the stack", () => {
            assert.strictEqual(usageNowProblem(quota(64), 48, 16, 0), undefined);
        });

        it("does not count the stack's own running machines as used outside it", () => {
            assert.strictEqual(usageNowProblem(quota(64), 64, 40, 40), undefined);
        });

        it("refuses a desired size past what is free now, naming the limit, the usage outside and what is left", () => {
            assert.strictEqual(
                usageNowProblem(quota(64), 48, 24, 0),
                'L-DB2E81BA "Running On-Demand G and VT instances": the MachineSets\' desired size needs 48 vCPUs, but of its 64 vCPUs 24 are in use outside this stack, leaving 40. Machines would stay in Provisioning.',
            );
        });

        it("counts no negative usage outside when the stack's machines are more than the metric says", () => {
            assert.match(usageNowProblem(quota(8), 16, 4, 12) ?? "", /0 are in use outside this stack, leaving 8\./);
        });

        it("passes a stack that wants no machines now, however full the quota is", () => {
            assert.strictEqual(usageNowProblem(quota(8), 0, 100, 0), undefined);
        });
    });
});
