import * as assert from "assert";
import { runProgram, ProgramRun } from "../support/harness";
import { TOKENS } from "../support/aws";
import { offlineStack, PROD_AWS, stackFixture } from "../support/scenarios";
import { onDemandHourlyUsd } from "../../lib/lookups/prices";

describe("capacity and cost report", () => {
    let prod: ProgramRun;
    before(async () => {
        prod = await runProgram(stackFixture("prod"), PROD_AWS);
        assert.ifError(prod.error);
    });

    it("prices On-Demand pools from the AWS Price List through a us-east-1 provider", () => {
        const pricing = prod.resources.find((r) => r.type === "pulumi:providers:aws");
        assert.ok(pricing, "no pricing provider");
        assert.strictEqual(pricing.inputs.region, "us-east-1");
        const product = prod.invokes.find((i) => i.token === TOKENS.product);
        assert.match(product?.provider ?? "", /pulumi:providers:aws::aws-pricing::/);
        assert.deepStrictEqual(
            (product?.inputs.filters as { field: string; value: string }[]).find((f) => f.field === "regionCode"),
            { field: "regionCode", value: "us-east-1" },
        );
    });

    it("prices spot pools from the latest spot price in the cluster's region", () => {
        const spot = prod.invokes.find((i) => i.token === TOKENS.spotPrice);
        assert.deepStrictEqual(spot?.inputs, {
            instanceType: "g6.xlarge",
            region: "us-east-1",
            filters: [{ name: "product-description", values: ["Linux/UNIX"] }],
        });
    });

    it("reports per pool the maximum nodes, GPUs, vCPUs and hourly and monthly cost, with each price's source", () => {
        const cost = (prod.outputs as any).cost;
        assert.deepStrictEqual(cost.pools["l4-quad"], {
            instanceType: "g6.12xlarge",
            market: "on-demand",
            maxNodes: 4,
            maxGpus: 16,
            maxVcpus: 192,
            pricePerNodeHourUsd: 4.6016,
            priceSource: "aws-pricing",
            maxHourlyUsd: 18.41,
            maxMonthlyUsd: 13436.67,
        });
        assert.strictEqual(cost.pools["l4-spot-starter"].priceSource, "aws-spot-price");
        assert.strictEqual(cost.pools["l4-spot-starter"].maxHourlyUsd, 1.05);
        assert.strictEqual(cost.complete, true);
        assert.strictEqual(cost.totalMaxHourlyUsd, Math.round((1.3232 * 6 + 4.6016 * 4 + 0.3507 * 3) * 100) / 100);
    });

    it("prints the summary after the plan: pools, quota headroom and the total", () => {
        const summary = prod.logs.find((l) => l.startsWith("Capacity and cost at maximum size"));
        assert.ok(summary, `no summary in ${JSON.stringify(prod.logs)}`);
        assert.match(summary, /l4-quad\s+g6\.12xlarge\s+on-demand\s+4\s+16\s+192\s+\$4\.6016\s+aws-pricing\s+\$18\.41\s+\$13436\.67/);
        assert.match(summary, /L-DB2E81BA \(Running On-Demand G and VT instances\): limit 384 vCPUs, demand 288, headroom 96/);
        assert.match(summary, /Total at maximum size: \$\d+\.\d\d\/hour/);
    });

    it("uses the prices of the stack config offline, making no AWS call", async () => {
        const dev = await runProgram(stackFixture("dev"));
        assert.deepStrictEqual(dev.invokes, []);
        const cost = (dev.outputs as any).cost;
        assert.deepStrictEqual(
            Object.values(cost.pools).map((p: any) => p.priceSource),
            ["config", "config", "config"],
        );
        assert.strictEqual(cost.pools["starter-spot"].maxMonthlyUsd, Math.round(0.3507 * 2 * 730 * 100) / 100);
    });

    it("reports a price it cannot get as unknown without failing the run", async () => {
        const run = await runProgram(offlineStack());
        assert.ifError(run.error);
        const cost = (run.outputs as any).cost;
        assert.deepStrictEqual([cost.pools.l4.priceSource, cost.pools.l4.maxHourlyUsd, cost.complete], ["unknown", null, false]);
        const withoutPrices = await runProgram(stackFixture("prod"), { ...PROD_AWS, onDemandPrices: {}, spotPrices: {} });
        assert.ifError(withoutPrices.error);
        assert.strictEqual((withoutPrices.outputs as any).cost.pools["l4-quad"].priceSource, "unknown");
    });

    it("lets a configured price win over AWS's", async () => {
        const run = await runProgram(
            { ...stackFixture("prod"), "cluster-capacity:prices": { "g6.12xlarge": { onDemandHourlyUsd: 3.1 } } },
            PROD_AWS,
        );
        assert.deepStrictEqual(
            [(run.outputs as any).cost.pools["l4-quad"].pricePerNodeHourUsd, (run.outputs as any).cost.pools["l4-quad"].priceSource],
            [3.1, "config"],
        );
    });

    it("reads the hourly On-Demand price out of a Price List product", () => {
        const product = { terms: { OnDemand: { x: { priceDimensions: { y: { unit: "Hrs", pricePerUnit: { USD: "1.3232000000" } } } } } } };
        assert.strictEqual(onDemandHourlyUsd(JSON.stringify(product)), 1.3232);
        assert.strictEqual(onDemandHourlyUsd(JSON.stringify({ terms: {} })), undefined);
    });
});
