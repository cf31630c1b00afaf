import * as assert from "assert";
import { lookupOfferedZones, lookupPoolZones, poolZonesIn, withPoolZones, zonesNotOffered } from "../../lib/lookups/zones";
import { capacityConfig, denied, fakeAws } from "../support/fakeAws";
import { gpuPool, offlineStack } from "../support/scenarios";

const online = { "cluster-capacity:lookups": "aws" };

describe("lookups: zones", () => {
    it("asks once per type where it is offered, and sorts the zones", async () => {
        const aws = fakeAws({ offeredZones: () => Promise.resolve(["us-east-2c", "us-east-2a"]) });
        const { offered, problems } = await lookupOfferedZones(capacityConfig(offlineStack(online, [gpuPool("a"), gpuPool("b")])), aws);
        assert.deepStrictEqual([...offered], [["g6.4xlarge", ["us-east-2a", "us-east-2c"]]]);
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(aws.calls, ['offeredZones("g6.4xlarge")']);
    });

    it("turns unreadable offerings into a problem at the type, naming the action", async () => {
        const aws = fakeAws({ offeredZones: () => Promise.reject(denied("ec2:DescribeInstanceTypeOfferings")) });
        const { offered, problems } = await lookupOfferedZones(capacityConfig(offlineStack(online)), aws);
        assert.strictEqual(offered.size, 0);
        assert.match(problems[0].expected, /zone offerings can be read in us-east-2 \(ec2:DescribeInstanceTypeOfferings was denied/);
    });

    it("refuses a zone where AWS does not offer the type, naming where it is offered", () => {
        const config = capacityConfig(offlineStack(online, [gpuPool("a", { zones: ["us-east-2a", "us-east-2b"] })]));
        const [refused, ...rest] = zonesNotOffered(config, new Map([["g6.4xlarge", ["us-east-2a", "us-east-2c"]]]));
        assert.deepStrictEqual(rest, []);
        assert.strictEqual(refused.path, "cluster-capacity:pools[0].zones[1]");
        assert.match(refused.expected, /g6\.4xlarge is not offered in us-east-2b; offered in: us-east-2a, us-east-2c/);
    });

    it("lets a retired pool keep a zone that is no longer offered, so it can still be removed", () => {
        const config = capacityConfig(offlineStack(online, [gpuPool("a", { retired: true, zones: ["us-east-2b"] })]));
        assert.deepStrictEqual(zonesNotOffered(config, new Map([["g6.4xlarge", ["us-east-2a"]]])), []);
    });

    it("gives a pool without zones the cluster's zones that offer its type", () => {
        const config = capacityConfig(offlineStack(online, [gpuPool("a", { zones: undefined }), gpuPool("b")]));
        const { zones, problems } = poolZonesIn(
            config,
            ["us-east-2c", "us-east-2a", "us-east-2b"],
            new Map([["g6.4xlarge", ["us-east-2a", "us-east-2c"]]]),
        );
        assert.deepStrictEqual([...zones], [["a", ["us-east-2a", "us-east-2c"]]]);
        assert.deepStrictEqual(problems, []);
    });

    it("refuses a pool without zones when none of the cluster's zones offers its type", () => {
        const config = capacityConfig(offlineStack(online, [gpuPool("a", { zones: undefined })]));
        const { problems } = poolZonesIn(config, ["us-east-2b"], new Map([["g6.4xlarge", ["us-east-2a"]]]));
        assert.strictEqual(problems[0].path, "cluster-capacity:pools[0].zones");
        assert.match(problems[0].expected, /AWS offers g6\.4xlarge in none of the cluster's zones \(us-east-2b\)/);
    });

    it("takes the cluster's zones from network.subnets without asking AWS", async () => {
        const config = capacityConfig({
            ...offlineStack(online, [gpuPool("a", { zones: undefined })]),
            "cluster-capacity:network": { subnets: { "us-east-2a": "subnet-0a" }, securityGroups: ["sg-0a"] },
        });
        const aws = fakeAws({});
        const { zones } = await lookupPoolZones(config, aws, new Map([["g6.4xlarge", ["us-east-2a", "us-east-2b"]]]));
        assert.deepStrictEqual(aws.calls, []);
        assert.deepStrictEqual(zones.get("a"), ["us-east-2a"]);
    });

    it("else finds the zones of the cluster-tagged private subnets of either installer's naming", async () => {
        const config = capacityConfig({ ...offlineStack(online, [gpuPool("a", { zones: undefined })]), "cluster-capacity:network": {} });
        const aws = fakeAws({
            subnetIds: () => Promise.resolve(["subnet-1", "subnet-2"]),
            subnet: (query) =>
                Promise.resolve({
                    availabilityZone: "id" in query && query.id === "subnet-1" ? "us-east-2b" : "us-east-2a",
                    vpcId: "vpc-1",
                }),
        });
        const { zones } = await lookupPoolZones(config, aws, new Map([["g6.4xlarge", ["us-east-2a", "us-east-2b"]]]));
        assert.deepStrictEqual(zones.get("a"), ["us-east-2a", "us-east-2b"]);
        assert.match(aws.calls[0], /"tag:Name","values":\["test-abcde-private-\*","test-abcde-subnet-private-\*"\]/);
    });

    it("asks nothing when every pool names its zones", async () => {
        const aws = fakeAws({});
        assert.deepStrictEqual(await lookupPoolZones(capacityConfig(offlineStack(online)), aws, new Map()), {
            zones: new Map(),
            problems: [],
        });
        assert.deepStrictEqual(aws.calls, []);
    });

    it("gives the looked-up zones in a new config and leaves the one it was given as it was", () => {
        const config = capacityConfig(offlineStack(online, [gpuPool("a", { zones: undefined }), gpuPool("b")]));
        const zoned = withPoolZones(config, new Map([["a", ["us-east-2a"]]]));
        assert.deepStrictEqual(zoned.pools[0].zones, ["us-east-2a"]);
        assert.deepStrictEqual(config.pools[0].zones, []);
        assert.strictEqual(zoned.pools[1], config.pools[1]);
    });

    it("gives a config whose zones are given already back as it is", () => {
        const config = capacityConfig(offlineStack(online, [gpuPool("a", { zones: undefined })]));
        const zoned = withPoolZones(config, new Map([["a", ["us-east-2a"]]]));
        assert.strictEqual(withPoolZones(zoned, new Map([["a", ["us-east-2a"]]])), zoned);
    });
});
