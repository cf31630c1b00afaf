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
}

const GiB = 1024;

function gpuFamily(
    model: string,
    gpuMemoryGiB: number,
    sizes: Record<string, [vcpus: number, memoryGiB: number, gpus: number]>,
    family: string,
): Record<string, InstanceSpec> {
    const entries = Object.entries(sizes).map(([size, [vcpus, memoryGiB, gpus]]) => [
        `${family}.${size}`,
        { vcpus, memoryMiB: memoryGiB * GiB, gpus, gpuModel: model, gpuMemoryMiB: gpuMemoryGiB * GiB, neuronDevices: 0 },
    ]);
    return Object.fromEntries(entries);
}

function neuronFamily(
    family: string,
    sizes: Record<string, [vcpus: number, memoryGiB: number, devices: number]>,
): Record<string, InstanceSpec> {
    const entries = Object.entries(sizes).map(([size, [vcpus, memoryGiB, neuronDevices]]) => [
        `${family}.${size}`,
        { vcpus, memoryMiB: memoryGiB * GiB, gpus: 0, neuronDevices },
    ]);
    return Object.fromEntries(entries);
}

export const BUILTIN_INSTANCE_TYPES: Readonly<Record<string, InstanceSpec>> = Object.freeze({
    ...gpuFamily(
        "NVIDIA T4",
        16,
        {
            xlarge: [4, 16, 1],
            "2xlarge": [8, 32, 1],
            "4xlarge": [16, 64, 1],
            "8xlarge": [32, 128, 1],
            "12xlarge": [48, 192, 4],
            "16xlarge": [64, 256, 1],
            metal: [96, 384, 8],
        },
        "g4dn",
    ),
    ...gpuFamily(
        "NVIDIA A10G",
        24,
        {
            xlarge: [4, 16, 1],
            "2xlarge": [8, 32, 1],
            "4xlarge": [16, 64, 1],
            "8xlarge": [32, 128, 1],
            "12xlarge": [48, 192, 4],
            "16xlarge": [64, 256, 1],
            "24xlarge": [96, 384, 4],
            "48xlarge": [192, 768, 8],
        },
        "g5",
    ),
    ...gpuFamily(
        "NVIDIA L4",
        24,
        {
            xlarge: [4, 16, 1],
            "2xlarge": [8, 32, 1],
            "4xlarge": [16, 64, 1],
            "8xlarge": [32, 128, 1],
            "12xlarge": [48, 192, 4],
            "16xlarge": [64, 256, 1],
            "24xlarge": [96, 384, 4],
            "48xlarge": [192, 768, 8],
        },
        "g6",
    ),
    ...gpuFamily(
        "NVIDIA L40S",
        48,
        {
            xlarge: [4, 32, 1],
            "2xlarge": [8, 64, 1],
            "4xlarge": [16, 128, 1],
            "8xlarge": [32, 256, 1],
            "12xlarge": [48, 384, 4],
            "16xlarge": [64, 512, 1],
            "24xlarge": [96, 768, 4],
            "48xlarge": [192, 1536, 8],
        },
        "g6e",
    ),
    ...gpuFamily("NVIDIA L4", 24, { "4xlarge": [16, 128, 1], "8xlarge": [32, 256, 1] }, "gr6"),
    ...gpuFamily("NVIDIA V100", 16, { "2xlarge": [8, 61, 1], "8xlarge": [32, 244, 4], "16xlarge": [64, 488, 8] }, "p3"),
    ...gpuFamily("NVIDIA A100", 40, { "24xlarge": [96, 1152, 8] }, "p4d"),
    ...gpuFamily("NVIDIA A100", 80, { "24xlarge": [96, 1152, 8] }, "p4de"),
    ...gpuFamily("NVIDIA H100", 80, { "4xlarge": [16, 256, 1], "48xlarge": [192, 2048, 8] }, "p5"),
    ...gpuFamily("NVIDIA H200", 141, { "48xlarge": [192, 2048, 8] }, "p5e"),
    ...gpuFamily("NVIDIA H200", 141, { "48xlarge": [192, 2048, 8] }, "p5en"),
    ...neuronFamily("inf2", { xlarge: [4, 16, 1], "8xlarge": [32, 128, 1], "24xlarge": [96, 384, 6], "48xlarge": [192, 768, 12] }),
    ...neuronFamily("trn1", { "2xlarge": [8, 32, 1], "32xlarge": [128, 512, 16] }),
    ...neuronFamily("trn1n", { "32xlarge": [128, 512, 16] }),
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
    return { ...merged, vcpus: merged.vcpus, memoryMiB: merged.memoryMiB, gpus: merged.gpus ?? 0, neuronDevices: merged.neuronDevices ?? 0 };
}
