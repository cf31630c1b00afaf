import * as assert from "assert";
import { needsShared } from "../support/shared";
import * as YAML from "yaml";
import { runProgram, rendered, resourcesOfKind, ProgramRun, StackConfig, renderedObject as find } from "../support/harness";
import { driverPerPoolStack, gpuPool, offlineStack } from "../support/scenarios";
import { declaredFields, loadCrds } from "../support/crds";
import { NVIDIADRIVER_IMMUTABLE_FIELDS } from "../../components/gpuOperator";

const withOperator = (
    gpuOperator: object,
    pools = [gpuPool("l4", { timeSlicing: 4 }), gpuPool("l4-b", { timeSlicing: 2 }), gpuPool("l4-c", { timeSlicing: 4 })],
    overrides: StackConfig = {},
): StackConfig => offlineStack({ "cluster-capacity:gpuOperator": { enabled: true, ...gpuOperator }, ...overrides }, pools);

describe("GpuOperator on OpenShift (OLM)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(withOperator({ version: "25.3.1" }));
        assert.ifError(run.error);
    });

    it("installs gpu-operator-certified from certified-operators into nvidia-gpu-operator, pinned with Manual approval", () => {
        const subscription = find(run, "Subscription", "gpu-operator-certified");
        assert.strictEqual(subscription.metadata.namespace, "nvidia-gpu-operator");
        assert.deepStrictEqual(subscription.spec, {
            name: "gpu-operator-certified",
            channel: "v25.3",
            source: "certified-operators",
            sourceNamespace: "openshift-marketplace",
            installPlanApproval: "Manual",
            startingCSV: "gpu-operator-certified.v25.3.1",
        });
        assert.deepStrictEqual(find(run, "OperatorGroup", "nvidia-gpu-operator-group").spec, { targetNamespaces: ["nvidia-gpu-operator"] });
    });

    it("follows the newest release line NVIDIA supports on the cluster's OpenShift, upgrading automatically, when no version is pinned", async () => {
        const unpinned = await runProgram(withOperator({}));
        assert.deepStrictEqual(
            [
                find(unpinned, "Subscription", "gpu-operator-certified").spec.channel,
                find(unpinned, "Subscription", "gpu-operator-certified").spec.installPlanApproval,
            ],
            ["v26.7", "Automatic"],
        );
        assert.ok(!("startingCSV" in find(unpinned, "Subscription", "gpu-operator-certified").spec));
        assert.strictEqual(
            find(unpinned, "Subscription", "gpu-operator-certified").metadata.annotations["pulumi.com/waitFor"],
            "jsonpath={.status.installedCSV}",
        );
    });

    it("labels the operator namespace for cluster monitoring, by a patch of the labels alone", () => {
        const ns = resourcesOfKind(run, "NamespacePatch").find((r) => (r.inputs as any).metadata.name === "nvidia-gpu-operator");
        assert.deepStrictEqual((ns?.inputs as any).metadata.labels, { "openshift.io/cluster-monitoring": "true" });
    });

    it("creates the ClusterPolicy only after the Subscription reports the pinned CSV installed, so its CRD exists", () => {
        const subscription = resourcesOfKind(run, "Subscription").find((r) => (r.inputs as any).metadata.name === "gpu-operator-certified");
        assert.strictEqual(
            (subscription?.inputs as any).metadata.annotations["pulumi.com/waitFor"],
            "jsonpath={.status.installedCSV}=gpu-operator-certified.v25.3.1",
        );
        const policy = resourcesOfKind(run, "ClusterPolicy")[0];
        assert.ok(policy.dependencies.includes(subscription!.urn), "ClusterPolicy must depend on the Subscription");
    });

    it("names the ClusterPolicy gpu-cluster-policy and lets its daemonsets tolerate every GPU pool's taints", () => {
        const policy = find(run, "ClusterPolicy", "gpu-cluster-policy");
        assert.deepStrictEqual(policy.spec.daemonsets.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        for (const required of [
            "daemonsets",
            "dcgm",
            "dcgmExporter",
            "devicePlugin",
            "driver",
            "gfd",
            "nodeStatusExporter",
            "operator",
            "toolkit",
        ]) {
            assert.ok(required in policy.spec, `ClusterPolicy lacks ${required}`);
        }
    });

    it("writes one time-slicing config per distinct replica count and points the device plugin at it", () => {
        const configMap = find(run, "ConfigMap", "time-slicing-config");
        assert.deepStrictEqual(Object.keys(configMap.data), ["time-sliced-2", "time-sliced-4"]);
        assert.deepStrictEqual(YAML.parse(configMap.data["time-sliced-4"]), {
            version: "v1",
            flags: { migStrategy: "single" },
            sharing: { timeSlicing: { resources: [{ name: "nvidia.com/gpu", replicas: 4 }] } },
        });
        assert.deepStrictEqual(find(run, "ClusterPolicy").spec.devicePlugin.config, { name: "time-slicing-config", default: "" });
    });

    it("selects each node's time-slicing config through the nvidia.com/device-plugin.config label of its pool's MachineSets", () => {
        const labels = (name: string) =>
            (rendered(run, "MachineSet").find((m: any) => m.metadata.name === name) as any).spec.template.spec.metadata.labels;
        assert.strictEqual(labels("test-abcde-l4-us-east-2a")["nvidia.com/device-plugin.config"], "time-sliced-4");
        assert.strictEqual(labels("test-abcde-l4-b-us-east-2a")["nvidia.com/device-plugin.config"], "time-sliced-2");
    });

    it("renders no time-slicing config when no pool shares its GPUs", async () => {
        const plain = await runProgram(withOperator({}, [gpuPool("l4")]));
        assert.deepStrictEqual(
            rendered(plain, "ConfigMap").filter((c: any) => c.metadata.name === "time-slicing-config"),
            [],
        );
        assert.deepStrictEqual(find(plain, "ClusterPolicy").spec.devicePlugin.config, { name: "", default: "" });
    });

    it("applies the configured MIG strategy", async () => {
        const mixed = await runProgram(withOperator({ mig: { strategy: "mixed" } }));
        assert.strictEqual(find(mixed, "ClusterPolicy").spec.mig.strategy, "mixed");
        assert.match(find(mixed, "ConfigMap", "time-slicing-config").data["time-sliced-4"], /migStrategy: mixed/);
    });

    it("installs Node Feature Discovery on 4.18 without workerTolerations, a field its operand gains in 4.19", () => {
        const subscription = find(run, "Subscription", "nfd");
        assert.deepStrictEqual([subscription.spec.source, subscription.spec.channel], ["redhat-operators", "stable"]);
        const nfd = find(run, "NodeFeatureDiscovery", "nfd-instance");
        assert.strictEqual(nfd.metadata.namespace, "openshift-nfd");
        assert.deepStrictEqual(nfd.spec.operand, { servicePort: 12000 });
    });

    it("lets the NFD workers tolerate the pools' taints from 4.19", async () => {
        const on419 = await runProgram(
            withOperator({}, undefined, {
                "cluster-capacity:cluster": { name: "t", infraId: "t-abcde", openshiftVersion: "4.19", region: "us-east-2" },
            }),
        );
        assert.ifError(on419.error);
        assert.deepStrictEqual(find(on419, "NodeFeatureDiscovery").spec.operand.workerTolerations, [
            { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
        ]);
    });

    it("refuses a NoExecute-tainted GPU pool before 4.19, whose NFD worker tolerates NoSchedule only", async () => {
        const refused = await runProgram(withOperator({}, [gpuPool("l4", { taints: [{ key: "nvidia.com/gpu", effect: "NoExecute" }] })]));
        assert.match(
            String(refused.error),
            /pools\[0\]\.taints\[0\]\.effect: got "NoExecute"; expected NoSchedule on OpenShift 4\.18: its Node Feature Discovery worker tolerates NoSchedule taints only/,
        );
        assert.strictEqual(refused.resources.length, 0);
    });

    it("leaves Node Feature Discovery out when the cluster already runs it", async () => {
        const without = await runProgram(withOperator({ nfd: false }));
        assert.deepStrictEqual(rendered(without, "NodeFeatureDiscovery"), []);
    });

    it("scrapes the DCGM exporter through the operator's own ServiceMonitor, which deletes any other of its name", () => {
        assert.deepStrictEqual(find(run, "ClusterPolicy").spec.dcgmExporter.serviceMonitor, { enabled: true, interval: "15s" });
        assert.deepStrictEqual(rendered(run, "ServiceMonitor"), []);
    });

    it("switches the operator's ServiceMonitor off when monitoring.serviceMonitor is false", async () => {
        const unmonitored = await runProgram(withOperator({ monitoring: { serviceMonitor: false } }));
        assert.deepStrictEqual(find(unmonitored, "ClusterPolicy").spec.dcgmExporter.serviceMonitor, { enabled: false });
    });

    it("exports SM occupancy, which the default DCGM metric set leaves out", () => {
        assert.match(find(run, "ConfigMap", "dcgm-metrics").data["dcgm-metrics.csv"], /^DCGM_FI_PROF_SM_OCCUPANCY, gauge/m);
        assert.deepStrictEqual(find(run, "ClusterPolicy").spec.dcgmExporter.config, { name: "dcgm-metrics" });
    });

    it("adds a console dashboard of utilisation, power, framebuffer memory and SM occupancy", () => {
        const dashboard = find(run, "ConfigMap", "nvidia-gpu-dashboard");
        assert.strictEqual(dashboard.metadata.namespace, "openshift-config-managed");
        assert.deepStrictEqual(dashboard.metadata.labels, { "console.openshift.io/dashboard": "true" });
        const panels = JSON.parse(dashboard.data["nvidia-gpu-dashboard.json"]).panels as { targets: { expr: string }[] }[];
        const exprs = panels.map((p) => p.targets[0].expr).join(" ");
        for (const metric of ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_FB_USED", "DCGM_FI_PROF_SM_OCCUPANCY"]) {
            assert.ok(exprs.includes(metric), metric);
        }
    });

    it("alerts on GPUs held by a pod but idle over the window", () => {
        const rule = find(run, "PrometheusRule", "gpu-hoarding");
        assert.strictEqual(rule.apiVersion, "monitoring.coreos.com/v1");
        assert.strictEqual(rule.metadata.namespace, "nvidia-gpu-operator");
        const [alert] = rule.spec.groups[0].rules;
        assert.strictEqual(alert.alert, "GPUAllocatedButIdle");
        assert.strictEqual(alert.expr, 'avg_over_time(DCGM_FI_DEV_GPU_UTIL{exported_pod!=""}[60m]) < 5');
        assert.strictEqual(alert.for, "15m");
        assert.deepStrictEqual(Object.keys(alert.annotations).sort(), ["description", "summary"]);
    });

    it("tunes the hoarding alert's threshold and window", async () => {
        const tuned = await runProgram(withOperator({ monitoring: { idleGpuAlert: { utilizationPercent: 10, windowMinutes: 120 } } }));
        assert.strictEqual(
            find(tuned, "PrometheusRule").spec.groups[0].rules[0].expr,
            'avg_over_time(DCGM_FI_DEV_GPU_UTIL{exported_pod!=""}[120m]) < 10',
        );
    });

    it("is a GpuOperator component owning its children", () => {
        const [component] = resourcesOfKind(run, "GpuOperator");
        assert.strictEqual(component.type, "cluster-capacity:index:GpuOperator");
        assert.ok(resourcesOfKind(run, "ClusterPolicy").every((r) => r.parent === component.urn));
    });
});

