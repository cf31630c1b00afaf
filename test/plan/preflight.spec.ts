import * as assert from "assert";
import { runProgram } from "../support/harness";
import { gpuPool, offlineStack, PROD_AWS } from "../support/scenarios";
import { violationsOf } from "../support/policyHarness";

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

describe("quota increase requests (quotas.requestIncrease)", () => {
    const online = (quotas: Record<string, unknown>) =>
        offlineStack(
            {
                "cluster-capacity:lookups": "aws",
                "cluster-capacity:ami": { namePattern: "rhcos-418.94.*-x86_64" },
                "cluster-capacity:quotas": quotas,
            },
            [
                gpuPool("l4", {
                    instanceType: "g6.12xlarge",
                    zones: ["us-east-2a", "us-east-2b"],
                    autoscaling: { minReplicas: 0, maxReplicas: 2 },
                }),
            ],
        );
    const aws = { ...PROD_AWS, quotas: { "L-DB2E81BA": 64 } };

    it("requests the pools' maximum for each exceeded quota and still registers no cluster object", async () => {
        const run = await runProgram(online({ requestIncrease: true }), aws);
        assert.ifError(run.error);
        const requests = run.resources.filter((r) => r.type === "aws:servicequotas/serviceQuota:ServiceQuota");
        assert.deepStrictEqual(
            requests.map((r) => r.inputs),
            [{ serviceCode: "ec2", quotaCode: "L-DB2E81BA", value: 48 * 4 }],
        );
        assert.ok(!run.resources.some((r) => r.type.startsWith("kubernetes:")), "no MachineSet until the quota is granted");
        assert.strictEqual(run.errors.length, 1);
        assert.match(
            run.errors[0],
            /quota pre-flight failed[\s\S]*Increases of L-DB2E81BA \(this stack.s maximum, 192 vCPUs, plus what is in use outside it\) were requested/,
        );
    });

    it("requests nothing when it is the config's own cap that the pools exceed, and says to raise it", async () => {
        const run = await runProgram(online({ requestIncrease: true, "L-DB2E81BA": 64 }), { ...aws, quotas: { "L-DB2E81BA": 512 } });
        assert.match(String(run.error), /a value in cluster-capacity:quotas is a cap of your own: raise it too/);
        assert.ok(!run.resources.some((r) => r.type === "aws:servicequotas/serviceQuota:ServiceQuota"));
    });

    it("requests nothing when the pools fit", async () => {
        const run = await runProgram(online({ requestIncrease: true }), { ...aws, quotas: { "L-DB2E81BA": 512 } });
        assert.ifError(run.error);
        assert.ok(!run.resources.some((r) => r.type === "aws:servicequotas/serviceQuota:ServiceQuota"));
        assert.deepStrictEqual(run.errors, []);
    });

    it("blocks without requesting when requestIncrease is off, and says how to request", async () => {
        const run = await runProgram(online({}), aws);
        assert.match(String(run.error), /or quotas\.requestIncrease: true\) first/);
        assert.deepStrictEqual(run.resources, []);
    });

    it("refuses requestIncrease with offline lookups", async () => {
        const run = await runProgram(offlineStack({ "cluster-capacity:quotas": { "L-DB2E81BA": 64, requestIncrease: true } }));
        assert.match(String(run.error), /quotas\.requestIncrease: got true; expected false with offline lookups/);
    });
});

/**
 * The pre-flight is the quota guard of a run without `--policy-pack`: whatever pool-within-quota
 * would refuse over the rendered objects, the program must already have refused.
 */
describe("quota pre-flight agrees with pool-within-quota", () => {
    const quotas = { "L-DB2E81BA": 64, "L-3819A6DF": 16, "L-417A185B": 192, "L-1945791B": 32 };
    const cases: [string, Record<string, unknown>[]][] = [
        ["fills a quota exactly", [gpuPool("l4", { replicas: 4 })]],
        ["exceeds a quota by one machine", [gpuPool("l4", { replicas: 5 })]],
        ["exceeds through the autoscaler maximum", [gpuPool("l4", { autoscaling: { minReplicas: 0, maxReplicas: 5 } })]],
        ["exceeds across zones", [gpuPool("l4", { zones: ["us-east-2a", "us-east-2b"], autoscaling: { minReplicas: 0, maxReplicas: 3 } })]],
        ["exceeds across pools of one code", [gpuPool("a", { replicas: 2 }), gpuPool("b", { instanceType: "g6.12xlarge", replicas: 1 })]],
        ["exceeds a spot quota only", [gpuPool("s", { instanceType: "g6.xlarge", market: "spot", replicas: 5 })]],
        [
            "fits spot and on-demand apart",
            [gpuPool("s", { instanceType: "g6.xlarge", market: "spot", replicas: 4 }), gpuPool("l4", { replicas: 4 })],
        ],
        ["exceeds the P quota", [gpuPool("p", { instanceType: "p4d.24xlarge", replicas: 3, zones: ["us-east-2a"] })]],
        ["retires a pool past the quota", [gpuPool("old", { replicas: 9, retired: true }), gpuPool("l4", { replicas: 4 })]],
        ["has a type with no quota value", [gpuPool("dl", { instanceType: "dl1.24xlarge", accelerator: "nvidia", replicas: 1 })]],
    ];
    for (const [title, pools] of cases) {
        it(`stops a run whenever the pack would: a stack that ${title}`, async () => {
            const run = await runProgram(offlineStack({ "cluster-capacity:quotas": quotas }, pools));
            if (run.error) {
                assert.deepStrictEqual(run.resources, []);
                return;
            }
            assert.deepStrictEqual(await violationsOf("pool-within-quota", run.resources, { quotas }), []);
        });
    }

    it("lets through, among those, exactly the stacks that fit", async () => {
        const passed: string[] = [];
        for (const [title, pools] of cases) {
            if (!(await runProgram(offlineStack({ "cluster-capacity:quotas": quotas }, pools))).error) passed.push(title);
        }
        assert.deepStrictEqual(passed, ["fills a quota exactly", "fits spot and on-demand apart", "retires a pool past the quota"]);
    });
});
