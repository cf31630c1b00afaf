import * as assert from "assert";
import { runProgram, rendered, resourcesOfKind, ProgramRun, StackConfig, renderedObject as find, renderedObject } from "../support/harness";
import { gpuPool, offlineStack } from "../support/scenarios";
import { mandatory, runPolicyPack } from "../support/policyHarness";
import { cpuQuantity, queueQuotas } from "../../lib/plan/kueueQuotas";
import { gpuResourcesPerNode, PoolPlan } from "../../lib/plan";
import { BUILTIN_INSTANCE_TYPES } from "../../policy/lib/catalogue";

const gpuQuota = (queue: any, flavor: string) =>
    queue.spec.resourceGroups[0].flavors.find((f: any) => f.name === flavor).resources.find((r: any) => r.name === "nvidia.com/gpu")
        .nominalQuota;

/** The two-node-type L4 cluster of the runbook: one g6.4xlarge and one g6.12xlarge, one project namespace. */
const twoNodeTypes = (
    kueue: object = {},
    pools = [gpuPool("l4-single"), gpuPool("l4-quad", { instanceType: "g6.12xlarge" })],
): StackConfig => offlineStack({ "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "team-a" }], ...kueue } }, pools);

describe("Kueue GPU-as-a-service", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(twoNodeTypes());
        assert.ifError(run.error);
    });

    it("gives a g6.4xlarge pool of one node and a g6.12xlarge pool of one node nvidia.com/gpu quotas 1 and 4", () => {
        const queue = find(run, "ClusterQueue", "gpu-cluster-queue");
        assert.deepStrictEqual([gpuQuota(queue, "l4-single"), gpuQuota(queue, "l4-quad")], ["1", "4"]);
    });

    it("covers cpu, memory and the GPU resource in one resource group, quotas derived from allocatable capacity", () => {
        const queue = find(run, "ClusterQueue");
        assert.strictEqual(queue.apiVersion, "kueue.x-k8s.io/v1beta2");
        assert.deepStrictEqual(queue.spec.resourceGroups[0].coveredResources, ["cpu", "memory", "nvidia.com/gpu"]);
        const single = queue.spec.resourceGroups[0].flavors.find((f: any) => f.name === "l4-single");
        assert.deepStrictEqual(single.resources, [
            { name: "cpu", nominalQuota: "15500m" },
            { name: "memory", nominalQuota: `${65536 - 1124}Mi` },
            { name: "nvidia.com/gpu", nominalQuota: "1" },
        ]);
    });

    it("gives each pool a flavor selecting exactly its nodes, even next to a pool of the same instance type", async () => {
        const twins = await runProgram(twoNodeTypes({}, [gpuPool("a"), gpuPool("b")]));
        const flavors = rendered(twins, "ResourceFlavor") as any[];
        assert.deepStrictEqual(flavors.map((f) => [f.metadata.name, f.spec.nodeLabels]).sort(), [
            ["a", { "cluster-capacity.io/pool": "a" }],
            ["b", { "cluster-capacity.io/pool": "b" }],
        ]);
        const machineSetLabels = (rendered(twins, "MachineSet") as any[]).map(
            (m) => m.spec.template.spec.metadata.labels["cluster-capacity.io/pool"],
        );
        assert.deepStrictEqual(machineSetLabels.sort(), ["a", "b"]);
    });

    it("gives each flavor tolerations matching its pool's taints", async () => {
        const tainted = await runProgram(
            twoNodeTypes({}, [
                gpuPool("l4", {
                    taints: [
                        { key: "nvidia.com/gpu", value: "l4", effect: "NoSchedule" },
                        { key: "team", effect: "NoExecute" },
                    ],
                }),
            ]),
        );
        assert.deepStrictEqual(find(tainted, "ResourceFlavor", "l4").spec.tolerations, [
            { key: "nvidia.com/gpu", operator: "Equal", value: "l4", effect: "NoSchedule" },
            { key: "team", operator: "Exists", effect: "NoExecute" },
        ]);
    });

    it("uses the pool's kueueFlavor name when set", async () => {
        const named = await runProgram(twoNodeTypes({}, [gpuPool("l4", { kueueFlavor: "nvidia-l4" })]));
        assert.strictEqual(find(named, "ResourceFlavor").metadata.name, "nvidia-l4");
        assert.strictEqual(find(named, "ClusterQueue").spec.resourceGroups[0].flavors[0].name, "nvidia-l4");
    });

    it("multiplies GPUs by time-slicing replicas and by the autoscaler maximum in every zone", async () => {
        const scaled = await runProgram(
            offlineStack({ "cluster-capacity:kueue": { enabled: true }, "cluster-capacity:gpuOperator": { enabled: true } }, [
                gpuPool("l4", { zones: ["us-east-2a", "us-east-2b"], autoscaling: { minReplicas: 0, maxReplicas: 3 }, timeSlicing: 4 }),
            ]),
        );
        assert.strictEqual(gpuQuota(find(scaled, "ClusterQueue"), "l4"), String(1 * 4 * 3 * 2));
    });

    it("creates a LocalQueue per namespace, named <namespace>-queue by default, and the namespace when asked", async () => {
        const queues = await runProgram(
            twoNodeTypes({ namespaces: [{ name: "team-a" }, { name: "team-b", localQueue: "gpus", create: true }] }),
        );
        assert.deepStrictEqual(
            (rendered(queues, "LocalQueue") as any[]).map((q) => [q.metadata.namespace, q.metadata.name, q.spec.clusterQueue]).sort(),
            [
                ["team-a", "team-a-queue", "gpu-cluster-queue"],
                ["team-b", "gpus", "gpu-cluster-queue"],
            ],
        );
        assert.deepStrictEqual(
            resourcesOfKind(queues, "Namespace").map((n) => n.inputs.metadata),
            [{ name: "team-b", labels: { "kueue.openshift.io/managed": "true" } }],
        );
    });

    it("labels an existing tenant namespace kueue.openshift.io/managed=true by applying that label alone", async () => {
        const queues = await runProgram(twoNodeTypes({ namespaces: [{ name: "team-a" }, { name: "team-b", create: true }] }));
        const patches = resourcesOfKind(queues, "NamespacePatch");
        assert.deepStrictEqual(
            patches.map((p) => p.type),
            ["kubernetes:core/v1:NamespacePatch"],
        );
        assert.deepStrictEqual(patches[0].inputs.metadata, { name: "team-a", labels: { "kueue.openshift.io/managed": "true" } });
        assert.strictEqual(patches[0].inputs.spec, undefined, "the patch owns no field but the label");
        const localQueue = resourcesOfKind(queues, "LocalQueue").find((q) => (q.inputs as any).metadata.namespace === "team-a");
        assert.ok(localQueue?.dependencies.includes(patches[0].urn), "the LocalQueue waits for the label");
    });

    it("labels no namespace on plain Kubernetes, where upstream Kueue needs no label", async () => {
        const lab = await runProgram(
            offlineStack(
                {
                    "cluster-capacity:cluster": { name: "lab", platform: "kubernetes" },
                    "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "a" }, { name: "b", create: true }] },
                },
                [gpuPool("l4", { zones: ["rack-1"] })],
            ),
        );
        assert.ifError(lab.error);
        assert.deepStrictEqual(resourcesOfKind(lab, "NamespacePatch"), []);
        assert.deepStrictEqual(
            resourcesOfKind(lab, "Namespace").map((n) => n.inputs.metadata),
            [{ name: "b" }],
        );
    });

    it("admits only the configured namespaces to the ClusterQueue", () => {
        assert.deepStrictEqual(find(run, "ClusterQueue").spec.namespaceSelector, {
            matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["team-a"] }],
        });
    });

    it("puts the queue in a cohort with cohortName on v1beta2 and cohort on v1beta1", async () => {
        const v2 = await runProgram(twoNodeTypes({ cohort: "research" }));
        assert.strictEqual(find(v2, "ClusterQueue").spec.cohortName, "research");
        assert.strictEqual(find(v2, "ClusterQueue").spec.preemption.reclaimWithinCohort, "Any");
        const v1 = await runProgram(twoNodeTypes({ cohort: "research", apiVersion: "v1beta1" }));
        const queue = find(v1, "ClusterQueue");
        assert.strictEqual(queue.apiVersion, "kueue.x-k8s.io/v1beta1");
        assert.strictEqual(queue.spec.cohort, "research");
        assert.ok(!("cohortName" in queue.spec));
        assert.ok((rendered(v1, "ResourceFlavor") as any[]).every((f) => f.apiVersion === "kueue.x-k8s.io/v1beta1"));
    });

    it("applies the queueing strategy and preemption settings", async () => {
        const strict = await runProgram(twoNodeTypes({ queueingStrategy: "StrictFIFO", preemption: { withinClusterQueue: "Never" } }));
        const spec = find(strict, "ClusterQueue").spec;
        assert.strictEqual(spec.queueingStrategy, "StrictFIFO");
        assert.deepStrictEqual(spec.preemption, { withinClusterQueue: "Never", reclaimWithinCohort: "Never" });
    });

    it("renders WorkloadPriorityClasses with their values", async () => {
        const prioritised = await runProgram(
            twoNodeTypes({
                priorityClasses: [
                    { name: "interactive", value: 1000, description: "notebooks" },
                    { name: "batch", value: 100 },
                ],
            }),
        );
        assert.deepStrictEqual(
            (rendered(prioritised, "WorkloadPriorityClass") as any[]).map((p) => [p.metadata.name, p.value, p.description]).sort(),
            [
                ["batch", 100, undefined],
                ["interactive", 1000, "notebooks"],
            ],
        );
    });

    it("offers an OpenShift AI HardwareProfile per flavor that submits to the tenant's LocalQueue", async () => {
        const profiled = await runProgram(twoNodeTypes({ hardwareProfiles: { enabled: true, localQueue: "team-a-queue" } }));
        const profile = find(profiled, "HardwareProfile", "l4-quad");
        assert.strictEqual(profile.metadata.namespace, "redhat-ods-applications");
        assert.deepStrictEqual(profile.spec.scheduling, { type: "Queue", kueue: { localQueueName: "team-a-queue" } });
        assert.deepStrictEqual(profile.spec.identifiers[2], {
            displayName: "NVIDIA L4",
            identifier: "nvidia.com/gpu",
            maxCount: 4,
            resourceType: "Accelerator",
            minCount: 1,
            defaultCount: 1,
        });
    });

    it("submits HardwareProfiles to the only LocalQueue when none is named", async () => {
        const profiled = await runProgram(twoNodeTypes({ hardwareProfiles: { enabled: true } }));
        assert.ifError(profiled.error);
        assert.deepStrictEqual(find(profiled, "HardwareProfile", "l4-quad").spec.scheduling.kueue, { localQueueName: "team-a-queue" });
    });

    it("asks which LocalQueue HardwareProfiles submit to only when there are several", async () => {
        const ambiguous = await runProgram(
            twoNodeTypes({ namespaces: [{ name: "team-a" }, { name: "team-b" }], hardwareProfiles: { enabled: true } }),
        );
        assert.match(
            String(ambiguous.error),
            /kueue\.hardwareProfiles\.localQueue: got nothing; expected the LocalQueue the profiles submit to, one of: team-a-queue, team-b-queue/,
        );
        assert.strictEqual(ambiguous.resources.length, 0);
    });

    it("installs the Red Hat build of Kueue and its Kueue CR named cluster before the queues", async () => {
        const managed = await runProgram(twoNodeTypes({ operator: { enabled: true } }));
        const subscription = find(managed, "Subscription", "kueue-operator");
        assert.deepStrictEqual(
            [subscription.metadata.namespace, subscription.spec.source],
            ["openshift-kueue-operator", "redhat-operators"],
        );
        assert.deepStrictEqual(find(managed, "OperatorGroup").spec, {});
        const operatorNamespace = resourcesOfKind(managed, "NamespacePatch").find(
            (n) => (n.inputs as any).metadata.name === "openshift-kueue-operator",
        );
        assert.deepStrictEqual((operatorNamespace?.inputs as any).metadata.labels, { "openshift.io/cluster-monitoring": "true" });
        const kueueCr = find(managed, "Kueue", "cluster");
        assert.deepStrictEqual(kueueCr.spec.config.integrations.frameworks, ["BatchJob", "PyTorchJob", "RayJob", "RayCluster"]);
        const [cr] = resourcesOfKind(managed, "Kueue").filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(resourcesOfKind(managed, "ResourceFlavor").every((f) => f.dependencies.includes(cr.urn)));
    });

    it("passes the policy pack, flavors selecting nodes that exist", async () => {
        assert.deepStrictEqual(mandatory(await runPolicyPack(run, { "pool-within-quota": { quotas: { "L-DB2E81BA": 1024 } } })), []);
    });

    it("reports each flavor's quota in the stack outputs", () => {
        assert.deepStrictEqual((run.outputs as any).kueue.flavors["l4-quad"]["nvidia.com/gpu"], "4");
    });
    it("refuses more flavors than a ClusterQueue holds (64, Kueue's CRD), naming the key, before registering anything", async () => {
        const pools = (n: number) => Array.from({ length: n }, (_, i) => gpuPool(`p${i}`, { replicas: 0 }));
        const fits = await runProgram(twoNodeTypes({}, pools(64)));
        assert.ifError(fits.error);
        assert.strictEqual(renderedObject(fits, "ClusterQueue").spec.resourceGroups[0].flavors.length, 64);
        const tooMany = await runProgram(twoNodeTypes({}, pools(65)));
        assert.match(String(tooMany.error?.message), /cluster-capacity:kueue\.enabled/);
        assert.match(String(tooMany.error?.message), /these make 65 .* a ClusterQueue holds at most 64/);
        assert.deepStrictEqual(tooMany.resources, []);
    });
});

