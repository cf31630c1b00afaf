/**
 * Multi-Instance GPU: which MIG layouts each GPU model takes, what a pool's nodes then advertise,
 * and the mig-parted config of custom layouts. Pure.
 *
 * The layouts are those of NVIDIA's MIG user guide ("Supported MIG Profiles") as the GPU Operator
 * ships them: gpu-operator v26.7.0 `assets/state-mig-manager/0400_configmap.yaml`, and the configs
 * mig-manager v0.15.0 generates from the hardware (mig-parted `pkg/mig/builder/builder.go`):
 * `all-disabled`, `all-enabled`, `all-balanced` and `all-<profile>` with `+` written as `.`.
 */
import type { InstanceSpec } from "../../policy/lib/catalogue";
import type { MigLayout } from "../config/types";
import { GPU_RESOURCE, migResource } from "../../policy/lib/contract";

/** The MIG-capable GPUs of the EC2 catalogue: p4d, p4de, p5, p5e/p5en. */
export type MigGpu = "A100-40GB" | "A100-80GB" | "H100-80GB" | "H200-141GB";

/** A MIG device: how many fit on one GPU when all are alike, and its memory slices (of 8). */
type ProfileLimits = Record<string, [maxPerGpu: number, memorySlices: number]>;

const A100_40GB: ProfileLimits = {
    "1g.5gb": [7, 1],
    "1g.5gb+me": [1, 1],
    "1g.10gb": [4, 2],
    "2g.10gb": [3, 2],
    "3g.20gb": [2, 4],
    "4g.20gb": [1, 4],
    "7g.40gb": [1, 8],
};
const GPU_80GB: ProfileLimits = {
    "1g.10gb": [7, 1],
    "1g.10gb+me": [1, 1],
    "1g.20gb": [4, 2],
    "2g.20gb": [3, 2],
    "3g.40gb": [2, 4],
    "4g.40gb": [1, 4],
    "7g.80gb": [1, 8],
};
const H200_141GB: ProfileLimits = {
    "1g.18gb": [7, 1],
    "1g.18gb+me": [1, 1],
    "1g.35gb": [4, 2],
    "2g.35gb": [3, 2],
    "3g.71gb": [2, 4],
    "4g.71gb": [1, 4],
    "7g.141gb": [1, 8],
};

