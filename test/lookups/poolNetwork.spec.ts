import * as assert from "assert";
import { ProgramRun, rendered, runProgram, StackConfig } from "../support/harness";
import { AwsFixture, TOKENS, workerMachineSets } from "../support/aws";
import { gpuPool, PROD_AWS, stackFixture } from "../support/scenarios";

const providerSpec = (run: ProgramRun, name: string): any =>
    (rendered(run, "MachineSet") as any[]).find((m) => m.metadata.name === name).spec.template.spec.providerSpec.value;
const byName = (name: string) => ({ filters: [{ name: "tag:Name", values: [name] }] });

/** A production-like stack: only the cluster and the pools (lookups aws, the AMI and network from the cluster). */
const minimalProd = (
    pools = [gpuPool("l4", { zones: ["us-east-1a", "us-east-1b"], autoscaling: { minReplicas: 0, maxReplicas: 2 } })],
): StackConfig => ({
    "cluster-capacity:cluster": { name: "prod-east", infraId: "prod-east-x8v2k", openshiftVersion: "4.18", region: "us-east-1" },
    "cluster-capacity:pools": pools,
});
const cluster = (installedWith: "terraform" | "clusterApi", zones = ["us-east-1a", "us-east-1b", "us-east-1c"]): AwsFixture => ({
    ...PROD_AWS,
    clusterObjects: {
        ...Object.fromEntries(Object.entries(PROD_AWS.clusterObjects ?? {}).filter(([key]) => key.includes("ConfigMap"))),
        ...workerMachineSets("prod-east-x8v2k", "us-east-1", zones, installedWith),
    },
});

/** The prod stack rendered to YAML with AWS lookups: no cluster to read, AWS answers instead. */
const renderedProd = (): StackConfig => {
    const stack: StackConfig = {
        ...minimalProd(),
        "cluster-capacity:renderDirectory": "rendered/prod",
        "cluster-capacity:ami": { namePattern: "rhcos-418.94.*-x86_64" },
    };
    return stack;
};

