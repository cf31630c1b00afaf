import * as assert from "assert";
import { runProgram, rendered, resourcesOfKind, ProgramRun } from "../support/harness";
import { gpuPool, multiPoolStack, offlineStack, stackFixture } from "../support/scenarios";
import { deepMerge } from "../../components/machineSetManifest";
import { GpuPool, type GpuPoolArgs, InferentiaPool } from "../../components/acceleratorPool";
import { Kueue, type KueueArgs } from "../../components/kueue";

const machineSet = (run: ProgramRun, name: string): any => {
    const found = rendered(run, "MachineSet").find((m: any) => m.metadata.name === name);
    assert.ok(
        found,
        `no MachineSet ${name}; have ${rendered(run, "MachineSet")
            .map((m: any) => m.metadata.name)
            .join(", ")}`,
    );
    return found;
};
const providerSpec = (run: ProgramRun, name: string): any => machineSet(run, name).spec.template.spec.providerSpec.value;

describe("GpuPool MachineSets", () => {
    let dev: ProgramRun;
    before(async () => {
        dev = await runProgram(stackFixture("dev"));
        assert.ifError(dev.error);
    });

    it("renders one MachineSet per pool and zone, named <infraId>-<pool>-<zone>, in openshift-machine-api", () => {
        const names = rendered(dev, "MachineSet").map((m: any) => `${m.metadata.namespace}/${m.metadata.name}`);
        assert.deepStrictEqual(names.sort(), [
            "openshift-machine-api/dev-7xk2p-l4-quad-us-east-2a",
            "openshift-machine-api/dev-7xk2p-l4-us-east-2a",
            "openshift-machine-api/dev-7xk2p-l4-us-east-2b",
            "openshift-machine-api/dev-7xk2p-starter-spot-us-east-2c",
        ]);
    });

    it("protects every MachineSet so no update can delete or replace a node pool", () => {
        const sets = resourcesOfKind(dev, "MachineSet");
        assert.strictEqual(sets.length, 4);
        assert.ok(sets.every((r) => r.protect));
    });

    it("selects its machines by cluster and MachineSet labels and carries role and type on the template", () => {
        const ms = machineSet(dev, "dev-7xk2p-l4-us-east-2a");
        const selector = {
            "machine.openshift.io/cluster-api-cluster": "dev-7xk2p",
            "machine.openshift.io/cluster-api-machineset": "dev-7xk2p-l4-us-east-2a",
        };
        assert.deepStrictEqual(ms.spec.selector.matchLabels, selector);
        assert.deepStrictEqual(ms.spec.template.metadata.labels, {
            ...selector,
            "machine.openshift.io/cluster-api-machine-role": "worker-gpu",
            "machine.openshift.io/cluster-api-machine-type": "worker-gpu",
        });
    });

    it("labels nodes as workers of the worker-gpu pool, with the pool, the accelerator label and the pool's own labels", () => {
        assert.deepStrictEqual(machineSet(dev, "dev-7xk2p-l4-us-east-2a").spec.template.spec.metadata.labels, {
            "gpu.example.com/tier": "shared",
            "node-role.kubernetes.io/worker": "",
            "node-role.kubernetes.io/worker-gpu": "",
            "cluster-capacity.io/pool": "l4",
            "cluster-api/accelerator": "l4",
            "nvidia.com/device-plugin.config": "time-sliced-4",
        });
    });

    it("taints GPU nodes nvidia.com/gpu=true:NoSchedule by default", () => {
        assert.deepStrictEqual(machineSet(dev, "dev-7xk2p-l4-us-east-2a").spec.template.spec.taints, [
            { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" },
        ]);
    });

    it("requires IMDSv2 and encrypts a gp3 root volume of the configured size, its empty kmsKey as the Machine API stores it", () => {
        const spec = providerSpec(dev, "dev-7xk2p-l4-quad-us-east-2a");
        assert.deepStrictEqual(spec.metadataServiceOptions, { authentication: "Required" });
        assert.deepStrictEqual(spec.blockDevices, [{ ebs: { encrypted: true, volumeSize: 250, volumeType: "gp3", kmsKey: {} } }]);
    });

    it("follows the installer's conventions for instance profile, secrets and the owned tag", () => {
        const spec = providerSpec(dev, "dev-7xk2p-l4-us-east-2a");
        assert.deepStrictEqual(spec.iamInstanceProfile, { id: "dev-7xk2p-worker-profile" });
        assert.deepStrictEqual(spec.userDataSecret, { name: "worker-user-data" });
        assert.deepStrictEqual(spec.credentialsSecret, { name: "aws-cloud-credentials" });
        assert.deepStrictEqual(spec.tags, [{ name: "kubernetes.io/cluster/dev-7xk2p", value: "owned" }]);
        assert.deepStrictEqual(spec.placement, { region: "us-east-2", availabilityZone: "us-east-2a" });
        assert.strictEqual(spec.instanceType, "g6.4xlarge");
        assert.deepStrictEqual(spec.ami, { id: "ami-0a5e3b2c9d8f71e46" });
    });

    it("takes subnets and security groups from the stack's explicit network", () => {
        const spec = providerSpec(dev, "dev-7xk2p-l4-us-east-2b");
        assert.deepStrictEqual(spec.subnet, { filters: [{ name: "tag:Name", values: ["dev-7xk2p-subnet-private-us-east-2b"] }] });
        assert.deepStrictEqual(spec.securityGroups, [
            { filters: [{ name: "tag:Name", values: ["dev-7xk2p-node"] }] },
            { filters: [{ name: "tag:Name", values: ["dev-7xk2p-lb"] }] },
        ]);
    });

    it("asks for spot capacity only for spot pools", () => {
        assert.deepStrictEqual(providerSpec(dev, "dev-7xk2p-starter-spot-us-east-2c").spotMarketOptions, {});
        assert.ok(!("spotMarketOptions" in providerSpec(dev, "dev-7xk2p-l4-us-east-2a")));
    });

    it("deep-merges a pool's providerSpec override, with null removing a key", async () => {
        const override = {
            securityGroups: [{ filters: [{ name: "tag:Name", values: ["site-gpu-sg"] }] }],
            placement: { tenancy: "dedicated" },
            deviceIndex: null,
        };
        const run = await runProgram(offlineStack({}, [gpuPool("l4", { providerSpec: override })]));
        assert.ifError(run.error);
        const spec = providerSpec(run, "test-abcde-l4-us-east-2a");
        assert.deepStrictEqual(spec.securityGroups, override.securityGroups);
        assert.deepStrictEqual(spec.placement, { region: "us-east-2", availabilityZone: "us-east-2a", tenancy: "dedicated" });
        assert.ok(!("deviceIndex" in spec));
        assert.deepStrictEqual(spec.metadataServiceOptions, { authentication: "Required" });
    });

    it("renders io2 root volumes with IOPS and a customer KMS key", async () => {
        const run = await runProgram(multiPoolStack());
        assert.deepStrictEqual(providerSpec(run, "multi-q7w2e-h100-us-east-2b").blockDevices, [
            {
                ebs: {
                    encrypted: true,
                    volumeSize: 1000,
                    volumeType: "io2",
                    iops: 16000,
                    kmsKey: { arn: "arn:aws:kms:us-east-2:111122223333:key/abc" },
                },
            },
        ]);
    });

    it("parents each MachineSet to its GpuPool component and sends it through the explicit provider", () => {
        const pools = resourcesOfKind(dev, "GpuPool");
        assert.deepStrictEqual(
            pools.map((p) => p.type),
            Array(3).fill("cluster-capacity:index:GpuPool"),
        );
        for (const ms of resourcesOfKind(dev, "MachineSet")) {
            assert.match(ms.parent, /cluster-capacity:index:GpuPool::/);
            assert.match(ms.provider, /pulumi:providers:kubernetes::cluster-capacity::/);
        }
    });
});

describe("autoscaling", () => {
    let dev: ProgramRun;
    before(async () => {
        dev = await runProgram(stackFixture("dev"));
        assert.ifError(dev.error);
    });

    it("limits each GPU type by the GPUs its nodes advertise, time-slicing replicas included", () => {
        const [autoscaler] = rendered(dev, "ClusterAutoscaler") as any[];
        // l4: 1 GPU × 4 time-slicing replicas × 1 node per zone × 2 zones
        assert.deepStrictEqual(
            autoscaler.spec.resourceLimits.gpus.find((g: any) => g.type === "l4"),
            { type: "l4", min: 0, max: 8 },
        );
    });

    it("gives every autoscaled MachineSet a MachineAutoscaler with the pool's per-zone bounds", () => {
        const autoscalers = rendered(dev, "MachineAutoscaler") as any[];
        assert.deepStrictEqual(
            autoscalers
                .map((a) => [a.metadata.name, a.metadata.namespace, a.spec.minReplicas, a.spec.maxReplicas, a.spec.scaleTargetRef.name])
                .sort(),
            [
                ["dev-7xk2p-l4-us-east-2a", "openshift-machine-api", 0, 1, "dev-7xk2p-l4-us-east-2a"],
                ["dev-7xk2p-l4-us-east-2b", "openshift-machine-api", 0, 1, "dev-7xk2p-l4-us-east-2b"],
                ["dev-7xk2p-starter-spot-us-east-2c", "openshift-machine-api", 0, 2, "dev-7xk2p-starter-spot-us-east-2c"],
            ],
        );
        assert.ok(
            autoscalers.every(
                (a) => a.spec.scaleTargetRef.kind === "MachineSet" && a.spec.scaleTargetRef.apiVersion === "machine.openshift.io/v1beta1",
            ),
        );
    });

    it("lets the autoscaler own spec.replicas of autoscaled MachineSets only (and the dev stack's 4.22 cluster its AMI)", () => {
        const byName = Object.fromEntries(resourcesOfKind(dev, "MachineSet").map((r) => [r.name, r.ignoreChanges]));
        const ami = "spec.template.spec.providerSpec.value.ami";
        assert.deepStrictEqual(byName["l4-us-east-2a"], ["spec.replicas", ami]);
        assert.deepStrictEqual(byName["l4-quad-us-east-2a"], [ami]);
    });

    it("renders one ClusterAutoscaler named default whose GPU types are the accelerator labels", () => {
        const [autoscaler, ...others] = rendered(dev, "ClusterAutoscaler") as any[];
        assert.deepStrictEqual(others, []);
        assert.strictEqual(autoscaler.metadata.name, "default");
        const labels = new Set(
            rendered(dev, "MachineSet").map((m: any) => m.spec.template.spec.metadata.labels["cluster-api/accelerator"]),
        );
        assert.deepStrictEqual(new Set(autoscaler.spec.resourceLimits.gpus.map((g: any) => g.type)), labels);
        assert.deepStrictEqual(
            autoscaler.spec.resourceLimits.gpus.find((g: any) => g.type === "l4-quad"),
            { type: "l4-quad", min: 0, max: 4 },
        );
    });

    it("renders no ClusterAutoscaler when no pool autoscales", async () => {
        const run = await runProgram(offlineStack());
        assert.deepStrictEqual(rendered(run, "ClusterAutoscaler"), []);
        assert.deepStrictEqual(rendered(run, "MachineAutoscaler"), []);
    });
});

describe("boot-image management", () => {
    it("ignores AMI drift on OpenShift 4.19 when the cluster manages boot images", async () => {
        const run = await runProgram(
            offlineStack({
                "cluster-capacity:cluster": { name: "new", infraId: "new-abcde", openshiftVersion: "4.19", region: "us-east-2" },
                "cluster-capacity:ami": { id: "ami-0123456789abcdef0", managedByCluster: true },
            }),
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(resourcesOfKind(run, "MachineSet")[0].ignoreChanges, ["spec.template.spec.providerSpec.value.ami"]);
    });
});

describe("GPU node tuning", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(multiPoolStack());
        assert.ifError(run.error);
    });

    it("renders the worker-gpu MachineConfigPool inheriting worker MachineConfigs, one node down at a time", () => {
        const pool = (rendered(run, "MachineConfigPool") as any[]).find((p) => p.metadata.name === "worker-gpu");
        assert.deepStrictEqual(pool.spec, {
            machineConfigSelector: {
                matchExpressions: [{ key: "machineconfiguration.openshift.io/role", operator: "In", values: ["worker", "worker-gpu"] }],
            },
            nodeSelector: { matchLabels: { "node-role.kubernetes.io/worker-gpu": "" } },
            maxUnavailable: 1,
        });
    });

    it("gives a pool with sysctls or kernel arguments its own MachineConfigPool that also inherits the GPU base", () => {
        const pool = (rendered(run, "MachineConfigPool") as any[]).find((p) => p.metadata.name === "worker-gpu-h100");
        assert.deepStrictEqual(pool.spec.machineConfigSelector.matchExpressions[0].values, ["worker", "worker-gpu", "worker-gpu-h100"]);
        assert.strictEqual(
            machineSet(run, "multi-q7w2e-h100-us-east-2b").spec.template.spec.metadata.labels["node-role.kubernetes.io/worker-gpu-h100"],
            "",
        );
        assert.ok(
            !("node-role.kubernetes.io/worker-gpu" in machineSet(run, "multi-q7w2e-h100-us-east-2b").spec.template.spec.metadata.labels),
        );
    });

    it("writes the pool's sysctls and kernel arguments into its MachineConfig, Ignition 3.4.0 on 4.18", () => {
        const config = (rendered(run, "MachineConfig") as any[]).find((c) => c.metadata.name === "99-worker-gpu-h100-cluster-capacity");
        assert.deepStrictEqual(config.metadata.labels, { "machineconfiguration.openshift.io/role": "worker-gpu-h100" });
        assert.strictEqual(config.spec.config.ignition.version, "3.4.0");
        assert.deepStrictEqual(config.spec.kernelArguments, ["iommu=pt"]);
        const [file] = config.spec.config.storage.files;
        assert.strictEqual(file.path, "/etc/sysctl.d/99-worker-gpu-h100-cluster-capacity.conf");
        assert.strictEqual(decodeURIComponent(file.contents.source.replace("data:,", "")), "net.core.rmem_max = 16777216\n");
    });

    it("applies base GPU tuning to the worker-gpu role", () => {
        const base = (rendered(run, "MachineConfig") as any[]).find((c) => c.metadata.name === "99-worker-gpu-cluster-capacity");
        assert.deepStrictEqual(base.metadata.labels, { "machineconfiguration.openshift.io/role": "worker-gpu" });
        assert.match(decodeURIComponent(base.spec.config.storage.files[0].contents.source), /kernel\.numa_balancing = 0/);
    });

    it("keeps resource names unique whatever the pools are called", async () => {
        const run = await runProgram(
            offlineStack({}, [
                gpuPool("base", { sysctls: { "vm.swappiness": 1 } }),
                gpuPool("worker-gpu", { kernelArguments: ["iommu=pt"] }),
            ]),
        );
        assert.ifError(run.error);
    });

    it("uses Ignition 3.2.0 before OpenShift 4.14", async () => {
        const old = await runProgram(multiPoolStack("4.13"));
        assert.ifError(old.error);
        assert.ok((rendered(old, "MachineConfig") as any[]).every((c) => c.spec.config.ignition.version === "3.2.0"));
    });
});

