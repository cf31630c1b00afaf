import * as assert from "assert";
import { lookupClusterVpc, lookupNetworks, zoneUses } from "../../lib/lookups/network";
import type { ClusterReads } from "../../lib/lookups/clusterReads";
import { capacityConfig, denied, fakeAws } from "../support/fakeAws";
import { workerMachineSets } from "../support/aws";
import { gpuPool, offlineStack, reservations, reservedStack, trainingStack } from "../support/scenarios";
import type { ReservationFacts } from "../../lib/config/types";

const twoZones = [gpuPool("a", { zones: ["us-east-2a", "us-east-2b"] }), gpuPool("b", { zones: ["us-east-2a"] })];
/** A connected cluster whose worker MachineSets are those `workerMachineSets` describes, counting reads. */
function clusterOf(zones: string[]): ClusterReads & { reads: string[] } {
    const objects = workerMachineSets("test-abcde", "us-east-2", zones, "clusterApi");
    const reads: string[] = [];
    return {
        reads,
        bootImageStream: () => Promise.resolve(undefined),
        machineSetSpec(name) {
            reads.push(name);
            const found = objects[`kubernetes:machine.openshift.io/v1beta1:MachineSet::openshift-machine-api/${name}`] as
                { spec?: unknown } | undefined;
            return Promise.resolve(found?.spec);
        },
    };
}
const discovered = (pools = twoZones) =>
    capacityConfig({ ...offlineStack({ "cluster-capacity:lookups": "aws" }, pools), "cluster-capacity:network": {} });

