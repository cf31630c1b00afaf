/**
 * Built-in catalogue of the EC2 accelerator instance types platform teams use in practice.
 * It lets `lookups: offline` stacks and the policy pack's default mode work without calling AWS;
 * stack config `instanceTypes` (or policy config) overrides any entry. GPU memory is the nominal
 * size of one GPU.
 */
export interface InstanceSpec {
    vcpus: number;
    memoryMiB: number;
    gpus: number;
    gpuModel?: string;
    gpuMemoryMiB?: number;
    neuronDevices: number;
    /** NeuronCores in all devices together. */
    neuronCores?: number;
    /** Whether the type takes an Elastic Fabric Adapter; only AWS says (the catalogue leaves it out). */
    efaSupported?: boolean;
}

const GiB = 1024;

type Size = [vcpus: number, memoryGiB: number, accelerators: number];
type Accelerators = (count: number) => Omit<InstanceSpec, "vcpus" | "memoryMiB">;

function family(name: string, accelerators: Accelerators, sizes: Record<string, Size>): Record<string, InstanceSpec> {
    return Object.fromEntries(
        Object.entries(sizes).map(([size, [vcpus, memoryGiB, count]]): [string, InstanceSpec] => [
            `${name}.${size}`,
            { vcpus, memoryMiB: memoryGiB * GiB, ...accelerators(count) },
        ]),
    );
}

const nvidia =
    (gpuModel: string, gpuMemoryGiB: number): Accelerators =>
    (gpus) => ({ gpus, gpuModel, gpuMemoryMiB: gpuMemoryGiB * GiB, neuronDevices: 0 });
/** Inferentia2 and Trainium1 devices have two NeuronCores each. */
const neuron: Accelerators = (neuronDevices) => ({ gpus: 0, neuronDevices, neuronCores: neuronDevices * 2 });

/** The G families' sizes: vCPUs and GPUs (one, but four at 12xlarge and 24xlarge, eight at 48xlarge). */
const G_SIZES: [size: string, vcpus: number, gpus: number][] = [
    ["xlarge", 4, 1],
    ["2xlarge", 8, 1],
    ["4xlarge", 16, 1],
    ["8xlarge", 32, 1],
    ["12xlarge", 48, 4],
    ["16xlarge", 64, 1],
    ["24xlarge", 96, 4],
    ["48xlarge", 192, 8],
];

/** G sizes up to `largest`, with `memoryPerVcpuGiB` (g4dn, g5, g6: 4; g6e: 8). */
function gSizes(memoryPerVcpuGiB: number, largest = "48xlarge"): Record<string, Size> {
    const upTo = G_SIZES.findIndex(([size]) => size === largest) + 1;
    return Object.fromEntries(G_SIZES.slice(0, upTo).map(([size, vcpus, gpus]) => [size, [vcpus, vcpus * memoryPerVcpuGiB, gpus]]));
}

export const BUILTIN_INSTANCE_TYPES: Readonly<Record<string, InstanceSpec>> = Object.freeze({
    ...family("g4dn", nvidia("NVIDIA T4", 16), { ...gSizes(4, "16xlarge"), metal: [96, 384, 8] }),
    ...family("g5", nvidia("NVIDIA A10G", 24), gSizes(4)),
    ...family("g6", nvidia("NVIDIA L4", 24), gSizes(4)),
    ...family("g6e", nvidia("NVIDIA L40S", 48), gSizes(8)),
    ...family("gr6", nvidia("NVIDIA L4", 24), { "4xlarge": [16, 128, 1], "8xlarge": [32, 256, 1] }),
    ...family("p3", nvidia("NVIDIA V100", 16), { "2xlarge": [8, 61, 1], "8xlarge": [32, 244, 4], "16xlarge": [64, 488, 8] }),
    ...family("p4d", nvidia("NVIDIA A100", 40), { "24xlarge": [96, 1152, 8] }),
    ...family("p4de", nvidia("NVIDIA A100", 80), { "24xlarge": [96, 1152, 8] }),
    ...family("p5", nvidia("NVIDIA H100", 80), { "4xlarge": [16, 256, 1], "48xlarge": [192, 2048, 8] }),
    ...family("p5e", nvidia("NVIDIA H200", 141), { "48xlarge": [192, 2048, 8] }),
    ...family("p5en", nvidia("NVIDIA H200", 141), { "48xlarge": [192, 2048, 8] }),
    ...family("inf2", neuron, { xlarge: [4, 16, 1], "8xlarge": [32, 128, 1], "24xlarge": [96, 384, 6], "48xlarge": [192, 768, 12] }),
    ...family("trn1", neuron, { "2xlarge": [8, 32, 1], "32xlarge": [128, 512, 16] }),
    ...family("trn1n", neuron, { "32xlarge": [128, 512, 16] }),
});

/** The catalogue entry merged with an override; undefined when neither knows the type. */
export function resolveInstanceSpec(
    instanceType: string,
    overrides: Readonly<Record<string, Partial<InstanceSpec>>> = {},
    base: Readonly<Record<string, InstanceSpec>> = BUILTIN_INSTANCE_TYPES,
): InstanceSpec | undefined {
    const known = base[instanceType];
    const override = overrides[instanceType];
    if (!override) {
        return known;
    }
    const merged: Partial<InstanceSpec> = { ...known, ...override };
    if (merged.vcpus === undefined || merged.memoryMiB === undefined) {
        return undefined;
    }
    return {
        ...merged,
        vcpus: merged.vcpus,
        memoryMiB: merged.memoryMiB,
        gpus: merged.gpus ?? 0,
        neuronDevices: merged.neuronDevices ?? 0,
    };
}
