import * as assert from "assert";
import { resolveLookups } from "../../lib/lookups";
import type { InstanceTypeAnswer } from "../../lib/lookups/awsClient";
import { ConfigError } from "../../lib/errors";
import { capacityConfig, denied, fakeAws } from "../support/fakeAws";
import { gpuPool, offlineStack } from "../support/scenarios";

const G6: InstanceTypeAnswer = {
    defaultVcpus: 16,
    memorySize: 65536,
    gpuses: [{ count: 1, manufacturer: "NVIDIA", name: "L4", memorySize: 22888 }],
    neuronDevices: [],
    efaSupported: false,
};
/** AWS that answers every question the lookups ask of a one-type stack in us-east-2. */
const answering = () =>
    fakeAws({
        accountId: () => Promise.resolve("111122223333"),
        instanceType: () => Promise.resolve(G6),
        serviceQuota: () => Promise.resolve({ value: 256 }),
        offeredZones: () => Promise.resolve(["us-east-2a", "us-east-2b"]),
        clusterInstances: () => Promise.resolve([]),
    });
const online = (pools = [gpuPool("l4")]) => capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws" }, pools));

describe("lookups: the order of questions", () => {
    it("offline, answers from config with no client at all", async () => {
        const facts = await resolveLookups(capacityConfig(offlineStack()), undefined, undefined);
        assert.strictEqual(facts.accountId, undefined);
        assert.strictEqual(facts.quotaLimits["L-DB2E81BA"], 1024);
        assert.deepStrictEqual(facts.usedOutside, {});
    });

    it("asks AWS the account, types, quotas and offerings first, then this stack's machines, each once", async () => {
        const aws = answering();
        await resolveLookups(online([gpuPool("a"), gpuPool("b")]), undefined, aws);
        assert.deepStrictEqual(aws.calls, [
            "accountId()",
            'instanceType("g6.4xlarge")',
            'serviceQuota("L-DB2E81BA")',
            'offeredZones("g6.4xlarge")',
            'clusterInstances("test-abcde")',
        ]);
    });

    it("gives the zones of a pool that names none as a fact, and leaves the config as it was", async () => {
        const config = capacityConfig({
            ...offlineStack({ "cluster-capacity:lookups": "aws" }, [gpuPool("l4", { zones: undefined })]),
            "cluster-capacity:network": { subnets: { "us-east-2a": "subnet-0a" }, securityGroups: ["sg-0a"] },
        });
        const facts = await resolveLookups(config, undefined, answering());
        // The stack's network.subnets name only us-east-2a, of the two zones that offer the type.
        assert.deepStrictEqual([...facts.poolZones], [["l4", ["us-east-2a"]]]);
        assert.deepStrictEqual(config.pools[0].zones, []);
        assert.ok(facts.networks.has("us-east-2a"), "the looked-up zone gets its network");
    });

    it("on plain Kubernetes with aws lookups, asks only for the account and the instance types", async () => {
        const config = capacityConfig(
            offlineStack({
                "cluster-capacity:lookups": "aws",
                "cluster-capacity:cluster": { name: "k", platform: "kubernetes", region: "us-east-2" },
            }),
        );
        const aws = answering();
        const facts = await resolveLookups(
            config,
            () => assert.fail("plain Kubernetes has no boot image or worker MachineSets to read"),
            aws,
        );
        assert.deepStrictEqual(aws.calls, ["accountId()", 'instanceType("g6.4xlarge")']);
        assert.deepStrictEqual([facts.quotaLimits, facts.amis.size, facts.networks.size], [{}, 0, 0]);
    });

    it("stops with every problem of the first questions together, before asking for usage or reading the cluster", async () => {
        const aws = fakeAws({
            accountId: () => Promise.resolve("444455556666"),
            instanceType: () => Promise.reject(denied("ec2:DescribeInstanceTypes")),
            serviceQuota: () => Promise.resolve({ value: 256 }),
            offeredZones: () => Promise.resolve(["us-east-2b"]),
        });
        let clusterRead = false;
        const config = capacityConfig(
            offlineStack({
                "cluster-capacity:lookups": "aws",
                "cluster-capacity:cluster": {
                    name: "t",
                    infraId: "test-abcde",
                    openshiftVersion: "4.18",
                    region: "us-east-2",
                    accountId: "111122223333",
                },
            }),
        );
        const failure = await resolveLookups(config, () => ((clusterRead = true), {} as never), aws).catch((e: unknown) => e);
        assert.ok(failure instanceof ConfigError);
        assert.deepStrictEqual(
            failure.problems.map((p) => p.path),
            ["cluster-capacity:pools[0].instanceType", "cluster-capacity:pools[0].zones[0]", "cluster-capacity:cluster.accountId"],
        );
        assert.match(failure.message, /lookups failed; nothing was registered/);
        assert.ok(!aws.calls.some((c) => c.startsWith("clusterInstances")));
        assert.strictEqual(clusterRead, false);
    });

    it("says that only the provider was registered when a problem comes after reading the cluster", async () => {
        const config = capacityConfig({
            ...offlineStack({ "cluster-capacity:lookups": "aws" }),
            "cluster-capacity:ami": { namePattern: "rhcos-*" },
            "cluster-capacity:renderDirectory": undefined,
        });
        const cluster = { bootImageStream: () => Promise.resolve(undefined), machineSetSpec: () => Promise.resolve(undefined) };
        const aws = answering();
        const failure = await resolveLookups(
            config,
            () => cluster,
            Object.assign(aws, { newestAmi: () => Promise.reject(new Error("returned no results")) }),
        ).catch((e: unknown) => e);
        assert.ok(failure instanceof ConfigError);
        assert.match(failure.message, /only the Kubernetes provider \(to read the cluster\) was registered/);
    });
});
