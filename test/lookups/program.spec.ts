import * as assert from "assert";
import { ProgramRun, rendered, resourcesOfKind, runProgram, StackConfig } from "../support/harness";
import { bootImagesConfigMap, TOKENS } from "../support/aws";
import { gpuPool, offlineStack, PROD_AWS, PROD_BOOT_IMAGE, stackFixture } from "../support/scenarios";

const countByToken = (tokens: string[]) =>
    tokens.reduce<Record<string, number>>((counts, t) => ({ ...counts, [t]: (counts[t] ?? 0) + 1 }), {});

describe("AWS lookups", () => {
    it("makes no AWS invoke at all with offline lookups", async () => {
        const run = await runProgram(stackFixture("dev"));
        assert.ifError(run.error);
        assert.deepStrictEqual(run.invokes, []);
    });

    it("asks each distinct question once, however many pools and zones share it", async () => {
        const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
        const pools = Array.from({ length: 6 }, (_, i) =>
            gpuPool(`l4-${i}`, {
                zones,
                instanceType: i % 2 ? "g6.4xlarge" : "g6.12xlarge",
                market: i < 4 ? "on-demand" : "spot",
                replicas: 1,
            }),
        );
        const config = offlineStack(
            {
                "cluster-capacity:cluster": { name: "big", infraId: "big-abcde", openshiftVersion: "4.18", region: "us-east-1" },
                "cluster-capacity:lookups": "aws",
                "cluster-capacity:quotas": {},
                "cluster-capacity:ami": { namePattern: "rhcos-418.94.*-x86_64" },
            },
            pools,
        );
        const run = await runProgram(config, { ...PROD_AWS, quotas: { "L-DB2E81BA": 10000, "L-3819A6DF": 10000 } });
        assert.ifError(run.error);
        assert.deepStrictEqual(countByToken(run.invokes.map((i) => i.token)), {
            [TOKENS.callerIdentity]: 1,
            [TOKENS.instanceType]: 2,
            [TOKENS.serviceQuota]: 2,
            [TOKENS.ami]: 1,
            [TOKENS.product]: 2,
            [TOKENS.spotPrice]: 2,
            [TOKENS.offerings]: 2,
        });
        assert.strictEqual(rendered(run, "MachineSet").length, 18);
    });

    it("refuses a zone where AWS does not offer the pool's instance type, naming the zones that do, before registering anything", async () => {
        const config = offlineStack(
            {
                "cluster-capacity:cluster": { name: "p5", infraId: "p5-abcde", openshiftVersion: "4.18", region: "us-east-1" },
                "cluster-capacity:lookups": "aws",
                "cluster-capacity:quotas": {},
                "cluster-capacity:ami": { namePattern: "rhcos-418.94.*-x86_64" },
            },
            [gpuPool("h100", { instanceType: "p5.48xlarge", zones: ["us-east-1a", "us-east-1e"] })],
        );
        const run = await runProgram(config, {
            ...PROD_AWS,
            quotas: { "L-417A185B": 10000 },
            offerings: { "p5.48xlarge": ["us-east-1c", "us-east-1a"] },
        });
        assert.match(
            String(run.error),
            /cluster-capacity:pools\[0\]\.zones\[1\]: got "us-east-1e"; expected a zone where AWS offers p5\.48xlarge \(p5\.48xlarge is not offered in us-east-1e; offered in: us-east-1a, us-east-1c\)/,
        );
        assert.doesNotMatch(String(run.error), /zones\[0\]/);
        assert.strictEqual(run.resources.length, 0);
    });

    it("does not refuse a retired pool whose type AWS no longer offers in its zone, so it can still be removed", async () => {
        const retired = offlineStack(
            {
                "cluster-capacity:cluster": { name: "p5", infraId: "p5-abcde", openshiftVersion: "4.18", region: "us-east-1" },
                "cluster-capacity:lookups": "aws",
                "cluster-capacity:quotas": {},
                "cluster-capacity:ami": { namePattern: "rhcos-418.94.*-x86_64" },
            },
            [gpuPool("h100", { instanceType: "p5.48xlarge", zones: ["us-east-1e"], retired: true })],
        );
        const run = await runProgram(retired, {
            ...PROD_AWS,
            quotas: { "L-417A185B": 10000 },
            offerings: { "p5.48xlarge": ["us-east-1a"] },
        });
        assert.ifError(run.error);
    });

    it("does not let config lower the vCPUs AWS reports, so the quota cannot be bypassed", async () => {
        const stack = {
            ...stackFixture("prod"),
            "cluster-capacity:instanceTypes": { "g6.12xlarge": { vcpus: 1, gpuModel: "NVIDIA L4 (config)" } },
            "cluster-capacity:pools": [
                gpuPool("l4-quad", {
                    instanceType: "g6.12xlarge",
                    zones: ["us-east-1a"],
                    autoscaling: { minReplicas: 0, maxReplicas: 50 },
                }),
            ],
        };
        const run = await runProgram(stack, { ...PROD_AWS, quotas: { "L-DB2E81BA": 64 } });
        assert.match(String(run.error), /maximum demand 2400 vCPUs exceeds the quota of 64 vCPUs/);
        assert.deepStrictEqual(
            run.resources.filter((r) => r.type.startsWith("kubernetes:")),
            [],
        );
    });

    it("checks no zone offering offline, where nothing calls AWS", async () => {
        const run = await runProgram(offlineStack());
        assert.ifError(run.error);
        assert.deepStrictEqual(run.invokes, []);
    });

    /** The prod stack with an AMI name pattern, on a cluster whose boot images list no us-east-1 AMI. */
    const prodWithPattern = (extra: StackConfig = {}): StackConfig => ({
        ...stackFixture("prod"),
        "cluster-capacity:ami": { namePattern: "rhcos-418.94.*-x86_64" },
        ...extra,
    });
    const noBootImageHere = {
        ...PROD_AWS,
        clusterObjects: { ...PROD_AWS.clusterObjects, ...bootImagesConfigMap({ x86_64: { "eu-west-1": "ami-0e0e0e0e0e0e0e0e0" } }) },
    };
    const machineSetAmis = (run: ProgramRun) =>
        new Set(rendered(run, "MachineSet").map((m: any) => m.spec.template.spec.providerSpec.value.ami.id));

    it("takes each MachineSet's AMI from the boot image the cluster publishes, reading it once, with no AMI lookup", async () => {
        const run = await runProgram(stackFixture("prod"), PROD_AWS);
        assert.ifError(run.error);
        assert.deepStrictEqual(machineSetAmis(run), new Set([PROD_BOOT_IMAGE]));
        assert.deepStrictEqual(
            run.reads.filter((r) => r.includes("ConfigMap")),
            ["kubernetes:core/v1:ConfigMap::openshift-machine-config-operator/coreos-bootimages"],
        );
        assert.ok(!run.invokes.some((i) => i.token === TOKENS.ami));
    });

    it("prefers the cluster's boot image to a configured name pattern", async () => {
        const run = await runProgram(prodWithPattern(), PROD_AWS);
        assert.ifError(run.error);
        assert.deepStrictEqual(machineSetAmis(run), new Set([PROD_BOOT_IMAGE]));
    });

    it("picks the aarch64 boot image for a Graviton GPU type", async () => {
        const graviton = {
            ...PROD_AWS,
            clusterObjects: {
                ...PROD_AWS.clusterObjects,
                ...bootImagesConfigMap({
                    x86_64: { "us-east-1": PROD_BOOT_IMAGE },
                    aarch64: { "us-east-1": "ami-0a4c4a4c4a4c4a4c4" },
                }),
            },
        };
        const run = await runProgram(
            { ...stackFixture("prod"), "cluster-capacity:pools": [gpuPool("arm", { instanceType: "g5g.xlarge", zones: ["us-east-1a"] })] },
            { ...graviton, instanceTypes: { "g5g.xlarge": { vcpus: 4, memoryMiB: 8192, gpus: 1 } }, quotas: { "L-DB2E81BA": 64 } },
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(machineSetAmis(run), new Set(["ami-0a4c4a4c4a4c4a4c4"]));
    });

    it("falls back to the name pattern, in the cluster's region with the RHCOS owner, when the cluster lists no AMI there", async () => {
        const run = await runProgram(prodWithPattern(), noBootImageHere);
        assert.ifError(run.error);
        const ami = run.invokes.find((i) => i.token === TOKENS.ami);
        assert.deepStrictEqual(ami?.inputs, {
            owners: ["531415883065"],
            mostRecent: true,
            filters: [{ name: "name", values: ["rhcos-418.94.*-x86_64"] }],
            region: "us-east-1",
        });
        assert.deepStrictEqual(machineSetAmis(run), new Set(["ami-0f1e2d3c4b5a69788"]));
        const quota = run.invokes.find((i) => i.token === TOKENS.serviceQuota);
        assert.deepStrictEqual(quota?.inputs, { serviceCode: "ec2", quotaCode: "L-DB2E81BA", region: "us-east-1" });
    });

    it("names every source it tried when none has an AMI, before registering anything but the provider", async () => {
        const run = await runProgram(stackFixture("prod"), noBootImageHere);
        assert.match(
            String(run.error),
            /cluster-capacity:ami: got nothing; expected an AMI for g6\.4xlarge \(x86_64\) in us-east-1; tried: pinned id: not set; the cluster's boot image \(ConfigMap openshift-machine-config-operator\/coreos-bootimages\): it lists no x86_64 AMI in us-east-1; owners \+ namePattern lookup: no namePattern set/,
        );
        assert.match(
            String(run.error),
            /lookups failed; only the Kubernetes provider \(to read the cluster\) was registered, no cluster object/,
        );
        assert.deepStrictEqual(
            run.resources.map((r) => r.type),
            ["pulumi:providers:kubernetes"],
        );
    });

    it("checks the AWS account before reading the cluster, so a wrong account registers nothing at all", async () => {
        const run = await runProgram(stackFixture("prod"), { ...noBootImageHere, accountId: "444455556666" });
        assert.match(
            String(run.error),
            /cluster\.accountId: got "111122223333"; expected the account these AWS credentials belong to \(444455556666\)/,
        );
        assert.doesNotMatch(String(run.error), /coreos-bootimages/);
        assert.deepStrictEqual(run.resources, []);
        assert.deepStrictEqual(run.reads, []);
    });

    it("reads nothing from the cluster and looks nothing up for a pinned AMI", async () => {
        const run = await runProgram({ ...stackFixture("prod"), "cluster-capacity:ami": { id: "ami-0123456789abcdef0" } }, PROD_AWS);
        assert.ifError(run.error);
        assert.ok(!run.invokes.some((i) => i.token === TOKENS.ami));
        assert.deepStrictEqual(
            run.reads.filter((r) => r.includes("ConfigMap")),
            [],
        );
        assert.deepStrictEqual(machineSetAmis(run), new Set(["ami-0123456789abcdef0"]));
    });

    it("ignores AMI drift by default on 4.19, whose cluster rewrites MachineSet AMIs itself, whatever set the AMI first", async () => {
        const on419 = (extra: StackConfig = {}): StackConfig => ({
            ...stackFixture("prod"),
            "cluster-capacity:cluster": {
                ...(stackFixture("prod")["cluster-capacity:cluster"] as object),
                openshiftVersion: "4.19",
            },
            "cluster-capacity:gpuOperator": { enabled: true, version: "25.3.3" },
            ...extra,
        });
        const ignoresAmi = (run: ProgramRun) => {
            assert.ifError(run.error);
            const machineSets = resourcesOfKind(run, "MachineSet").filter((m) => m.type.startsWith("kubernetes:"));
            assert.ok(machineSets.length > 0);
            return machineSets.map((m) => m.ignoreChanges.includes("spec.template.spec.providerSpec.value.ami"));
        };
        assert.ok(ignoresAmi(await runProgram(on419(), PROD_AWS)).every(Boolean), "the cluster's boot image");
        const pinned = on419({ "cluster-capacity:ami": { id: "ami-0123456789abcdef0" } });
        assert.ok(ignoresAmi(await runProgram(pinned, PROD_AWS)).every(Boolean), "a pinned AMI");
        const fought = on419({ "cluster-capacity:ami": { id: "ami-0123456789abcdef0", managedByCluster: false } });
        assert.ok(!ignoresAmi(await runProgram(fought, PROD_AWS)).some(Boolean), "managedByCluster: false keeps setting it");
        const on418 = {
            ...stackFixture("prod"),
            "cluster-capacity:cluster": { ...(stackFixture("prod")["cluster-capacity:cluster"] as object), openshiftVersion: "4.18" },
        };
        assert.ok(!ignoresAmi(await runProgram(on418, PROD_AWS)).some(Boolean), "4.18 manages no boot images");
    });

    it("looks up a pool's own AMI query separately from the stack-wide one", async () => {
        const prod = prodWithPattern();
        const pools = [
            ...(prod["cluster-capacity:pools"] as object[]),
            gpuPool("l4-next", { zones: ["us-east-1a"], ami: { namePattern: "rhcos-419.96.*-x86_64" } }),
        ];
        const run = await runProgram(
            { ...prod, "cluster-capacity:pools": pools },
            { ...noBootImageHere, amis: { ...PROD_AWS.amis, "rhcos-419.96.*-x86_64": "ami-0aaaaaaaaaaaaaaaa" } },
        );
        assert.ifError(run.error);
        assert.strictEqual(run.invokes.filter((i) => i.token === TOKENS.ami).length, 2);
        const next = rendered(run, "MachineSet").find(
            (m) => (m.metadata as { name: string }).name === "prod-east-x8v2k-l4-next-us-east-1a",
        ) as { spec: { template: { spec: { providerSpec: { value: { ami: { id: string } } } } } } };
        assert.strictEqual(next.spec.template.spec.providerSpec.value.ami.id, "ami-0aaaaaaaaaaaaaaaa");
    });

    it("uses AWS's vCPU count for quota demand", async () => {
        const run = await runProgram(stackFixture("prod"), {
            ...PROD_AWS,
            instanceTypes: {
                "g6.4xlarge": { vcpus: 20, memoryMiB: 65536, gpus: 1 },
                "g6.12xlarge": { vcpus: 48, memoryMiB: 196608, gpus: 4 },
                "g6.xlarge": { vcpus: 4, memoryMiB: 16384, gpus: 1 },
            },
        });
        assert.ifError(run.error);
        const pools = run.outputs?.pools as Record<string, { vcpuDemand: number }>;
        assert.strictEqual(pools["l4-single"].vcpuDemand, 20 * 2 * 3);
    });

    it("reports the AWS account the stack ran against", async () => {
        const run = await runProgram(stackFixture("prod"), PROD_AWS);
        assert.strictEqual(run.outputs?.awsAccountId, "111122223333");
    });
});
