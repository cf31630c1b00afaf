import * as assert from "assert";
import { UnknownValueError, unknownCheckingProxy } from "../support/policySdk";
import { makePoolWithinQuota } from "../../policy/policies/poolWithinQuota";
import type { QuotaSource } from "../../policy/lib/awsQuotaSource";
import { stackArgs, toPolicyResource, violationsOf } from "../support/policyHarness";
import { edited, machineAutoscaler, machineSet } from "../support/policyFixtures";

const spot = (instanceType: string) => machineSet({ name: "spot", instanceType, market: "spot" });

describe("policy pool-within-quota", () => {
    it("passes a g5.xlarge spot MachineSet filling L-3819A6DF = 4 exactly", async () => {
        assert.deepStrictEqual(await violationsOf("pool-within-quota", [spot("g5.xlarge")], { quotas: { "L-3819A6DF": 4 } }), []);
    });

    it("fails a g5.2xlarge spot MachineSet against L-3819A6DF = 4, naming the code, limit, demand and MachineSet", async () => {
        const [message] = await violationsOf("pool-within-quota", [spot("g5.2xlarge")], { quotas: { "L-3819A6DF": 4 } });
        assert.match(message, /L-3819A6DF "All G and VT Spot Instance Requests": maximum demand 8 vCPUs exceeds the quota of 4 vCPUs/);
        assert.match(message, /MachineSet test-abcde-spot-us-east-2a: g5\.2xlarge \(8 vCPUs\) × 1 machine\(s\)/);
    });

    it("counts a MachineAutoscaler's maxReplicas instead of spec.replicas", async () => {
        const ms = machineSet({}, { replicas: 0 });
        const resources = [ms, machineAutoscaler("test-abcde-l4-us-east-2a", 0, 5)];
        const [message] = await violationsOf("pool-within-quota", resources, { quotas: { "L-DB2E81BA": 64 } });
        assert.match(message, /maximum demand 80 vCPUs exceeds the quota of 64/);
    });

    it("counts spec.replicas when it is above the autoscaler's maxReplicas", async () => {
        const resources = [machineSet({}, { replicas: 100 }), machineAutoscaler("test-abcde-l4-us-east-2a", 0, 2)];
        const [message] = await violationsOf("pool-within-quota", resources, { quotas: { "L-DB2E81BA": 64 } });
        assert.match(message, /maximum demand 1600 vCPUs exceeds the quota of 64/);
    });

    it("counts the largest maxReplicas when two autoscalers target one MachineSet", async () => {
        const second = machineAutoscaler("test-abcde-l4-us-east-2a", 0, 5);
        second.name = "second-autoscaler";
        const resources = [machineSet({}, { replicas: 0 }), machineAutoscaler("test-abcde-l4-us-east-2a", 0, 2), second];
        const [message] = await violationsOf("pool-within-quota", resources, { quotas: { "L-DB2E81BA": 64 } });
        assert.match(message, /maximum demand 80 vCPUs/);
    });

    it("does not let a negative maxReplicas cancel another pool's demand", async () => {
        const other = machineSet({ name: "l4-big" }, { replicas: 5 });
        const resources = [machineSet({}, { replicas: 0 }), machineAutoscaler("test-abcde-l4-us-east-2a", 0, -100), other];
        const [message] = await violationsOf("pool-within-quota", resources, { quotas: { "L-DB2E81BA": 64 } });
        assert.match(message, /maximum demand 80 vCPUs exceeds the quota of 64/);
    });

    it("refuses a misspelt policy config key, which would leave every quota unchecked", async () => {
        const [message] = await violationsOf("pool-within-quota", [spot("g5.xlarge")], { quota: { "L-3819A6DF": 4 } });
        assert.match(
            message,
            /unknown key\(s\) quota; known keys: quotas, instanceTypes, lookups, region, capacityReservations, enforcementLevel\. Nothing was checked/,
        );
    });

    it("refuses a policy config the pack's schema refuses, as the CLI does", async () => {
        await assert.rejects(
            violationsOf("pool-within-quota", [spot("g5.xlarge")], { quotas: { "L-3819A6DF": -4 } }),
            /policy config of pool-within-quota is invalid/,
        );
    });

    it("counts a MachineSet without spec.replicas as one machine, the API default", async () => {
        const ms = edited(machineSet(), (p) => delete p.spec.replicas);
        const [message] = await violationsOf("pool-within-quota", [ms], { quotas: { "L-DB2E81BA": 8 } });
        assert.match(message, /maximum demand 16 vCPUs/);
    });

    it("counts marketType: Spot as spot", async () => {
        const ms = edited(machineSet({ instanceType: "g5.2xlarge" }), (p) => (p.spec.template.spec.providerSpec.value.marketType = "Spot"));
        const [message] = await violationsOf("pool-within-quota", [ms], { quotas: { "L-3819A6DF": 4, "L-DB2E81BA": 100 } });
        assert.match(message, /L-3819A6DF/);
    });

    it("counts spot and on-demand against their own codes", async () => {
        const resources = [machineSet({ replicas: 2 }), spot("g6.xlarge")];
        assert.deepStrictEqual(await violationsOf("pool-within-quota", resources, { quotas: { "L-DB2E81BA": 32, "L-3819A6DF": 4 } }), []);
    });

    it("takes vCPUs of types outside the catalogue from the policy config", async () => {
        const ms = machineSet({ instanceType: "g7.2xlarge" });
        assert.deepStrictEqual(
            await violationsOf("pool-within-quota", [ms], { quotas: { "L-DB2E81BA": 8 }, instanceTypes: { "g7.2xlarge": { vcpus: 8 } } }),
            [],
        );
    });

    it("fails a MachineSet whose instance type cannot be resolved instead of passing it", async () => {
        const [message] = await violationsOf("pool-within-quota", [machineSet({ instanceType: "g7.2xlarge" })], {
            quotas: { "L-DB2E81BA": 1000 },
        });
        assert.match(message, /the vCPU count of g7\.2xlarge is unknown/);
    });

    it("fails a quota code with no configured value instead of passing it", async () => {
        const [message] = await violationsOf("pool-within-quota", [machineSet()], {});
        assert.match(message, /Quota L-DB2E81BA .* has no value in the policy config `quotas`/);
    });

    it("fails an instance type outside the known quota groups", async () => {
        const [message] = await violationsOf("pool-within-quota", [machineSet({ instanceType: "x2idn.16xlarge" })], {
            instanceTypes: { "x2idn.16xlarge": { vcpus: 64 } },
        });
        assert.match(message, /x2idn\.16xlarge belongs to no known EC2 quota group/);
    });

    it("lets an unknown preview value surface as the SDK's UnknownValueError (reported as advisory), not a crash", async () => {
        const ms = toPolicyResource(machineSet());
        const props = unknownCheckingProxy({ ...ms.props, spec: { ...ms.props.spec, replicas: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } });
        const policy = makePoolWithinQuota();
        await assert.rejects(
            Promise.resolve(policy.validateStack(stackArgs([{ ...ms, props }], { quotas: { "L-DB2E81BA": 64 } }), () => undefined)),
            UnknownValueError,
        );
    });

    describe("with lookups: aws", () => {
        const fake = (quotas: Record<string, number>, vcpus: Record<string, number>) => {
            const calls: string[] = [];
            const source: QuotaSource = {
                quotaValue: (code) => {
                    calls.push(`quota ${code}`);
                    return code in quotas ? Promise.resolve(quotas[code]) : Promise.reject(new Error("NoSuchResourceException"));
                },
                vcpus: (type) => {
                    calls.push(`type ${type}`);
                    return type in vcpus ? Promise.resolve(vcpus[type]) : Promise.reject(new Error("InvalidInstanceType"));
                },
            };
            return { calls, source };
        };
        const run = async (
            policyConfig: object,
            quotas: Record<string, number>,
            vcpus: Record<string, number>,
            resources = [machineSet({}, { zone: "us-east-2a" }), machineSet({}, { zone: "us-east-2b" })],
        ) => {
            const { calls, source } = fake(quotas, vcpus);
            let region: string | undefined;
            const policy = makePoolWithinQuota((r) => ((region = r), source));
            const messages: string[] = [];
            await policy.validateStack(stackArgs(resources.map(toPolicyResource), policyConfig), (m) => messages.push(m));
            return { messages, calls, region };
        };

        it("reads each quota and instance type from AWS once, in the configured region", async () => {
            const { messages, calls, region } = await run(
                { lookups: "aws", region: "us-east-2" },
                { "L-DB2E81BA": 64 },
                { "g6.4xlarge": 16 },
            );
            assert.deepStrictEqual(messages, []);
            assert.deepStrictEqual(calls.sort(), ["quota L-DB2E81BA", "type g6.4xlarge"]);
            assert.strictEqual(region, "us-east-2");
        });

        it("fails when AWS's quota is below the demand", async () => {
            const { messages } = await run({ lookups: "aws" }, { "L-DB2E81BA": 16 }, { "g6.4xlarge": 16 });
            assert.match(messages[0], /maximum demand 32 vCPUs exceeds the quota of 16/);
        });

        it("applies the configured cap below AWS's value", async () => {
            const { messages } = await run({ lookups: "aws", quotas: { "L-DB2E81BA": 16 } }, { "L-DB2E81BA": 1000 }, { "g6.4xlarge": 16 });
            assert.match(messages[0], /exceeds the quota of 16/);
        });

        it("fails an instance type AWS does not know", async () => {
            const { messages } = await run({ lookups: "aws" }, { "L-DB2E81BA": 1000 }, {});
            assert.match(messages[0], /vCPU count of g6\.4xlarge is unknown: AWS does not know it \(InvalidInstanceType\)/);
        });

        it("fails MachineSets whose desired size does not fit what the rest of the account leaves free now", async () => {
            const { source } = fake({ "L-DB2E81BA": 64 }, { "g6.4xlarge": 16 });
            const usage: QuotaSource = {
                ...source,
                // 56 vCPUs in use, 16 of them this stack's one running machine: 40 outside, 24 free.
                vcpusInUse: (code) => Promise.resolve(code === "L-DB2E81BA" ? 56 : undefined),
                ownVcpus: () => Promise.resolve({ "L-DB2E81BA": 16 }),
            };
            const policy = makePoolWithinQuota(() => usage);
            const messages: string[] = [];
            const resources = [machineSet({}, { zone: "us-east-2a", replicas: 1 }), machineSet({}, { zone: "us-east-2b", replicas: 1 })];
            await policy.validateStack(stackArgs(resources.map(toPolicyResource), { lookups: "aws" }), (m) => messages.push(m));
            assert.deepStrictEqual(messages.length, 1);
            assert.match(
                messages[0],
                /L-DB2E81BA "Running On-Demand G and VT instances": the MachineSets' desired size needs 32 vCPUs, but of its 64 vCPUs 40 are in use outside this stack, leaving 24/,
            );
        });

        it("counts an autoscaled MachineSet's desired size as its autoscaler's minimum", async () => {
            const { source } = fake({ "L-DB2E81BA": 64 }, { "g6.4xlarge": 16 });
            const usage: QuotaSource = {
                ...source,
                vcpusInUse: () => Promise.resolve(56),
                ownVcpus: () => Promise.resolve({}),
            };
            const messages: string[] = [];
            const resources = [machineSet({}, { replicas: 0 }), machineAutoscaler("test-abcde-l4-us-east-2a", 0, 4)];
            await makePoolWithinQuota(() => usage).validateStack(stackArgs(resources.map(toPolicyResource), { lookups: "aws" }), (m) =>
                messages.push(m),
            );
            assert.deepStrictEqual(messages, []);
        });

        it("fails a quota AWS cannot read", async () => {
            const { messages } = await run({ lookups: "aws" }, {}, { "g6.4xlarge": 16 });
            assert.match(
                messages[0],
                /Quota L-DB2E81BA "Running On-Demand G and VT instances" could not be read from AWS \(NoSuchResourceException\)/,
            );
        });
    });
});