const PROFILES: Record<MigGpu, { limits: ProfileLimits; balanced: Record<string, number> }> = {
    "A100-40GB": { limits: A100_40GB, balanced: { "1g.5gb": 2, "2g.10gb": 1, "3g.20gb": 1 } },
    "A100-80GB": { limits: GPU_80GB, balanced: { "1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1 } },
    "H100-80GB": { limits: GPU_80GB, balanced: { "1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1 } },
    "H200-141GB": { limits: H200_141GB, balanced: { "1g.18gb": 2, "2g.35gb": 1, "3g.71gb": 1 } },
};

/** GPU compute slices: a GPU has 7, a `3g.40gb` device takes 3. */
const COMPUTE_SLICES = 7;
const MEMORY_SLICES = 8;

/** The MIG GPU of an instance type, from its model and memory (AWS: "NVIDIA A100", 40960 MiB). */
export function migGpuOf(spec: InstanceSpec): MigGpu | undefined {
    const model = /\b(A100|H100|H200)\b/i.exec(spec.gpuModel ?? "")?.[1].toUpperCase();
    const gib = (spec.gpuMemoryMiB ?? 0) / 1024;
    if (model === "A100") return gib > 60 ? "A100-80GB" : "A100-40GB";
    if (model === "H100") return "H100-80GB";
    if (model === "H200") return "H200-141GB";
    return undefined;
}

/** The config that splits every GPU into one kind of device: `all-<device>`, `+` written as `.` (`1g.10gb+me` → `all-1g.10gb.me`). */
function configName(device: string): string {
    return `all-${device.replaceAll("+", ".")}`;
}

/** The profiles a GPU model takes, as `all-<profile>` config names. */
function migConfigNames(gpu: MigGpu): string[] {
    return ["all-balanced", ...Object.keys(PROFILES[gpu].limits).map(configName)];
}

/**
 * The MIG devices of one GPU under a layout, or an explanation of why the GPU does not take it.
 * A custom layout must fit the GPU's 7 compute and 8 memory slices; where each device goes on the
 * GPU (placement) is mig-parted's to find, and it refuses layouts that fit but cannot be placed.
 */
export function migDevicesPerGpu(layout: Pick<MigLayout, "profile" | "devices">, gpu: MigGpu): Record<string, number> | string {
    const { limits, balanced } = PROFILES[gpu];
    if (!layout.devices) {
        if (layout.profile === "all-balanced") return balanced;
        const profile = Object.keys(limits).find((p) => configName(p) === layout.profile);
        if (!profile) return `a profile of the ${gpu} GPU: ${migConfigNames(gpu).join(", ")} (or a custom name with mig.devices)`;
        return { [profile]: limits[profile][0] };
    }
    const unknown = Object.keys(layout.devices).filter((p) => !limits[p]);
    if (unknown.length > 0) return `MIG devices of the ${gpu} GPU (${Object.keys(limits).join(", ")}), not ${unknown.join(", ")}`;
    const over = Object.entries(layout.devices).filter(([p, n]) => n > limits[p][0]);
    if (over.length > 0) return `at most ${over.map(([p]) => `${limits[p][0]} × ${p}`).join(", ")} on one ${gpu} GPU`;
    const compute = Object.entries(layout.devices).reduce((sum, [p, n]) => sum + Number(p.split("g.")[0]) * n, 0);
    const memory = Object.entries(layout.devices).reduce((sum, [p, n]) => sum + limits[p][1] * n, 0);
    if (compute > COMPUTE_SLICES || memory > MEMORY_SLICES) {
        return `devices that fit one ${gpu} GPU: these take ${compute} of ${COMPUTE_SLICES} compute and ${memory} of ${MEMORY_SLICES} memory slices`;
    }
    return layout.devices;
}

/** The extended resource a MIG device is advertised as under the ClusterPolicy's MIG strategy. */
export function migDeviceResource(device: string, strategy: "single" | "mixed"): string {
    return strategy === "single" ? GPU_RESOURCE : migResource(device);
}

/**
 * PCI device ids (device, vendor 10DE) of each MIG GPU, as the GPU Operator's default MIG config
 * filters on them (v26.7.0 `assets/state-mig-manager/0400_configmap.yaml`).
 */
const DEVICE_IDS: Record<MigGpu, string[]> = {
    "A100-40GB": ["0x20B010DE", "0x20B110DE", "0x20F110DE", "0x20F610DE"],
    "A100-80GB": ["0x20B210DE", "0x20B510DE", "0x20F310DE", "0x20F510DE"],
    "H100-80GB": ["0x233010DE", "0x233110DE", "0x232210DE", "0x232410DE"],
    "H200-141GB": ["0x233510DE", "0x233B10DE"],
};

/** One config name's layouts: the devices per GPU, by GPU model. */
export type MigConfigLayouts = Map<MigGpu, Record<string, number>>;

/**
 * The mig-parted config of the pools' layouts (mig-parted v0.15.0 `api/spec/v1/spec.go`), with
 * `all-disabled`, the value the ClusterPolicy's `migManager.config.default` gives MIG-capable
 * nodes without a layout. A name whose layout differs between GPU models (`all-balanced` on an A100
 * and an H100) gets one entry per layout, each for its GPUs' device ids.
 */
export function migPartedConfig(configs: ReadonlyMap<string, MigConfigLayouts>): string {
    const devicesYaml = (devices: Record<string, number>) =>
        Object.entries(devices)
            .map(([device, count]) => `        "${device}": ${count}`)
            .join("\n");
    const entries = [...configs]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, byGpu]) => {
            const layouts = new Map<string, { devices: Record<string, number>; ids: string[] }>();
            for (const [gpu, devices] of byGpu) {
                const key = JSON.stringify(devices);
                const known = layouts.get(key) ?? { devices, ids: [] };
                layouts.set(key, { devices, ids: [...known.ids, ...DEVICE_IDS[gpu]] });
            }
            const filtered = layouts.size > 1;
            return [
                `  ${name}:`,
                ...[...layouts.values()].map(
                    ({ devices, ids }) =>
                        `    - devices: all\n${filtered ? `      device-filter: ${JSON.stringify(ids)}\n` : ""}      mig-enabled: true\n      mig-devices:\n${devicesYaml(devices)}`,
                ),
            ].join("\n");
        });
    return ["version: v1", "mig-configs:", "  all-disabled:", "    - devices: all", "      mig-enabled: false", ...entries, ""].join("\n");
}
