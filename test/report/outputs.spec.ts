import * as assert from "assert";
import { quotaReport } from "../../lib/report/outputs";
import type { CapacityPlan } from "../../lib/plan";

const check: CapacityPlan["quotas"][number] = {
    code: "L-DB2E81BA",
    name: "Running On-Demand G and VT instances",
    demand: 48,
    contributions: [],
    limit: 64,
    headroom: 16,
    exceeded: false,
};

describe("the stack outputs (lib/report/outputs.ts)", () => {
    describe("quotaReport", () => {
        it("reports the headroom now as the free vCPUs less the stack's maximum", () => {
            const report = quotaReport(check, { code: check.code, limit: 64, usedOutside: 8, desired: 16, maximum: 48, freeNow: 56 });
            assert.deepStrictEqual(report, {
                name: "Running On-Demand G and VT instances",
                limit: 64,
                demand: 48,
                headroom: 16,
                usedOutside: 8,
                desired: 16,
                headroomNow: 8,
            });
        });

        it("reports unknown usage as null, not as zero, and no desired size as 0", () => {
            const report = quotaReport({ ...check, limit: undefined, headroom: undefined }, undefined);
            assert.deepStrictEqual(
                [report.limit, report.headroom, report.usedOutside, report.headroomNow, report.desired],
                [null, null, null, null, 0],
            );
        });
    });
});