describe("Kubernetes provider", () => {
    it("renders YAML to renderDirectory instead of talking to a cluster", async () => {
        const run = await runProgram(stackFixture("dev"));
        const [provider] = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        assert.strictEqual(provider.inputs.renderYamlToDirectory, "rendered/dev");
    });

    it("uses the configured kube context otherwise", async () => {
        const run = await runProgram(
            offlineStack({ "cluster-capacity:renderDirectory": undefined, "cluster-capacity:kubernetes": { context: "admin" } }),
        );
        assert.ifError(run.error);
        const [provider] = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        assert.strictEqual(provider.inputs.context, "admin");
        assert.ok(!("renderYamlToDirectory" in provider.inputs));
    });
});

describe("stack outputs", () => {
    it("reports per pool the MachineSets, max nodes, max GPUs, quota code and vCPU demand, and per quota the headroom", async () => {
        const run = await runProgram(stackFixture("dev"));
        const outputs = run.outputs as any;
        assert.deepStrictEqual(outputs.pools["l4-quad"], {
            instanceType: "g6.12xlarge",
            market: "on-demand",
            retired: false,
            machineSets: ["dev-7xk2p-l4-quad-us-east-2a"],
            maxNodes: 1,
            maxGpus: 4,
            maxNeuronDevices: 0,
            quotaCode: "L-DB2E81BA",
            vcpuDemand: 48,
        });
        assert.deepStrictEqual(outputs.quotas["L-DB2E81BA"], {
            name: "Running On-Demand G and VT instances",
            limit: 96,
            demand: 80,
            headroom: 16,
            usedOutside: null,
            desired: 48,
            headroomNow: null,
        });
    });
});

