import * as assert from "assert";
import { needsShared } from "./support/shared";
import { runProgram, rendered, StackConfig, renderedObject as find } from "./support/harness";
import { gpuPool, offlineStack } from "./support/scenarios";
import { compareVersions, GPU_OPERATOR_LINES, imageKubernetesMinor, VERSION_MATRIX } from "../lib/versionMatrix";
import { loadCrds } from "./support/crds";

const on = (minor: number, overrides: StackConfig = {}, pools = [gpuPool("l4")]): StackConfig =>
    offlineStack(
        {
            "cluster-capacity:cluster": { name: "t", infraId: "t-abcde", openshiftVersion: `4.${minor}`, region: "us-east-2" },
            ...overrides,
        },
        pools,
    );
const gpuOperator = (settings: object) => ({ "cluster-capacity:gpuOperator": { enabled: true, ...settings } });
const kueueOperator = (settings: object = {}, kueue: object = {}) => ({
    "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "team-a" }], operator: { enabled: true, ...settings }, ...kueue },
});
const neuronPool = gpuPool("inf2", { accelerator: "neuron", instanceType: "inf2.xlarge" });
const neuron = (settings: object = {}) => ({ "cluster-capacity:neuron": { enabled: true, ...settings } });

async function refusal(config: StackConfig): Promise<string> {
    const run = await runProgram(config);
    assert.ok(run.error, "the program should have refused the config");
    assert.strictEqual(run.resources.length, 0, "nothing may be registered");
    return run.error.message;
}

