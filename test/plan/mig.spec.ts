import * as assert from "assert";
import { clusterQueueQuotas, ProgramRun, rendered, renderedObject, runProgram, StackConfig } from "../support/harness";
import { gpuPool, migTeamsStack, offlineStack } from "../support/scenarios";
import { BUILTIN_INSTANCE_TYPES } from "../../policy/lib/catalogue";
import { MigConfigLayouts, migDevicesPerGpu, MigGpu, migGpuOf, migPartedConfig } from "../../lib/plan/mig";
import * as YAML from "yaml";
import { mandatory, runPolicyPack } from "../support/policyHarness";

const layout = (profile: string, devices?: Record<string, number>) => ({ profile, ...(devices && { devices }) });

describe("MIG layouts per GPU model (lib/plan/mig.ts)", () => {
    it("knows the MIG GPU of p4d, p4de, p5 and p5e, and that L4 has none", () => {
        const gpuOf = (type: string) => migGpuOf(BUILTIN_INSTANCE_TYPES[type]);
        assert.deepStrictEqual(["p4d.24xlarge", "p4de.24xlarge", "p5.48xlarge", "p5e.48xlarge", "g6.4xlarge"].map(gpuOf), [
            "A100-40GB",
            "A100-80GB",
            "H100-80GB",
            "H200-141GB",
            undefined,
        ]);
    });

    it("reads a MIG GPU from AWS's model name and memory in MiB", () => {
        const spec = { vcpus: 96, memoryMiB: 1, gpus: 8, neuronDevices: 0, gpuModel: "NVIDIA A100", gpuMemoryMiB: 81920 };
        assert.strictEqual(migGpuOf(spec), "A100-80GB");
    });

    it("splits all-1g.10gb into 7 devices on 80 GB GPUs and 4 on the A100 40 GB", () => {
        assert.deepStrictEqual(migDevicesPerGpu(layout("all-1g.10gb"), "H100-80GB"), { "1g.10gb": 7 });
        assert.deepStrictEqual(migDevicesPerGpu(layout("all-1g.10gb"), "A100-40GB"), { "1g.10gb": 4 });
    });

    it("writes a media-extension device's config name with a dot and its device with a plus", () => {
        assert.deepStrictEqual(migDevicesPerGpu(layout("all-1g.18gb.me"), "H200-141GB"), { "1g.18gb+me": 1 });
    });

    it("gives all-balanced the GPU's own mix", () => {
        assert.deepStrictEqual(migDevicesPerGpu(layout("all-balanced"), "H200-141GB"), { "1g.18gb": 2, "2g.35gb": 1, "3g.71gb": 1 });
    });

    it("refuses a profile of another GPU, listing the GPU's own", () => {
        const refusal = migDevicesPerGpu(layout("all-1g.5gb"), "H100-80GB");
        assert.ok(typeof refusal === "string");
        assert.match(refusal, /^a profile of the H100-80GB GPU: all-balanced, all-1g\.10gb, all-1g\.10gb\.me, all-1g\.20gb,/);
    });

    it("accepts a custom layout that fits the GPU's 7 compute and 8 memory slices", () => {
        assert.deepStrictEqual(migDevicesPerGpu(layout("mix", { "4g.40gb": 1, "3g.40gb": 1 }), "A100-80GB"), {
            "4g.40gb": 1,
            "3g.40gb": 1,
        });
    });

    it("refuses a custom layout over the GPU's memory slices, with the slice count", () => {
        assert.strictEqual(
            migDevicesPerGpu(layout("mix", { "3g.40gb": 2, "1g.10gb": 1 }), "A100-80GB"),
            "devices that fit one A100-80GB GPU: these take 7 of 7 compute and 9 of 8 memory slices",
        );
    });

    it("refuses more of one device than a GPU holds, and devices of another GPU", () => {
        assert.strictEqual(migDevicesPerGpu(layout("mix", { "3g.40gb": 3 }), "H100-80GB"), "at most 2 × 3g.40gb on one H100-80GB GPU");
        const foreign = migDevicesPerGpu(layout("mix", { "1g.5gb": 2 }), "H100-80GB");
        assert.ok(typeof foreign === "string");
        assert.match(foreign, /not 1g\.5gb$/);
    });

    it("writes a mig-parted v1 config with all-disabled and each layout", () => {
        const layouts: MigConfigLayouts = new Map([["H100-80GB", { "3g.40gb": 1, "1g.10gb": 4 }]]);
        const config = YAML.parse(migPartedConfig(new Map([["serving-mix", layouts]])));
        assert.deepStrictEqual(config, {
            version: "v1",
            "mig-configs": {
                "all-disabled": [{ devices: "all", "mig-enabled": false }],
                "serving-mix": [{ devices: "all", "mig-enabled": true, "mig-devices": { "3g.40gb": 1, "1g.10gb": 4 } }],
            },
        });
    });
});