describe("Inferentia pools", () => {
    it("render MachineSets with the neuron taint, no accelerator label and no GPU MachineConfigPool on 4.19 with the gate open", async () => {
        const run = await runProgram(
            offlineStack(
                {
                    "cluster-capacity:cluster": { name: "inf", infraId: "inf-abcde", openshiftVersion: "4.19", region: "us-east-2" },
                    "cluster-capacity:neuron": { enabled: true },
                },
                [gpuPool("inf2", { accelerator: "neuron", instanceType: "inf2.xlarge" })],
            ),
        );
        assert.ifError(run.error);
        const ms = machineSet(run, "inf-abcde-inf2-us-east-2a");
        assert.deepStrictEqual(ms.spec.template.spec.taints, [{ key: "aws.amazon.com/neuron", value: "true", effect: "PreferNoSchedule" }]);
        assert.deepStrictEqual(ms.spec.template.spec.metadata.labels, {
            "node-role.kubernetes.io/worker": "",
            "cluster-capacity.io/pool": "inf2",
        });
        assert.deepStrictEqual(rendered(run, "MachineConfigPool"), []);
        assert.strictEqual(resourcesOfKind(run, "InferentiaPool")[0].type, "cluster-capacity:index:InferentiaPool");
        assert.strictEqual((run.outputs as any).pools.inf2.maxNeuronDevices, 1);
    });
});

