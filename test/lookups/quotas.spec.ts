import * as assert from "assert";
import { lookupQuotas, quotaUses, unknownQuotaGroups } from "../../lib/lookups/quotas";
import type { ServiceQuotaUsageMetric } from "../../lib/lookups/awsClient";
import { capacityConfig, denied, fakeAws } from "../support/fakeAws";
import { gpuPool, offlineStack, reservedStack } from "../support/scenarios";

const G_ON_DEMAND = "L-DB2E81BA";
const G_SPOT = "L-3819A6DF";
const METRIC: ServiceQuotaUsageMetric = {
    metricName: "ResourceCount",
    metricNamespace: "AWS/Usage",
    metricDimensions: [{ class: "Standard/OnDemand", resource: "vCPU", service: "EC2", type: "Resource" }],
};
const autoscaled = { autoscaling: { minReplicas: 0, maxReplicas: 2 } };

describe("lookups: quotas", () => {
    it("counts a spot pool with an on-demand fallback against both of its type's quotas", () => {
        const config = capacityConfig(offlineStack({}, [gpuPool("s", { market: "spot", onDemandFallback: true, ...autoscaled })]));
        assert.deepStrictEqual(
            [...quotaUses(config)],
            [
                [G_SPOT, 0],
                [G_ON_DEMAND, 0],
            ],
        );
    });

    it("counts a pool of reservations alone against no quota, and points each code at its first pool", () => {
        // p5 and g6e launch only into their reservations; g6 (spot, pools[2]) has zones of its own.
        assert.deepStrictEqual([...quotaUses(capacityConfig(reservedStack()))], [[G_SPOT, 2]]);
    });

    it("counts nothing against EC2 quotas on plain Kubernetes", () => {
        const config = capacityConfig(
            offlineStack(
                { "cluster-capacity:cluster": { name: "k", platform: "kubernetes", region: "us-east-2" }, "cluster-capacity:network": {} },
                [gpuPool("l4")],
            ),
        );
        assert.deepStrictEqual([...quotaUses(config)], []);
        assert.deepStrictEqual(unknownQuotaGroups(config), []);
    });

    it("refuses a type in no EC2 quota group the contract knows", () => {
        const [refused] = unknownQuotaGroups(capacityConfig(offlineStack({}, [gpuPool("x", { instanceType: "x2idn.16xlarge" })])));
        assert.strictEqual(refused.path, "cluster-capacity:pools[0].instanceType");
        assert.match(refused.expected, /a known EC2 quota group/);
    });

    it("offline, reads each limit from quotas and refuses a code it lacks", async () => {
        const config = capacityConfig(
            offlineStack({ "cluster-capacity:quotas": { [G_ON_DEMAND]: 64 } }, [gpuPool("a"), gpuPool("s", { market: "spot" })]),
        );
        const { limits, problems } = await lookupQuotas(config, undefined);
        assert.deepStrictEqual(limits, { [G_ON_DEMAND]: 64 });
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.expected]),
            [
                [
                    `cluster-capacity:quotas["${G_SPOT}"]`,
                    `a vCPU limit for ${G_SPOT}, used by pools[1] (offline lookups read quotas from config)`,
                ],
            ],
        );
    });

    it("with aws lookups, takes the lower of AWS's value and a cap in config, and keeps AWS's value and usage metric", async () => {
        const aws = fakeAws({ serviceQuota: () => Promise.resolve({ value: 512, usageMetrics: [METRIC] }) });
        const config = capacityConfig(
            offlineStack({ "cluster-capacity:lookups": "aws", "cluster-capacity:quotas": { [G_ON_DEMAND]: 128 } }),
        );
        const answer = await lookupQuotas(config, aws);
        assert.deepStrictEqual(answer.limits, { [G_ON_DEMAND]: 128 });
        assert.deepStrictEqual(answer.awsValues, { [G_ON_DEMAND]: 512 });
        assert.deepStrictEqual(answer.usageMetrics.get(G_ON_DEMAND), METRIC);
        assert.deepStrictEqual(aws.calls, [`serviceQuota("${G_ON_DEMAND}")`]);
    });

    it("stops on a quota Service Quotas gives no value for, unless config knows the limit", async () => {
        const aws = fakeAws({ serviceQuota: () => Promise.resolve({}) });
        const bare = await lookupQuotas(
            capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws", "cluster-capacity:quotas": {} })),
            aws,
        );
        assert.deepStrictEqual(bare.limits, {});
        assert.match(bare.problems[0].expected, /Service Quotas returned none; set quotas\.L-DB2E81BA to the limit you know/);
        const capped = await lookupQuotas(
            capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws", "cluster-capacity:quotas": { [G_ON_DEMAND]: 32 } })),
            aws,
        );
        assert.deepStrictEqual([capped.limits, capped.problems], [{ [G_ON_DEMAND]: 32 }, []]);
    });

    it("turns a denied GetServiceQuota into a problem at the pool's type naming the action", async () => {
        const aws = fakeAws({ serviceQuota: () => Promise.reject(denied("servicequotas:GetServiceQuota")) });
        const { problems } = await lookupQuotas(capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws" })), aws);
        assert.strictEqual(problems[0].path, "cluster-capacity:pools[0].instanceType");
        assert.match(problems[0].expected, /quota L-DB2E81BA can be read in us-east-2 \(servicequotas:GetServiceQuota was denied/);
    });
});