const machineSetLabels = (run: ProgramRun, pool: string) =>
    (rendered(run, "MachineSet") as any[]).find((m) => m.metadata.labels["cluster-capacity.io/pool"] === pool).spec.template.spec.metadata
        .labels;

describe("MIG per pool: three teams over whole H100s, A100s sliced all-1g.10gb and L4s", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(migTeamsStack());
        assert.ifError(run.error);
    });

    it("labels the A100 pool's nodes with their MIG config, and no other pool's", () => {
        assert.strictEqual(machineSetLabels(run, "a100")["nvidia.com/mig.config"], "all-1g.10gb");
        assert.strictEqual(machineSetLabels(run, "h100")["nvidia.com/mig.config"], undefined);
    });

    it("switches the ClusterPolicy and the device plugin to the mixed strategy, as the pools differ", () => {
        assert.deepStrictEqual(renderedObject(run, "ClusterPolicy").spec.mig, { strategy: "mixed" });
        assert.deepStrictEqual(renderedObject(run, "ClusterPolicy").spec.migManager, { enabled: true });
    });

    it("gives the A100 flavor a quota in MIG devices: 4 per GPU × 8 GPUs × 1 machine, split by the teams' shares", () => {
        assert.deepStrictEqual(
            clusterQueueQuotas(run, (r) => r.startsWith("nvidia.com/")),
            {
                research: {
                    h100: { "nvidia.com/gpu": "8", "nvidia.com/mig-1g.10gb": "0" },
                    a100: { "nvidia.com/gpu": "0", "nvidia.com/mig-1g.10gb": "16" },
                    l4: { "nvidia.com/gpu": "3", "nvidia.com/mig-1g.10gb": "0" },
                },
                inference: {
                    h100: { "nvidia.com/gpu": "5", "nvidia.com/mig-1g.10gb": "0" },
                    a100: { "nvidia.com/gpu": "0", "nvidia.com/mig-1g.10gb": "10" },
                    l4: { "nvidia.com/gpu": "2", "nvidia.com/mig-1g.10gb": "0" },
                },
                batch: {
                    h100: { "nvidia.com/gpu": "3", "nvidia.com/mig-1g.10gb": "0" },
                    a100: { "nvidia.com/gpu": "0", "nvidia.com/mig-1g.10gb": "6" },
                    l4: { "nvidia.com/gpu": "1", "nvidia.com/mig-1g.10gb": "0" },
                },
            },
        );
    });

    it("reports per team and resource what it is guaranteed, adding up to what the pools provide", () => {
        const teams = (run.outputs as any).kueue.teams;
        assert.deepStrictEqual(teams.research.poolByResource, { "nvidia.com/gpu": 22, "nvidia.com/mig-1g.10gb": 32 });
        const sum = (resource: string) =>
            Object.values(teams).reduce((total: number, t: any) => total + (t.guaranteedByResource[resource] ?? 0), 0);
        assert.deepStrictEqual([sum("nvidia.com/gpu"), sum("nvidia.com/mig-1g.10gb")], [22, 32]);
        assert.deepStrictEqual((run.outputs as any).pools.a100.mig, {
            profile: "all-1g.10gb",
            devicesPerNode: { "nvidia.com/mig-1g.10gb": 32 },
        });
    });

    it("leaves the accelerator label and the autoscaler's GPU limit off the MIG pool, whose nodes have no nvidia.com/gpu", () => {
        assert.strictEqual(machineSetLabels(run, "a100")["cluster-api/accelerator"], undefined);
        assert.strictEqual(machineSetLabels(run, "h100")["cluster-api/accelerator"], "h100");
        const limits = renderedObject(run, "ClusterAutoscaler").spec.resourceLimits.gpus.map((l: any) => l.type);
        assert.deepStrictEqual(limits, ["h100", "l4"]);
    });

    it("has the MIG pool's smoke test take one MIG device", () => {
        const job = (rendered(run, "Job") as any[]).find((j) => j.metadata.name === "smoke-a100");
        assert.deepStrictEqual(job.spec.template.spec.containers[0].resources.limits, { "nvidia.com/mig-1g.10gb": "1" });
    });

    it("passes the policy pack's GPU-type check with the MIG pool unlabelled", async () => {
        assert.deepStrictEqual(
            mandatory(await runPolicyPack(run, { "pool-within-quota": { quotas: { "L-417A185B": 4096, "L-DB2E81BA": 1024 } } })),
            [],
        );
    });
});