describe("deepMerge", () => {
    it("merges objects key by key, replaces arrays and scalars, and removes null keys", () => {
        assert.deepStrictEqual(deepMerge({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2], e: 3 }, d: null }), { a: { b: 1, c: [2], e: 3 } });
    });
});

describe("component arguments checked up front", () => {
    const poolArgs = (accelerator: string, extra: Record<string, unknown> = {}) =>
        ({
            infraId: "test-abcde",
            region: "us-east-2",
            plan: { pool: { name: "p", accelerator }, amiId: "ami-0123456789abcdef0", machineSets: [] },
            machineConfigRole: "worker-gpu",
            ...extra,
        }) as unknown as GpuPoolArgs;

    it("refuses a Neuron plan in a GpuPool, naming the property path, before creating anything", () => {
        assert.throws(
            () => new GpuPool("p", poolArgs("neuron")),
            /GpuPool p: args\.plan\.pool\.accelerator is "neuron"; expected nvidia \(InferentiaPool takes the others\)/,
        );
        assert.throws(
            () => new InferentiaPool("p", poolArgs("nvidia")),
            /InferentiaPool p: args\.plan\.pool\.accelerator is "nvidia"; expected neuron/,
        );
    });

    it("refuses a pool without an infrastructure id or AMI", () => {
        assert.throws(
            () => new GpuPool("p", poolArgs("nvidia", { infraId: "" })),
            /GpuPool p: args\.infraId is ""; expected the cluster's infrastructure id/,
        );
    });

    it("refuses a Kueue without pools", () => {
        assert.throws(
            () => new Kueue("kueue", { pools: [] } as unknown as KueueArgs),
            /Kueue kueue: args\.pools is \[\]; expected at least one pool, whose capacity is the ClusterQueue's quota/,
        );
    });
});
