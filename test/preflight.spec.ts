import * as assert from "assert";
import { runProgram } from "./support/harness";
import { gpuPool, offlineStack } from "./support/scenarios";

const spotStack = (instanceType: string, extra: Record<string, unknown> = {}) =>
    offlineStack({ "cluster-capacity:quotas": { "L-3819A6DF": 4, "L-DB2E81BA": 64 } }, [
        gpuPool("spot", { instanceType, market: "spot", autoscaling: { minReplicas: 0, maxReplicas: 1 }, ...extra }),
    ]);

describe("quota pre-flight", () => {
    it("stops a g5.2xlarge spot pool of at most one machine against L-3819A6DF = 4, registering nothing", async () => {
        const run = await runProgram(spotStack("g5.2xlarge"));
        assert.ok(run.error, "expected the pre-flight to fail");
        assert.match(run.error.message, /quota pre-flight failed/);
        assert.match(
            run.error.message,
            /L-3819A6DF "All G and VT Spot Instance Requests": maximum demand 8 vCPUs exceeds the quota of 4 vCPUs/,
        );
        assert.match(run.error.message, /pool spot: g5\.2xlarge \(8 vCPUs\) × 1 machine\(s\) = 8 vCPUs/);
        assert.deepStrictEqual(run.resources, []);
    });

    it("lets a g5.xlarge spot pool of at most one machine fill L-3819A6DF = 4 exactly", async () => {
        const run = await runProgram(spotStack("g5.xlarge"));
        assert.ifError(run.error);
        const quotas = run.outputs?.quotas as Record<string, { demand: number; headroom: number }>;
        assert.deepStrictEqual([quotas["L-3819A6DF"].demand, quotas["L-3819A6DF"].headroom], [4, 0]);
    });

    it("counts the autoscaler maximum in every zone, and lists each pool's contribution", async () => {
        const config = offlineStack({ "cluster-capacity:quotas": { "L-DB2E81BA": 100 } }, [
            gpuPool("small", { zones: ["us-east-2a", "us-east-2b", "us-east-2c"], autoscaling: { minReplicas: 0, maxReplicas: 2 } }),
            gpuPool("quad", { instanceType: "g6.12xlarge", replicas: 1 }),
        ]);
        const run = await runProgram(config);
        assert.ok(run.error);
        assert.match(run.error.message, /maximum demand 144 vCPUs exceeds the quota of 100 vCPUs by 44/);
        assert.match(run.error.message, /pool small: g6\.4xlarge \(16 vCPUs\) × 6 machine\(s\) = 96 vCPUs/);
        assert.match(run.error.message, /pool quad: g6\.12xlarge \(48 vCPUs\) × 1 machine\(s\) = 48 vCPUs/);
    });

    it("uses the lower of the AWS quota and the configured cap", async () => {
        const config = offlineStack(
            {
                "cluster-capacity:lookups": "aws",
                "cluster-capacity:quotas": { "L-DB2E81BA": 16 },
                "cluster-capacity:ami": { id: "ami-0123456789abcdef0" },
            },
            [gpuPool("l4", { replicas: 2 })],
        );
        const run = await runProgram(config, { quotas: { "L-DB2E81BA": 1000 } });
        assert.match(run.error?.message ?? "", /maximum demand 32 vCPUs exceeds the quota of 16 vCPUs/);
    });
});
