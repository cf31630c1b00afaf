import * as assert from "assert";
import { GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { runProgram } from "../support/harness";
import { cloudWatch, ec2 } from "../support/awsSdk";
import { gpuPool, offlineStack, PROD_AWS, stackFixture } from "../support/scenarios";
import { machineNamePrefix } from "../../policy/lib/resources";

/** Running g6.4xlarge instances (16 vCPUs) named like Machines of these MachineSets. */
const instances = (...machineSets: string[]) => ({
    Reservations: [
        {
            Instances: machineSets.map((ms, i) => ({
                InstanceId: `i-0${i}`,
                InstanceType: "g6.4xlarge" as const,
                CpuOptions: { CoreCount: 8, ThreadsPerCore: 2 },
                Tags: [
                    { Key: "Name", Value: `${machineNamePrefix(ms)}abcd${i}` },
                    { Key: "kubernetes.io/cluster/prod-east-x8v2k", Value: "owned" },
                ],
            })),
        },
    ],
});

describe("quotas against what is in use now", () => {
    it("subtracts this stack's running Machines from CloudWatch's usage, and warns when the maximum does not fit what is free", async () => {
        // The fixture's Class dimension is the quota code: 300 G and VT On-Demand vCPUs in use, no spot.
        cloudWatch
            .on(GetMetricStatisticsCommand)
            .callsFake((input: { Dimensions?: { Name?: string; Value?: string }[] }) =>
                input.Dimensions?.some((d) => d.Value === "L-DB2E81BA")
                    ? { Datapoints: [{ Maximum: 250 }, { Maximum: 300 }] }
                    : { Datapoints: [] },
            );
        ec2.on(DescribeInstancesCommand).resolves(
            instances("prod-east-x8v2k-l4-single-us-east-1a", "prod-east-x8v2k-l4-single-us-east-1b", "someone-else-worker-us-east-1a"),
        );
        const run = await runProgram(stackFixture("prod"), PROD_AWS);
        assert.ifError(run.error);
        const quota = (run.outputs as any).quotas["L-DB2E81BA"];
        assert.deepStrictEqual(
            { usedOutside: quota.usedOutside, demand: quota.demand, desired: quota.desired, headroomNow: quota.headroomNow },
            // The prod stack caps L-DB2E81BA at 384, under AWS's 512.
            { usedOutside: 300 - 2 * 16, demand: 288, desired: 0, headroomNow: 384 - 268 - 288 },
        );
        assert.match(
            run.warnings.join("\n"),
            /at its maximum size the stack needs L-DB2E81BA "Running On-Demand G and VT instances": 288 vCPUs, but of its 384 vCPUs 268 are in use outside this stack, leaving 116/,
        );
        const metric = cloudWatch
            .commandCalls(GetMetricStatisticsCommand)
            .find((c) => c.args[0].input.Dimensions?.some((d) => d.Value === "L-DB2E81BA"));
        assert.strictEqual(metric?.args[0].input.Namespace, "AWS/Usage");
        assert.deepStrictEqual(ec2.commandCalls(DescribeInstancesCommand)[0].args[0].input.Filters, [
            { Name: "tag-key", Values: ["kubernetes.io/cluster/prod-east-x8v2k"] },
            { Name: "instance-state-name", Values: ["pending", "running"] },
        ]);
    });

    it("counts a running machine by its own instance type, not by its pool's current one", async () => {
        cloudWatch
            .on(GetMetricStatisticsCommand)
            .callsFake((input: { Dimensions?: { Value?: string }[] }) =>
                input.Dimensions?.some((d) => d.Value === "L-DB2E81BA")
                    ? { Datapoints: [{ Maximum: 300, Timestamp: new Date() }] }
                    : { Datapoints: [] },
            );
        const old = instances("prod-east-x8v2k-l4-single-us-east-1a");
        old.Reservations[0].Instances[0] = {
            ...old.Reservations[0].Instances[0],
            InstanceType: "g6.12xlarge" as never,
            CpuOptions: { CoreCount: 24, ThreadsPerCore: 2 },
        };
        ec2.on(DescribeInstancesCommand).resolves(old);
        const run = await runProgram(stackFixture("prod"), PROD_AWS);
        assert.ifError(run.error);
        assert.strictEqual((run.outputs as any).quotas["L-DB2E81BA"].usedOutside, 300 - 48);
    });

    it("stops when the stack's desired size does not fit what the rest of the account leaves free", async () => {
        const run = await runProgram(
            offlineStack({ "cluster-capacity:quotas": { "L-DB2E81BA": 96 }, "cluster-capacity:usage": { "L-DB2E81BA": 90 } }, [
                gpuPool("l4", { replicas: 1 }),
            ]),
        );
        assert.match(
            String(run.error),
            /quota pre-flight failed[\s\S]*the stack's desired size needs L-DB2E81BA "Running On-Demand G and VT instances": 16 vCPUs, but of its 96 vCPUs 90 are in use outside this stack, leaving 6/,
        );
        assert.deepStrictEqual(run.resources, []);
    });

    it("checks only the structural limit offline when usage is not given", async () => {
        const run = await runProgram(offlineStack());
        assert.ifError(run.error);
        assert.strictEqual((run.outputs as any).quotas["L-DB2E81BA"].usedOutside, null);
        // The one warning a rendering stack always gets: it asks no cluster (test/plan/poolDeletions.spec.ts).
        assert.deepStrictEqual(
            run.warnings.filter((w) => !/renderDirectory: no cluster is asked/.test(w)),
            [],
        );
    });

    it("names the permission when CloudWatch refuses", async () => {
        cloudWatch
            .on(GetMetricStatisticsCommand)
            .rejects(new Error("AccessDenied: not authorized to perform cloudwatch:GetMetricStatistics"));
        const run = await runProgram(stackFixture("prod"), PROD_AWS);
        assert.match(
            String(run.error),
            /AWS lookups that can read the usage of L-DB2E81BA \(cloudwatch:GetMetricStatistics was denied: grant cloudwatch:GetMetricStatistics to the identity that runs Pulumi; AWS said: AccessDenied/,
        );
        assert.deepStrictEqual(run.resources, []);
    });

    it("refuses usage in config with aws lookups, where CloudWatch says", async () => {
        const run = await runProgram({ ...stackFixture("prod"), "cluster-capacity:usage": { "L-DB2E81BA": 10 } }, PROD_AWS);
        assert.match(String(run.error), /cluster-capacity:usage: .*expected no usage with aws lookups/);
    });

    it("recognises a Machine by its MachineSet's name cut to the 58 characters Kubernetes keeps of a generateName", () => {
        assert.strictEqual(machineNamePrefix("prod-east-x8v2k-l4-us-east-1a"), "prod-east-x8v2k-l4-us-east-1a-");
        const long = `${"x".repeat(40)}-gpu-pool-name-us-east-1a`;
        assert.strictEqual(machineNamePrefix(long), `${long}-`.slice(0, 58));
        assert.strictEqual(machineNamePrefix(long).length, 58);
    });
});