describe("Kueue quota arithmetic", () => {
    const plan = (name: string, instanceType: string, maxNodes: number, extra: Partial<PoolPlan["pool"]> = {}): PoolPlan => {
        const pool = {
            name,
            kueueFlavor: name,
            accelerator: "nvidia",
            instanceType,
            market: "on-demand",
            capacityReservations: [],
            ...extra,
        };
        const spec = BUILTIN_INSTANCE_TYPES[instanceType];
        return { pool, spec, maxNodes, gpuResourcesPerNode: gpuResourcesPerNode(pool as PoolPlan["pool"], spec) } as PoolPlan;
    };

    it("writes whole cores without a unit and fractions in millicores", () => {
        assert.deepStrictEqual([cpuQuantity(31000), cpuQuantity(47500)], ["31", "47500m"]);
    });

    it("gives Neuron flavors device quotas, NeuronCores when asked, and zeros for resources they lack", () => {
        const quotas = queueQuotas([plan("l4", "g6.xlarge", 2), plan("inf", "inf2.24xlarge", 1, { accelerator: "neuron" })], true);
        assert.deepStrictEqual(quotas.coveredResources, [
            "cpu",
            "memory",
            "nvidia.com/gpu",
            "aws.amazon.com/neuron",
            "aws.amazon.com/neuroncore",
        ]);
        assert.deepStrictEqual(quotas.flavors[1].nominalQuota, {
            cpu: "95500m",
            memory: `${384 * 1024 - 1124}Mi`,
            "nvidia.com/gpu": "0",
            "aws.amazon.com/neuron": "6",
            "aws.amazon.com/neuroncore": "12",
        });
        assert.strictEqual(quotas.flavors[0].nominalQuota["aws.amazon.com/neuron"], "0");
    });

    it("gives a retired pool (no machines) a zero quota", () => {
        const quotas = queueQuotas([plan("old", "g6.4xlarge", 0)], false);
        assert.deepStrictEqual(quotas.flavors[0].nominalQuota, { cpu: "0", memory: "0Mi", "nvidia.com/gpu": "0" });
    });
});
