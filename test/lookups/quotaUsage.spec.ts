import * as assert from "assert";
import type { Instance, _InstanceType } from "@aws-sdk/client-ec2";
import { lookupUsedOutside, ownVcpus } from "../../lib/lookups/quotaUsage";
import type { ServiceQuotaUsageMetric } from "../../lib/lookups/awsClient";
import { capacityConfig, denied, fakeAws } from "../support/fakeAws";
import { gpuPool, offlineStack } from "../support/scenarios";

const G_ON_DEMAND = "L-DB2E81BA";
const METRIC: ServiceQuotaUsageMetric = {
    metricName: "ResourceCount",
    metricNamespace: "AWS/Usage",
    metricDimensions: [{ class: "G/OnDemand", resource: "vCPU", service: "EC2", type: "Resource" }],
};
const machine = (name: string, type = "g6.4xlarge", lifecycle?: "spot"): Instance => ({
    InstanceType: type as _InstanceType,
    ...(lifecycle && { InstanceLifecycle: lifecycle }),
    CpuOptions: { CoreCount: 8, ThreadsPerCore: 2 },
    Tags: [{ Key: "Name", Value: name }],
});

describe("lookups: quota usage", () => {
    const config = capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws" }));

    it("subtracts this stack's running Machines from what CloudWatch says is in use", async () => {
        const aws = fakeAws({
            clusterInstances: () =>
                Promise.resolve([machine("test-abcde-l4-us-east-2a-x7k2p"), machine("test-abcde-worker-us-east-2a-b8d9q", "m6i.4xlarge")]),
            newestUsage: () => Promise.resolve(48),
        });
        const { usedOutside, problems } = await lookupUsedOutside(config, aws, new Map([[G_ON_DEMAND, METRIC]]));
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(usedOutside, { [G_ON_DEMAND]: 32 });
        assert.deepStrictEqual(aws.calls[0], 'clusterInstances("test-abcde")');
    });

    it("never reports less than nothing in use outside the stack", async () => {
        const aws = fakeAws({
            clusterInstances: () => Promise.resolve([machine("test-abcde-l4-us-east-2a-x7k2p")]),
            newestUsage: () => Promise.resolve(0),
        });
        assert.deepStrictEqual((await lookupUsedOutside(config, aws, new Map([[G_ON_DEMAND, METRIC]]))).usedOutside, { [G_ON_DEMAND]: 0 });
    });

    it("counts a Machine by its own type and market, not its MachineSet's", () => {
        const counted = ownVcpus(["test-abcde-l4-us-east-2a"], [machine("test-abcde-l4-us-east-2a-aaaaa", "g6.12xlarge", "spot")]);
        assert.deepStrictEqual(counted, { "L-3819A6DF": 16 });
    });

    it("counts no instance whose Name is not a Machine of this stack's MachineSets", () => {
        const counted = ownVcpus(
            ["test-abcde-l4-us-east-2a"],
            [machine("test-abcde-l4-us-east-2a"), machine("test-abcde-l4-b-us-east-2a-aaaaa"), machine("other-l4-us-east-2a-aaaaa")],
        );
        assert.deepStrictEqual(counted, {});
    });

    it("counts the Machines of a spot pool's on-demand fallback as its own", async () => {
        const spot = capacityConfig(
            offlineStack({ "cluster-capacity:lookups": "aws" }, [
                gpuPool("s", { market: "spot", onDemandFallback: true, autoscaling: { minReplicas: 0, maxReplicas: 2 } }),
            ]),
        );
        const aws = fakeAws({
            clusterInstances: () => Promise.resolve([machine("test-abcde-s-us-east-2a-od-aaaaa")]),
            newestUsage: () => Promise.resolve(16),
        });
        assert.deepStrictEqual((await lookupUsedOutside(spot, aws, new Map([[G_ON_DEMAND, METRIC]]))).usedOutside, { [G_ON_DEMAND]: 0 });
    });

    it("stops with the action to grant when this stack's machines cannot be counted, asking CloudWatch nothing", async () => {
        const aws = fakeAws({ clusterInstances: () => Promise.reject(denied("ec2:DescribeInstances")) });
        const { usedOutside, problems } = await lookupUsedOutside(config, aws, new Map([[G_ON_DEMAND, METRIC]]));
        assert.deepStrictEqual(usedOutside, {});
        assert.match(problems[0].expected, /^AWS lookups that can count this stack's machines \(ec2:DescribeInstances was denied/);
        assert.deepStrictEqual(aws.calls, ['clusterInstances("test-abcde")']);
    });

    it("names the quota whose usage CloudWatch refused", async () => {
        const aws = fakeAws({
            clusterInstances: () => Promise.resolve([]),
            newestUsage: () => Promise.reject(denied("cloudwatch:GetMetricStatistics")),
        });
        const { problems } = await lookupUsedOutside(config, aws, new Map([[G_ON_DEMAND, METRIC]]));
        assert.match(problems[0].expected, /read the usage of L-DB2E81BA \(cloudwatch:GetMetricStatistics was denied/);
    });
});
