import * as assert from "assert";
import { runProgram, rendered, resourcesOfKind, ProgramRun, StackConfig, renderedObject as find } from "../support/harness";
import { gpuPool, offlineStack } from "../support/scenarios";
import { mandatory, runPolicyPack } from "../support/policyHarness";

/** A 4.19 cluster with a spot L4 starter pool and an Inferentia pool, Kueue in front of both. */
const spotAndInferentia = (neuron: object = {}): StackConfig =>
    offlineStack(
        {
            "cluster-capacity:cluster": { name: "inf", infraId: "inf-q2w3e", openshiftVersion: "4.19", region: "us-east-2" },
            "cluster-capacity:neuron": { enabled: true, ...neuron },
            "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "inference" }] },
            "cluster-capacity:quotas": { "L-3819A6DF": 64, "L-1945791B": 192 },
        },
        [
            gpuPool("starter", {
                instanceType: "g6.xlarge",
                market: "spot",
                zones: ["us-east-2a", "us-east-2b"],
                autoscaling: { minReplicas: 0, maxReplicas: 1 },
            }),
            gpuPool("inf2", {
                accelerator: "neuron",
                instanceType: "inf2.24xlarge",
                zones: ["us-east-2b"],
                autoscaling: { minReplicas: 0, maxReplicas: 2 },
            }),
        ],
    );

describe("Inferentia pools and the Neuron stack (OpenShift 4.19)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(spotAndInferentia());
        assert.ifError(run.error);
    });

    it("renders the Inferentia MachineSet with the aws.amazon.com/neuron taint through the shared machinery", () => {
        const ms = find(run, "MachineSet", "inf-q2w3e-inf2-us-east-2b");
        assert.deepStrictEqual(ms.spec.template.spec.taints, [{ key: "aws.amazon.com/neuron", value: "true", effect: "PreferNoSchedule" }]);
        assert.strictEqual(ms.spec.template.spec.providerSpec.value.instanceType, "inf2.24xlarge");
        assert.ok(resourcesOfKind(run, "MachineSet").every((r) => r.protect));
        assert.strictEqual(resourcesOfKind(run, "InferentiaPool").length, 1);
    });

    it("labels Neuron nodes through an NFD rule on AWS's PCI vendor and device ids", () => {
        const rule = find(run, "NodeFeatureRule", "neuron-nfd-rule");
        assert.strictEqual(rule.apiVersion, "nfd.openshift.io/v1alpha1");
        const [match] = rule.spec.rules[0].matchAny[0].matchFeatures;
        assert.strictEqual(match.feature, "pci.device");
        assert.deepStrictEqual(match.matchExpressions.vendor, { op: "In", value: ["1d0f"] });
        assert.deepStrictEqual(rule.spec.rules[0].labels, { "feature.node.kubernetes.io/aws-neuron": "true" });
    });

    it("installs NFD, Kernel Module Management and the AWS Neuron operator", () => {
        const subscriptions = (rendered(run, "Subscription") as any[])
            .map((s) => [s.metadata.namespace, s.spec.name, s.spec.source])
            .sort();
        assert.deepStrictEqual(subscriptions, [
            ["aws-neuron-operator", "aws-neuron-operator", "community-operators"],
            ["openshift-kmm", "kernel-module-management", "redhat-operators"],
            ["openshift-nfd", "nfd", "redhat-operators"],
        ]);
    });

    it("configures the Neuron device plugin and scheduler through a DeviceConfig on the labelled nodes, after the operators", () => {
        const config = find(run, "DeviceConfig", "device-config");
        assert.strictEqual(config.apiVersion, "k8s.aws/v1beta1");
        assert.deepStrictEqual(config.spec.selector, { "feature.node.kubernetes.io/aws-neuron": "true" });
        for (const image of ["devicePluginImage", "customSchedulerImage", "schedulerExtensionImage", "nodeMetricsImage", "driversImage"]) {
            assert.match(config.spec[image], /^public\.ecr\.aws\//, image);
        }
        const [deviceConfig] = resourcesOfKind(run, "DeviceConfig");
        const subscriptionUrns = resourcesOfKind(run, "Subscription").map((s) => s.urn);
        assert.strictEqual(deviceConfig.dependencies.filter((d) => subscriptionUrns.includes(d)).length, 2);
    });

    it("lets NFD workers run on both the GPU and the Neuron nodes", () => {
        assert.deepStrictEqual(find(run, "NodeFeatureDiscovery").spec.operand.workerTolerations, [
            { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
            { key: "aws.amazon.com/neuron", operator: "Exists", effect: "PreferNoSchedule" },
        ]);
    });

    it("gives the Inferentia flavor an aws.amazon.com/neuron quota of devices × maximum nodes", () => {
        const queue = find(run, "ClusterQueue");
        assert.deepStrictEqual(queue.spec.resourceGroups[0].coveredResources, ["cpu", "memory", "nvidia.com/gpu", "aws.amazon.com/neuron"]);
        const inf2 = queue.spec.resourceGroups[0].flavors.find((f: any) => f.name === "inf2");
        const neuron = inf2.resources.find((r: any) => r.name === "aws.amazon.com/neuron");
        assert.strictEqual(neuron.nominalQuota, "12");
        assert.deepStrictEqual(find(run, "ResourceFlavor", "inf2").spec.tolerations, [
            { key: "aws.amazon.com/neuron", operator: "Equal", value: "true", effect: "PreferNoSchedule" },
        ]);
    });

    it("adds aws.amazon.com/neuroncore quotas when configured", async () => {
        const cores = await runProgram(spotAndInferentia({ neuronCoreQuota: true }));
        const inf2 = find(cores, "ClusterQueue").spec.resourceGroups[0].flavors.find((f: any) => f.name === "inf2");
        assert.strictEqual(inf2.resources.find((r: any) => r.name === "aws.amazon.com/neuroncore").nominalQuota, "24");
    });

    it("counts the spot starter pool against the spot G quota and the Inferentia pool against the Inf quota", () => {
        const quotas = (run.outputs as any).quotas;
        assert.deepStrictEqual(Object.keys(quotas).sort(), ["L-1945791B", "L-3819A6DF"]);
        assert.strictEqual(quotas["L-1945791B"].demand, 96 * 2);
        assert.strictEqual(quotas["L-3819A6DF"].demand, 4 * 2);
    });

    it("passes the policy pack", async () => {
        assert.deepStrictEqual(
            mandatory(await runPolicyPack(run, { "pool-within-quota": { quotas: { "L-3819A6DF": 64, "L-1945791B": 192 } } })),
            [],
        );
    });

    it("takes the operator channel, catalog and images from config", async () => {
        const custom = await runProgram(
            spotAndInferentia({
                operatorChannel: "Fast",
                operatorSource: "certified-operators",
                images: { devicePlugin: "registry.example.com/neuron-device-plugin:2.31" },
            }),
        );
        assert.deepStrictEqual(
            [
                find(custom, "Subscription", "aws-neuron-operator").spec.channel,
                find(custom, "Subscription", "aws-neuron-operator").spec.source,
            ],
            ["Fast", "certified-operators"],
        );
        assert.strictEqual(find(custom, "DeviceConfig").spec.devicePluginImage, "registry.example.com/neuron-device-plugin:2.31");
    });
});