describe("lookups: networks", () => {
    it("lists each zone once, with the first key path that uses it, reservations' zones included", () => {
        const config = capacityConfig(reservedStack());
        const facts = new Map(Object.entries(reservations()).map(([id, f]) => [id, { id, ...f } as unknown as ReservationFacts]));
        assert.deepStrictEqual(zoneUses(config, facts), [
            { zone: "us-east-2a", at: ["pools", 0, "capacityReservations", 0] },
            { zone: "us-east-2b", at: ["pools", 1, "capacityReservations", 0] },
        ]);
    });

    it("takes network.subnets and securityGroups as they are, reading neither the cluster nor AWS", async () => {
        const aws = fakeAws({});
        const cluster = clusterOf(["us-east-2a"]);
        const { networks, problems } = await lookupNetworks(capacityConfig(offlineStack()), new Map(), cluster, aws);
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(networks.get("us-east-2a")?.network.subnet, {
            filters: [{ name: "tag:Name", values: ["test-abcde-subnet-private-us-east-2a"] }],
        });
        assert.deepStrictEqual(networks.get("us-east-2a")?.source, { kind: "config" });
        assert.deepStrictEqual([aws.calls, cluster.reads], [[], []]);
    });

    it("refuses a reservation's zone network.subnets lacks, naming the pool key that uses it", async () => {
        // The config rules check the pools' own zones; a reservation's zone is known only from its facts.
        const config = capacityConfig({
            ...reservedStack({ g6: { zones: ["us-east-2a"] } }),
            "cluster-capacity:network": { subnets: { "us-east-2a": "subnet-0a" }, securityGroups: ["sg-0a"] },
        });
        const facts = new Map(Object.entries(reservations()).map(([id, f]) => [id, { id, ...f } as unknown as ReservationFacts]));
        const { problems } = await lookupNetworks(config, facts, undefined, undefined);
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["cluster-capacity:network.subnets"],
        );
        assert.match(problems[0].expected, /a subnet for us-east-2b, which cluster-capacity:pools\[1\]\.capacityReservations\[0\] uses/);
    });

    it("connected, copies each zone's network from the cluster's worker MachineSet of that zone, read once", async () => {
        const cluster = clusterOf(["us-east-2a", "us-east-2b"]);
        const { networks, problems } = await lookupNetworks(discovered(), new Map(), cluster, fakeAws({}));
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(cluster.reads, ["test-abcde-worker-us-east-2a", "test-abcde-worker-us-east-2b"]);
        assert.deepStrictEqual(networks.get("us-east-2b")?.source, { kind: "worker-machineset", name: "test-abcde-worker-us-east-2b" });
    });

    it("connected, refuses a worker MachineSet that cannot serve and says what to set instead", async () => {
        const { problems } = await lookupNetworks(discovered(), new Map(), clusterOf(["us-east-2a"]), undefined);
        assert.strictEqual(problems[0].path, "cluster-capacity:pools[0].zones[1]");
        assert.match(
            problems[0].expected,
            /openshift-machine-api\/test-abcde-worker-us-east-2b cannot serve, it has no spec\.template.*\(set network\.workerMachineSet, or network\.subnets and securityGroups\)/,
        );
    });

    it("rendering with aws lookups, finds the one tagged subnet per zone and the Cluster API installer's security groups", async () => {
        const aws = fakeAws({
            subnetIds: (filters) => Promise.resolve([`subnet-${filters.find((f) => f.name === "availability-zone")?.values[0]}`]),
            securityGroupIds: (filters) =>
                Promise.resolve(filters[1].values[0].endsWith("-worker-sg") ? [] : [`sg-${filters[1].values[0]}`]),
        });
        const { networks, problems } = await lookupNetworks(discovered(), new Map(), undefined, aws);
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(networks.get("us-east-2b")?.network.subnet, { id: "subnet-us-east-2b" });
        assert.deepStrictEqual(networks.get("us-east-2b")?.network.securityGroups, [
            { id: "sg-test-abcde-node" },
            { id: "sg-test-abcde-lb" },
        ]);
        assert.strictEqual(
            aws.calls.filter((c) => c.startsWith("securityGroupIds")).length,
            3,
            "one question per Name, for every zone together",
        );
    });

    it("says once, not per zone, that the worker security groups cannot be found", async () => {
        const aws = fakeAws({ subnetIds: () => Promise.resolve(["subnet-1"]), securityGroupIds: () => Promise.resolve([]) });
        const { networks, problems } = await lookupNetworks(discovered(), new Map(), undefined, aws);
        assert.strictEqual(networks.size, 0);
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["cluster-capacity:network.securityGroups"],
        );
        assert.match(
            problems[0].expected,
            /one each of test-abcde-node \+ test-abcde-lb \(4\.16\+ installs\) or test-abcde-worker-sg \(earlier installs\).*found none/,
        );
    });

    it("refuses a zone with no or several private subnets of the cluster, listing them", async () => {
        const aws = fakeAws({
            subnetIds: () => Promise.resolve(["subnet-1", "subnet-2"]),
            securityGroupIds: () => Promise.resolve(["sg-1"]),
        });
        const { problems } = await lookupNetworks(discovered([gpuPool("a")]), new Map(), undefined, aws);
        assert.match(problems[0].expected, /exactly one private subnet of the cluster .*found subnet-1, subnet-2/);
    });

    it("finds the VPC of the first EFA pool's subnet, and names the action when it cannot", async () => {
        const config = capacityConfig({
            ...trainingStack(),
            "cluster-capacity:network": { subnets: { "us-east-1a": "subnet-0a1b2c" }, securityGroups: ["sg-0a1b2c"] },
        });
        const networks = (await lookupNetworks(config, new Map(), undefined, undefined)).networks;
        const aws = fakeAws({ subnet: () => Promise.resolve({ availabilityZone: "us-east-1a", vpcId: "vpc-0abc" }) });
        assert.deepStrictEqual(await lookupClusterVpc(config, aws, networks, new Map()), { vpcId: "vpc-0abc", problems: [] });
        assert.deepStrictEqual(aws.calls, ['subnet({"id":"subnet-0a1b2c"})']);
        const failing = fakeAws({ subnet: () => Promise.reject(denied("ec2:DescribeSubnets")) });
        const { problems } = await lookupClusterVpc(config, failing, networks, new Map());
        assert.strictEqual(problems[0].path, "cluster-capacity:pools[0].efa");
        assert.match(problems[0].expected, /ec2:DescribeSubnets was denied/);
    });
});