describe("version matrix: what each OpenShift minor can run", () => {
    it("covers OpenShift 4.14 to 4.22, each row with a default GPU Operator line it supports", () => {
        assert.deepStrictEqual(Object.keys(VERSION_MATRIX).map(Number), [14, 15, 16, 17, 18, 19, 20, 21, 22]);
        for (const row of Object.values(VERSION_MATRIX)) {
            assert.ok(row.gpuOperator.lines.some((l) => l.line === row.gpuOperator.defaultLine));
        }
    });

    it("knows what the CRDs of every GPU Operator line a row names accept", () => {
        const named = [...new Set(Object.values(VERSION_MATRIX).flatMap((row) => row.gpuOperator.lines.map((l) => l.line)))];
        assert.deepStrictEqual(
            named.filter((line) => !GPU_OPERATOR_LINES[line]),
            [],
        );
    });

    it("says of 26.7 what its upstream CRDs say: CDI on by default, cdi.default deprecated, useNvidiaDriverCRD and NVIDIADriver spec.default", function () {
        needsShared(this);
        const crds = loadCrds();
        const policy = crds.schema("nvidia.com/v1", "ClusterPolicy") as any;
        const driver = crds.schema("nvidia.com/v1alpha1", "NVIDIADriver") as any;
        const cdi = policy.properties.spec.properties.cdi.properties;
        assert.deepStrictEqual(GPU_OPERATOR_LINES["26.7"], {
            cdiByDefault: cdi.enabled.default === true,
            cdiDefaultDeprecated: /^Deprecated/.test(cdi.default.description),
            useNvidiaDriverCRD: "useNvidiaDriverCRD" in policy.properties.spec.properties.driver.properties,
            nvidiaDriverDefault: "default" in driver.properties.spec.properties,
        });
    });

    it("defaults the GPU Operator channel to the newest supported line: v25.10 up to 4.17, v26.7 from 4.18", async () => {
        for (const [minor, channel] of [
            [16, "v25.10"],
            [17, "v25.10"],
            [18, "v26.7"],
            [20, "v26.7"],
            [21, "v26.7"],
            [22, "v26.7"],
        ] as const) {
            const run = await runProgram(on(minor, gpuOperator({})));
            assert.ifError(run.error);
            assert.strictEqual(find(run, "Subscription", "gpu-operator-certified").spec.channel, channel, `4.${minor}`);
        }
    });

    it("refuses a pinned GPU Operator release NVIDIA does not support on the cluster's OpenShift, naming what would work", async () => {
        const message = await refusal(on(20, gpuOperator({ version: "25.3.1" })));
        assert.match(
            message,
            /gpuOperator\.version: got "25\.3\.1"; expected a GPU Operator release NVIDIA supports on OpenShift 4\.20 \(release line 25\.3 is not supported there\): lines 25\.10, 26\.3, 26\.7/,
        );
    });

    it("accepts 25.3 on 4.19 only from 25.3.3, the first bundle that lists 4.19", async () => {
        assert.match(await refusal(on(19, gpuOperator({ version: "25.3.1" }))), /25\.3 is supported there from 25\.3\.3 on/);
        const run = await runProgram(on(19, gpuOperator({ version: "25.3.3" })));
        assert.ifError(run.error);
        assert.strictEqual(find(run, "Subscription", "gpu-operator-certified").spec.startingCSV, "gpu-operator-certified.v25.3.3");
    });

    it("checks a pinned release's support also when the channel is given", async () => {
        assert.match(
            await refusal(on(19, gpuOperator({ version: "25.3.1", channel: "v25.3" }))),
            /25\.3 is supported there from 25\.3\.3 on/,
        );
    });

    it("refuses a channel of an unsupported line, and a channel that is not the pinned release's", async () => {
        assert.match(
            await refusal(on(18, gpuOperator({ channel: "v24.9" }))),
            /gpuOperator\.channel: got "v24\.9"; expected a channel of a release line NVIDIA supports on OpenShift 4\.18: v25\.3, v25\.10, v26\.3, v26\.7/,
        );
        assert.match(
            await refusal(on(18, gpuOperator({ version: "25.3.1", channel: "v25.10" }))),
            /gpuOperator\.channel: got "v25\.10"; expected v25\.3, the channel of the pinned release 25\.3\.1/,
        );
    });

    it("asks for a pinned GPU Operator release outside the matrix instead of guessing a channel", async () => {
        assert.match(
            await refusal(on(13, gpuOperator({}))),
            /gpuOperator\.version: got nothing; expected a pinned release.*outside the version matrix \(4\.14–4\.22\)/,
        );
        const pinned = await runProgram(on(13, gpuOperator({ version: "24.9.2" })));
        assert.ifError(pinned.error);
    });

    it("refuses the Red Hat build of Kueue before 4.18, where no catalog offers it", async () => {
        assert.match(
            await refusal(on(16, kueueOperator())),
            /kueue\.operator\.enabled: got true; expected false on OpenShift 4\.16: the Red Hat build of Kueue is offered from OpenShift 4\.18/,
        );
    });

    it("subscribes to the newest Kueue operator channel and renders the v1beta2 API it serves", async () => {
        const run = await runProgram(on(18, kueueOperator()));
        assert.ifError(run.error);
        assert.strictEqual(find(run, "Subscription", "kueue-operator").spec.channel, "stable-v1.4");
        assert.strictEqual(find(run, "ClusterQueue").apiVersion, "kueue.x-k8s.io/v1beta2");
    });

    it("renders kueue.x-k8s.io/v1beta1 for a Kueue operator channel that serves only v1beta1, and refuses v1beta2 there", async () => {
        const run = await runProgram(on(19, kueueOperator({ channel: "stable-v1.2" }, { cohort: "research" })));
        assert.ifError(run.error);
        const queue = find(run, "ClusterQueue");
        assert.strictEqual(queue.apiVersion, "kueue.x-k8s.io/v1beta1");
        assert.strictEqual(queue.spec.cohort, "research");
        assert.match(
            await refusal(on(19, kueueOperator({ channel: "stable-v1.2" }, { apiVersion: "v1beta2" }))),
            /kueue\.apiVersion: got "v1beta2"; expected v1beta1: the Red Hat build of Kueue on channel stable-v1\.2 serves kueue\.x-k8s\.io\/v1beta1 only/,
        );
    });

    it("renders the API a Kueue operator channel serves outside the matrix too", async () => {
        const run = await runProgram(on(23, kueueOperator({ channel: "stable-v1.2" })));
        assert.ifError(run.error);
        assert.strictEqual(find(run, "ClusterQueue").apiVersion, "kueue.x-k8s.io/v1beta1");
    });

    for (const minor of [21, 22]) {
        it(`subscribes a 4.${minor} stack with nothing pinned to channels its catalogs serve: GPU Operator v26.7, Kueue stable-v1.4 (v1beta2), Neuron Stable, KMM and NFD stable`, async () => {
            const run = await runProgram(on(minor, { ...gpuOperator({}), ...kueueOperator(), ...neuron() }, [gpuPool("l4"), neuronPool]));
            assert.ifError(run.error);
            const channels = Object.fromEntries((rendered(run, "Subscription") as any[]).map((s) => [s.spec.name, s.spec.channel]));
            assert.deepStrictEqual(channels, {
                "gpu-operator-certified": "v26.7",
                "kueue-operator": "stable-v1.4",
                "aws-neuron-operator": "Stable",
                "kernel-module-management": "stable",
                nfd: "stable",
            });
            assert.strictEqual(find(run, "ClusterQueue").apiVersion, "kueue.x-k8s.io/v1beta2");
            assert.ok(find(run, "NodeFeatureDiscovery").spec.operand.workerTolerations, "NFD workers tolerate the GPU taints from 4.19");
        });
    }

    it("accepts 26.3 on 4.22 only from 26.3.3, the first bundle that lists 4.22, and refuses 25.10 on 4.21", async () => {
        assert.match(await refusal(on(22, gpuOperator({ version: "26.3.2" }))), /26\.3 is supported there from 26\.3\.3 on/);
        const run = await runProgram(on(22, gpuOperator({ version: "26.3.3" })));
        assert.ifError(run.error);
        assert.match(
            await refusal(on(21, gpuOperator({ version: "25.10.1" }))),
            /release line 25\.10 is not supported there\): lines 26\.3, 26\.7/,
        );
    });

    it("refuses Kueue channels the 4.21 and 4.22 catalogs dropped", async () => {
        assert.match(
            await refusal(on(21, kueueOperator({ channel: "stable-v1.1" }))),
            /expected a channel the OpenShift 4\.21 catalog has \(case-sensitive\): stable-v1\.2, stable-v1\.3, stable-v1\.4/,
        );
        assert.match(
            await refusal(on(22, kueueOperator({ channel: "stable-v1.2" }))),
            /expected a channel the OpenShift 4\.22 catalog has \(case-sensitive\): stable-v1\.3, stable-v1\.4/,
        );
    });

    it("refuses a Kueue operator channel the cluster's catalog does not have", async () => {
        assert.match(
            await refusal(on(20, kueueOperator({ channel: "stable" }))),
            /kueue\.operator\.channel: got "stable"; expected a channel the OpenShift 4\.20 catalog has \(case-sensitive\): stable-v1\.1, stable-v1\.2, stable-v1\.3, stable-v1\.4/,
        );
    });

    it("subscribes to the AWS Neuron operator's capitalised Stable channel and KMM's and NFD's stable", async () => {
        const run = await runProgram(on(19, neuron(), [neuronPool]));
        assert.ifError(run.error);
        const channels = Object.fromEntries((rendered(run, "Subscription") as any[]).map((s) => [s.spec.name, s.spec.channel]));
        assert.deepStrictEqual(channels, { "aws-neuron-operator": "Stable", "kernel-module-management": "stable", nfd: "stable" });
    });

    it("refuses a Neuron operator channel in the wrong case, which OLM never resolves", async () => {
        assert.match(
            await refusal(on(19, neuron({ operatorChannel: "stable" }), [neuronPool])),
            /neuron\.operatorChannel: got "stable"; expected a channel of aws-neuron-operator in community-operators \(case-sensitive\): Stable, Fast/,
        );
    });

    it("runs the Neuron custom scheduler at a Kubernetes minor no newer than the cluster's, and refuses a newer one", async () => {
        for (const minor of [19, 20, 21, 22]) {
            const run = await runProgram(on(minor, neuron(), [neuronPool]));
            const image = find(run, "DeviceConfig").spec.customSchedulerImage as string;
            assert.ok(compareVersions(imageKubernetesMinor(image) ?? "99", VERSION_MATRIX[minor].kubernetes) <= 0, `4.${minor}: ${image}`);
        }
        assert.match(
            await refusal(
                on(19, neuron({ images: { customScheduler: "public.ecr.aws/eks-distro/kubernetes/kube-scheduler:v1.35.5-eks-1-35-10" } }), [
                    neuronPool,
                ]),
            ),
            /neuron\.images\.customScheduler: .*expected a kube-scheduler no newer than the cluster's Kubernetes 1\.32/,
        );
    });

    it("refuses a NoSchedule taint on a Neuron pool, which would keep the Neuron driver off its nodes", async () => {
        const tainted = gpuPool("inf2", {
            accelerator: "neuron",
            instanceType: "inf2.xlarge",
            taints: [{ key: "aws.amazon.com/neuron", value: "true", effect: "NoSchedule" }],
        });
        assert.match(
            await refusal(on(19, neuron(), [tainted])),
            /pools\[0\]\.taints\[0\]\.effect: got "NoSchedule"; expected PreferNoSchedule on a neuron pool: the AWS Neuron operator's driver \(KMM Module\)/,
        );
    });
});