describe("network and identity of new pools", () => {
    it("renders a cluster installed on 4.14 and upgraded to 4.18 with the subnet and security group names it was installed with", async () => {
        const run = await runProgram(minimalProd(), cluster("terraform"));
        assert.ifError(run.error);
        const spec = providerSpec(run, "prod-east-x8v2k-l4-us-east-1b");
        assert.deepStrictEqual(spec.subnet, byName("prod-east-x8v2k-private-us-east-1b"));
        assert.deepStrictEqual(spec.securityGroups, [byName("prod-east-x8v2k-worker-sg")]);
        assert.deepStrictEqual(spec.iamInstanceProfile, { id: "prod-east-x8v2k-worker-profile" });
        assert.deepStrictEqual(spec.userDataSecret, { name: "worker-user-data" });
        assert.deepStrictEqual(spec.ami, { id: "ami-0c0ffee0c0ffee001" }, "the AMI is the cluster's boot image too");
    });

    it("renders a cluster installed on 4.18 with the Cluster API installer's names", async () => {
        const run = await runProgram(minimalProd(), cluster("clusterApi"));
        assert.ifError(run.error);
        const spec = providerSpec(run, "prod-east-x8v2k-l4-us-east-1a");
        assert.deepStrictEqual(spec.subnet, byName("prod-east-x8v2k-subnet-private-us-east-1a"));
        assert.deepStrictEqual(spec.securityGroups, [byName("prod-east-x8v2k-node"), byName("prod-east-x8v2k-lb")]);
    });

    it("reads each zone's worker MachineSet once, however many pools use the zone", async () => {
        const run = await runProgram(
            minimalProd([gpuPool("a", { zones: ["us-east-1a", "us-east-1b"] }), gpuPool("b", { zones: ["us-east-1a"] })]),
            cluster("clusterApi"),
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(run.reads.filter((r) => r.includes("MachineSet")).sort(), [
            "kubernetes:machine.openshift.io/v1beta1:MachineSet::openshift-machine-api/prod-east-x8v2k-worker-us-east-1a",
            "kubernetes:machine.openshift.io/v1beta1:MachineSet::openshift-machine-api/prod-east-x8v2k-worker-us-east-1b",
        ]);
    });

    it("copies network.workerMachineSet into a zone without a worker MachineSet, swapping the zone in the subnet's name", async () => {
        const run = await runProgram(
            {
                ...minimalProd([gpuPool("l4", { zones: ["us-east-1d"] })]),
                "cluster-capacity:network": { workerMachineSet: "prod-east-x8v2k-worker-us-east-1a" },
            },
            cluster("terraform"),
        );
        assert.ifError(run.error);
        const spec = providerSpec(run, "prod-east-x8v2k-l4-us-east-1d");
        assert.deepStrictEqual(spec.subnet, byName("prod-east-x8v2k-private-us-east-1d"));
        assert.deepStrictEqual(spec.securityGroups, [byName("prod-east-x8v2k-worker-sg")]);
    });

    it("refuses to move a subnet given by id to another zone, naming the MachineSet and the key to set", async () => {
        const fixture = cluster("clusterApi");
        const key = "kubernetes:machine.openshift.io/v1beta1:MachineSet::openshift-machine-api/prod-east-x8v2k-worker-us-east-1a";
        const template = structuredClone(fixture.clusterObjects?.[key]) as any;
        template.spec.template.spec.providerSpec.value.subnet = { id: "subnet-0aaa" };
        const run = await runProgram(
            {
                ...minimalProd([gpuPool("l4", { zones: ["us-east-1d"] })]),
                "cluster-capacity:network": { workerMachineSet: "prod-east-x8v2k-worker-us-east-1a" },
            },
            { ...fixture, clusterObjects: { ...fixture.clusterObjects, [key]: template } },
        );
        assert.match(
            String(run.error),
            /network\.workerMachineSet: got "prod-east-x8v2k-worker-us-east-1a"; expected a worker MachineSet to copy the network of us-east-1d from: .*its subnet \{"id":"subnet-0aaa"\} belongs to us-east-1a and is no Name ending in -us-east-1a to swap for us-east-1d/,
        );
    });

    it("swaps only the zone suffix of the subnet's Name, even when the infrastructure name contains a zone", async () => {
        const fixture = cluster("clusterApi");
        const key = "kubernetes:machine.openshift.io/v1beta1:MachineSet::openshift-machine-api/prod-east-x8v2k-worker-us-east-1a";
        const template = structuredClone(fixture.clusterObjects?.[key]) as any;
        template.spec.template.spec.providerSpec.value.subnet = byName("us-east-1a-lab-subnet-private-us-east-1a");
        const run = await runProgram(
            {
                ...minimalProd([gpuPool("l4", { zones: ["us-east-1d"] })]),
                "cluster-capacity:network": { workerMachineSet: "prod-east-x8v2k-worker-us-east-1a" },
            },
            { ...fixture, clusterObjects: { ...fixture.clusterObjects, [key]: template } },
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(
            providerSpec(run, "prod-east-x8v2k-l4-us-east-1d").subnet,
            byName("us-east-1a-lab-subnet-private-us-east-1d"),
        );
    });

    it("lets explicit network.subnets and securityGroups win, reading no worker MachineSet", async () => {
        const run = await runProgram(
            {
                ...minimalProd(),
                "cluster-capacity:network": {
                    subnets: { "us-east-1a": "subnet-0123abcd", "us-east-1b": "custom-private-b" },
                    securityGroups: ["sg-0456ef", "custom-workers"],
                    instanceProfile: "custom-profile",
                },
            },
            cluster("terraform"),
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(
            run.reads.filter((r) => r.includes("MachineSet")),
            [],
        );
        const spec = providerSpec(run, "prod-east-x8v2k-l4-us-east-1a");
        assert.deepStrictEqual(spec.subnet, { id: "subnet-0123abcd" });
        assert.deepStrictEqual(spec.securityGroups, [{ id: "sg-0456ef" }, byName("custom-workers")]);
        assert.deepStrictEqual(spec.iamInstanceProfile, { id: "custom-profile" });
        assert.deepStrictEqual(providerSpec(run, "prod-east-x8v2k-l4-us-east-1b").subnet, byName("custom-private-b"));
    });

    it("refuses explicit subnets that miss a pool's zone", async () => {
        const run = await runProgram(
            {
                ...minimalProd(),
                "cluster-capacity:network": { subnets: { "us-east-1a": "subnet-0123abcd" }, securityGroups: ["sg-0456ef"] },
            },
            cluster("terraform"),
        );
        assert.match(
            String(run.error),
            /cluster-capacity:network\.subnets\["us-east-1b"\]: got nothing; expected the subnet of us-east-1b/,
        );
        assert.strictEqual(run.resources.length, 0);
    });

    it("finds the cluster-tagged subnet and the worker security groups of either installer in AWS when rendering", async () => {
        const terraform = await runProgram(renderedProd(), {
            ...PROD_AWS,
            subnets: { "us-east-1a": ["subnet-0a"], "us-east-1b": ["subnet-0b"] },
            securityGroups: { "prod-east-x8v2k-worker-sg": ["sg-0old"] },
        });
        assert.ifError(terraform.error);
        assert.deepStrictEqual(providerSpec(terraform, "prod-east-x8v2k-l4-us-east-1b").subnet, { id: "subnet-0b" });
        assert.deepStrictEqual(providerSpec(terraform, "prod-east-x8v2k-l4-us-east-1b").securityGroups, [{ id: "sg-0old" }]);
        const subnetQuery = terraform.invokes.find((i) => i.token === TOKENS.subnets);
        assert.deepStrictEqual((subnetQuery?.inputs.filters as any[]).find((f) => f.name === "tag:Name").values, [
            "prod-east-x8v2k-private-us-east-1a",
            "prod-east-x8v2k-subnet-private-us-east-1a",
        ]);
        const clusterApi = await runProgram(renderedProd(), {
            ...PROD_AWS,
            subnets: { "us-east-1a": ["subnet-0a"], "us-east-1b": ["subnet-0b"] },
            securityGroups: { "prod-east-x8v2k-node": ["sg-0node"], "prod-east-x8v2k-lb": ["sg-0lb"] },
        });
        assert.ifError(clusterApi.error);
        assert.deepStrictEqual(providerSpec(clusterApi, "prod-east-x8v2k-l4-us-east-1a").securityGroups, [
            { id: "sg-0node" },
            { id: "sg-0lb" },
        ]);
    });

    it("stops when AWS has no subnet or several in a zone, listing what it found", async () => {
        const run = await runProgram(renderedProd(), {
            ...PROD_AWS,
            subnets: { "us-east-1a": [], "us-east-1b": ["subnet-0b1", "subnet-0b2"] },
            securityGroups: { "prod-east-x8v2k-worker-sg": ["sg-0old"] },
        });
        const message = String(run.error);
        assert.match(
            message,
            /pools\[0\]\.zones\[0\]: got "us-east-1a"; expected a zone with exactly one private subnet of the cluster .*found none/,
        );
        assert.match(message, /pools\[0\]\.zones\[1\]: got "us-east-1b"; .*found subnet-0b1, subnet-0b2/);
        assert.strictEqual(run.resources.length, 0);
    });

    it("stops when the worker security groups match neither installer generation, listing what it found", async () => {
        const run = await runProgram(renderedProd(), {
            ...PROD_AWS,
            subnets: { "us-east-1a": ["subnet-0a"], "us-east-1b": ["subnet-0b"] },
            securityGroups: { "prod-east-x8v2k-node": ["sg-0node"] },
        });
        assert.match(
            String(run.error),
            /network\.securityGroups: got nothing; expected the cluster's worker security groups: one each of prod-east-x8v2k-node \+ prod-east-x8v2k-lb .* or prod-east-x8v2k-worker-sg .*; found prod-east-x8v2k-node \(sg-0node\)/,
        );
    });

    it("defaults a pool's zones to the cluster's zones where AWS offers its type", async () => {
        const pools = [
            { name: "h100", accelerator: "nvidia", instanceType: "p5.48xlarge", autoscaling: { minReplicas: 0, maxReplicas: 1 } },
        ];
        const run = await runProgram(
            { ...renderedProd(), "cluster-capacity:pools": pools },
            {
                ...PROD_AWS,
                quotas: { "L-417A185B": 4096 },
                subnets: { "us-east-1a": ["subnet-0a"], "us-east-1b": ["subnet-0b"], "us-east-1c": ["subnet-0c"] },
                securityGroups: { "prod-east-x8v2k-worker-sg": ["sg-0old"] },
                offerings: { "p5.48xlarge": ["us-east-1a", "us-east-1c", "us-east-1f"] },
            },
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(
            (rendered(run, "MachineSet") as any[]).map((m) => m.metadata.name),
            ["prod-east-x8v2k-h100-us-east-1a", "prod-east-x8v2k-h100-us-east-1c"],
        );
    });

    it("asks for zones with offline lookups, where the cluster's zones cannot be found", async () => {
        const dev = stackFixture("dev");
        const pools = dev["cluster-capacity:pools"] as Record<string, unknown>[];
        delete pools[0].zones;
        const run = await runProgram(dev);
        assert.match(
            String(run.error),
            /pools\[0\]\.zones: got nothing; expected the pool's zones: they default to the cluster's zones that offer the type only with aws lookups on OpenShift/,
        );
    });

    it("refuses rendering offline without an explicit network, instead of guessing names from openshiftVersion", async () => {
        const dev = stackFixture("dev");
        delete dev["cluster-capacity:network"];
        const run = await runProgram(dev);
        assert.match(
            String(run.error),
            /cluster-capacity:network: got nothing; expected explicit subnets and securityGroups: renderDirectory reads no worker MachineSet/,
        );
        assert.strictEqual(run.resources.length, 0);
    });
});