describe("MIG strategy", () => {
    it("is single when every GPU pool has the same one-device layout, with MIG devices as nvidia.com/gpu and the accelerator label kept", async () => {
        const pools = [
            gpuPool("a", { instanceType: "p4de.24xlarge", mig: { profile: "all-3g.40gb" } }),
            gpuPool("b", { instanceType: "p5.48xlarge", mig: { profile: "all-3g.40gb" } }),
        ];
        const run = await runProgram(
            offlineStack({ "cluster-capacity:gpuOperator": { enabled: true }, "cluster-capacity:kueue": { enabled: true } }, pools),
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(renderedObject(run, "ClusterPolicy").spec.mig, { strategy: "single" });
        assert.deepStrictEqual((run.outputs as any).kueue.flavors.a["nvidia.com/gpu"], "16");
        assert.strictEqual(machineSetLabels(run, "a")["cluster-api/accelerator"], "a");
    });

    it("writes a custom layout's ConfigMap and points mig-manager at it", async () => {
        const run = await runProgram(
            migTeamsStack({ h100: { profile: "serving-mix", devices: { "3g.40gb": 1, "1g.10gb": 4 } }, a100: { profile: "all-balanced" } }),
        );
        assert.ifError(run.error);
        const policy = renderedObject(run, "ClusterPolicy").spec;
        assert.deepStrictEqual(policy.migManager, {
            enabled: true,
            config: { name: "cluster-capacity-mig-parted-config", default: "all-disabled" },
        });
        const configMap = renderedObject(run, "ConfigMap", "cluster-capacity-mig-parted-config");
        assert.strictEqual(configMap.metadata.namespace, "nvidia-gpu-operator");
        assert.deepStrictEqual(Object.keys(YAML.parse(configMap.data["config.yaml"])["mig-configs"]), [
            "all-disabled",
            "all-balanced",
            "serving-mix",
        ]);
        assert.deepStrictEqual((run.outputs as any).kueue.flavors.h100, {
            ...(run.outputs as any).kueue.flavors.h100,
            "nvidia.com/mig-1g.10gb": "64",
            "nvidia.com/mig-3g.40gb": "16",
        });
    });
});

describe("a mig-parted config name used on several GPU models", () => {
    it("gets one entry per layout, each for its GPUs' device ids, and one entry when the layouts agree", () => {
        const balanced: MigConfigLayouts = new Map<MigGpu, Record<string, number>>([
            ["A100-40GB", { "1g.5gb": 2, "2g.10gb": 1, "3g.20gb": 1 }],
            ["H100-80GB", { "1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1 }],
            ["A100-80GB", { "1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1 }],
        ]);
        const halves: MigConfigLayouts = new Map([
            ["H100-80GB", { "3g.40gb": 2 }],
            ["A100-80GB", { "3g.40gb": 2 }],
        ]);
        const configs = YAML.parse(
            migPartedConfig(
                new Map([
                    ["all-balanced", balanced],
                    ["all-3g.40gb", halves],
                ]),
            ),
        )["mig-configs"];
        assert.strictEqual(configs["all-balanced"].length, 2);
        assert.deepStrictEqual(configs["all-balanced"][0]["device-filter"], ["0x20B010DE", "0x20B110DE", "0x20F110DE", "0x20F610DE"]);
        assert.deepStrictEqual(configs["all-balanced"][1]["device-filter"].slice(0, 5), [
            "0x233010DE",
            "0x233110DE",
            "0x232210DE",
            "0x232410DE",
            "0x20B210DE",
        ]);
        assert.deepStrictEqual(configs["all-3g.40gb"], [{ devices: "all", "mig-enabled": true, "mig-devices": { "3g.40gb": 2 } }]);
    });

    it("renders all-balanced on A100 40 GB and H100 pools beside a custom layout, with a filter per GPU", async () => {
        const run = await runProgram(
            offlineStack({ "cluster-capacity:gpuOperator": { enabled: true } }, [
                gpuPool("h100", { instanceType: "p5.48xlarge", mig: { profile: "all-balanced" } }),
                gpuPool("a100", { instanceType: "p4d.24xlarge", mig: { profile: "all-balanced" } }),
                gpuPool("whole", { instanceType: "p4de.24xlarge", mig: { profile: "mine", devices: { "7g.80gb": 1 } } }),
            ]),
        );
        assert.ifError(run.error);
        const configs = YAML.parse(renderedObject(run, "ConfigMap", "cluster-capacity-mig-parted-config").data["config.yaml"])[
            "mig-configs"
        ];
        assert.strictEqual(configs["all-balanced"].length, 2);
        assert.deepStrictEqual(configs.mine, [{ devices: "all", "mig-enabled": true, "mig-devices": { "7g.80gb": 1 } }]);
    });
});

describe("MIG mistakes, refused before anything is registered", () => {
    const refusal = async (config: StackConfig, pattern: RegExp) => {
        const run = await runProgram(config);
        assert.ok(run.error, "the program should have failed");
        assert.match(run.error.message, pattern);
        assert.deepStrictEqual(
            run.resources.filter((r) => !r.type.startsWith("pulumi:providers:")),
            [],
            "nothing but a provider may be registered",
        );
    };
    const withOperator = { "cluster-capacity:gpuOperator": { enabled: true } };

    it("refuses a profile the pool's GPU does not take, naming the key", () =>
        refusal(
            migTeamsStack({ h100: { profile: "all-1g.5gb" } }),
            /pools\[0\]\.mig\.profile: got "all-1g\.5gb"; expected a profile of the H100-80GB GPU: all-balanced, all-1g\.10gb/,
        ));

    it("refuses MIG on a GPU without it", () =>
        refusal(
            offlineStack(withOperator, [gpuPool("l4", { mig: { profile: "all-1g.10gb" } })]),
            /pools\[0\]\.mig: got \{"profile":"all-1g\.10gb"\}; expected no MIG on g6\.4xlarge \(NVIDIA L4\): MIG needs A100/,
        ));

    it("refuses time-slicing on a MIG pool", () =>
        refusal(
            offlineStack(withOperator, [
                gpuPool("a100", { instanceType: "p4d.24xlarge", timeSlicing: 2, mig: { profile: "all-1g.10gb" } }),
            ]),
            /pools\[0\]\.timeSlicing: got 2; expected no time-slicing on a MIG pool/,
        ));

    it("refuses MIG without the GPU Operator", () =>
        refusal(
            offlineStack({}, [gpuPool("a100", { instanceType: "p4d.24xlarge", mig: { profile: "all-1g.10gb" } })]),
            /pools\[0\]\.mig: got \{"profile":"all-1g\.10gb"\}; expected no MIG unless cluster-capacity:gpuOperator\.enabled is true/,
        ));

    it("refuses a custom profile without devices, and devices under an all- name", () =>
        refusal(
            offlineStack(withOperator, [
                gpuPool("a", { instanceType: "p4d.24xlarge", mig: { profile: "mine" } }),
                gpuPool("b", { instanceType: "p4d.24xlarge", mig: { profile: "all-mine", devices: { "1g.5gb": 7 } } }),
            ]),
            /pools\[0\]\.mig\.devices: got nothing; expected the MIG devices per GPU of custom profile mine[\s\S]*pools\[1\]\.mig\.profile: got "all-mine"; expected a name that does not start with all-/,
        ));

    it("refuses a custom layout that does not fit the GPU, naming the devices key", () =>
        refusal(
            migTeamsStack({ a100: { profile: "big", devices: { "3g.20gb": 2, "2g.10gb": 1 } } }),
            /pools\[1\]\.mig\.devices: got \{"3g\.20gb":2,"2g\.10gb":1\}; expected devices that fit one A100-40GB GPU: these take 8 of 7 compute/,
        ));

    it("refuses one custom name for two layouts on the same GPU model", () =>
        refusal(
            offlineStack(withOperator, [
                gpuPool("a", { instanceType: "p5.48xlarge", mig: { profile: "mix", devices: { "3g.40gb": 2 } } }),
                gpuPool("b", { instanceType: "p5.48xlarge", mig: { profile: "mix", devices: { "7g.80gb": 1 } } }),
            ]),
            /pools\[1\]\.mig\.profile: got "mix"; expected another name: pool a uses mix on the same H100-80GB GPUs for other devices/,
        ));

    it("refuses the single strategy with an all-balanced pool, and none with any MIG pool", async () => {
        await refusal(
            migTeamsStack(
                { a100: { profile: "all-balanced" } },
                { "cluster-capacity:gpuOperator": { enabled: true, mig: { strategy: "single" } } },
            ),
            /pools\[1\]\.mig\.profile: got "all-balanced"; expected a layout of one MIG device kind under gpuOperator\.mig\.strategy single/,
        );
        await refusal(
            migTeamsStack(undefined, { "cluster-capacity:gpuOperator": { enabled: true, mig: { strategy: "none" } } }),
            /gpuOperator\.mig\.strategy: got "none"; expected single or mixed \(or leave it out\): pool\(s\) a100 use MIG/,
        );
    });

    it("refuses an autoscaled MIG pool under the mixed strategy that may shrink to 0, which the autoscaler could not grow again", () =>
        refusal(
            offlineStack(withOperator, [
                gpuPool("l4", { autoscaling: { minReplicas: 0, maxReplicas: 2 } }),
                gpuPool("a100", {
                    instanceType: "p4d.24xlarge",
                    autoscaling: { minReplicas: 0, maxReplicas: 2 },
                    mig: { profile: "all-1g.10gb" },
                }),
            ]),
            /pools\[1\]\.autoscaling\.minReplicas: got 0; expected at least 1 on a MIG pool under the mixed strategy: the cluster autoscaler cannot grow an empty MachineSet for nvidia\.com\/mig-\* requests/,
        ));

    it("refuses the MIG node label set by hand", () =>
        refusal(
            offlineStack(withOperator, [
                gpuPool("a100", { instanceType: "p4d.24xlarge", labels: { "nvidia.com/mig.config": "all-1g.5gb" } }),
            ]),
            /pools\[0\]\.labels\["nvidia\.com\/mig\.config"\]: got "all-1g\.5gb"; expected a label this program does not set itself/,
        ));
});