describe("GpuOperator on plain Kubernetes (Helm)", () => {
    let run: ProgramRun;
    const homelab = offlineStack(
        {
            "cluster-capacity:cluster": { name: "homelab", platform: "kubernetes", region: "us-east-2" },
            "cluster-capacity:instanceTypes": { "rtx.4090": { vcpus: 16, memoryMiB: 65536, gpus: 1, gpuModel: "NVIDIA RTX 4090" } },
            "cluster-capacity:gpuOperator": { enabled: true, version: "25.3.1" },
        },
        [gpuPool("rtx", { instanceType: "rtx.4090", zones: ["garage"], replicas: 2, timeSlicing: 2 })],
    );
    before(async () => {
        run = await runProgram(homelab);
        assert.ifError(run.error);
    });

    it("installs the gpu-operator chart from NVIDIA's repository at the pinned version", () => {
        const [chart] = run.resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        assert.ok(chart, "no Helm chart");
        assert.strictEqual(chart.inputs.chart, "gpu-operator");
        assert.deepStrictEqual(chart.inputs.repositoryOpts, { repo: "https://helm.ngc.nvidia.com/nvidia" });
        assert.strictEqual(chart.inputs.version, "v25.3.1");
        assert.strictEqual(chart.inputs.namespace, "gpu-operator");
    });

    it("passes values equivalent to the ClusterPolicy", () => {
        const [chart] = run.resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        assert.deepStrictEqual(chart.inputs.values, {
            daemonsets: { tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }] },
            driver: { enabled: true },
            nfd: { enabled: true },
            mig: { strategy: "single" },
            devicePlugin: { config: { name: "time-slicing-config", default: "" } },
            dcgmExporter: { config: { name: "dcgm-metrics" }, serviceMonitor: { enabled: false } },
        });
    });

    it("renders no OLM, MachineSet or OpenShift console object", () => {
        for (const kind of ["Subscription", "OperatorGroup", "ClusterPolicy", "MachineSet", "MachineConfigPool", "NodeFeatureDiscovery"]) {
            assert.deepStrictEqual(rendered(run, kind), [], kind);
        }
        assert.ok(!rendered(run, "ConfigMap").some((c: any) => c.metadata.namespace === "openshift-config-managed"));
    });

    it("lets the operator's privileged pods run in its namespace", () => {
        const ns = rendered(run, "Namespace").find((n: any) => n.metadata.name === "gpu-operator") as any;
        assert.deepStrictEqual(ns.metadata.labels, { "pod-security.kubernetes.io/enforce": "privileged" });
    });
});

describe("driver per pool (gpuOperator.driverPerPool)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(driverPerPoolStack());
        assert.ifError(run.error);
    });
    const drivers = () => new Map((rendered(run, "NVIDIADriver") as any[]).map((d) => [d.metadata.name as string, d.spec]));

    it("hands the driver from the ClusterPolicy to NVIDIADriver CRs", () => {
        const policy = rendered(run, "ClusterPolicy")[0] as any;
        assert.strictEqual(policy.spec.driver.useNvidiaDriverCRD, true);
        assert.deepStrictEqual([...drivers().keys()].sort(), ["default", "h100", "l4"]);
    });

    it("gives each pool a CR on its nodes with its version and upgrade policy, waiting for Kueue pods", () => {
        const h100 = drivers().get("h100");
        assert.deepStrictEqual(h100.nodeSelector, { "cluster-capacity.io/pool": "h100" });
        assert.deepStrictEqual([h100.default, h100.version, h100.image, h100.repository], [false, "580.95.05", "driver", "nvcr.io/nvidia"]);
        assert.deepStrictEqual(h100.upgradePolicy, {
            autoUpgrade: true,
            maxParallelUpgrades: 2,
            maxUnavailable: "25%",
            waitForCompletion: { podSelector: "kueue.x-k8s.io/podset", timeoutSeconds: 0 },
        });
        assert.deepStrictEqual(h100.tolerations, [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
        assert.strictEqual(drivers().get("l4").version, "570.195.03");
    });

    it("keeps a default CR for every other GPU node, without a node selector", () => {
        const fallback = drivers().get("default");
        assert.deepStrictEqual([fallback.default, fallback.version, fallback.nodeSelector], [true, "570.195.03", undefined]);
    });

    it("replaces a CR on a change of every field its CRD makes immutable (self == oldSelf), and of no other", function () {
        needsShared(this);
        const schema = loadCrds().schema("nvidia.com/v1alpha1", "NVIDIADriver");
        assert.ok(schema, "the NVIDIADriver CRD");
        const immutable = declaredFields(schema, (node) =>
            ((node["x-kubernetes-validations"] ?? []) as { rule?: string }[]).some((v) => v.rule?.replace(/\s/g, "") === "self==oldSelf"),
        );
        assert.deepStrictEqual([...NVIDIADRIVER_IMMUTABLE_FIELDS].sort(), immutable.sort());
        const registered = resourcesOfKind(run, "NVIDIADriver");
        assert.strictEqual(registered.length, 3);
        for (const driver of registered) {
            assert.deepStrictEqual(
                [driver.replaceOnChanges, driver.deleteBeforeReplace],
                [[...NVIDIADRIVER_IMMUTABLE_FIELDS], true],
                driver.name,
            );
        }
    });

    it("says in every preview that turning it on restarts every GPU node's driver", () => {
        assert.ok(run.warnings.some((w) => /driverPerPool: .*restarts each, node by node/.test(w)));
    });

    it("refuses it before GPU Operator 26.7, without a default driver version, and driver settings without it", async () => {
        const old = await runProgram(driverPerPoolStack({ channel: "v25.10" }));
        assert.match(
            old.error?.message ?? "",
            /gpuOperator\.driverPerPool: got true; expected false on GPU Operator channel v25\.10: NVIDIADriver CRs take over running drivers node by node only from v26\.7/,
        );
        const noVersion = await runProgram(driverPerPoolStack({ driverVersion: undefined }));
        assert.match(
            noVersion.error?.message ?? "",
            /gpuOperator\.driverVersion: got nothing; expected a driver version for the default NVIDIADriver CR/,
        );
        const stray = await runProgram(driverPerPoolStack({ driverPerPool: false }));
        assert.match(
            stray.error?.message ?? "",
            /pools\[0\]\.driver: got .*; expected no driver settings without gpuOperator\.driverPerPool: true/,
        );
        for (const bad of [old, noVersion, stray]) assert.deepStrictEqual(bad.resources, []);
    });
});
