/**
 * The boot image an OpenShift cluster publishes for its own release: the Machine Config Operator's
 * `coreos-bootimages` ConfigMap holds the CoreOS stream metadata (coreos/stream-metadata-go
 * `stream.Stream`), where `architectures.<arch>.images.aws.regions.<region>.image` is the AMI. Pure.
 */

export const BOOT_IMAGES_CONFIGMAP = { namespace: "openshift-machine-config-operator", name: "coreos-bootimages" } as const;

type Architecture = "x86_64" | "aarch64";

/**
 * The CoreOS architecture an instance type boots: AWS's `supportedArchitectures` when known, else
 * the family name (Graviton families carry a `g` after the generation digit: g5g, c7g).
 */
export function architectureOf(instanceType: string, supportedArchitectures?: readonly string[]): Architecture {
    if (supportedArchitectures && supportedArchitectures.length > 0) {
        return supportedArchitectures.includes("x86_64") ? "x86_64" : "aarch64";
    }
    const family = instanceType.split(".")[0];
    return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "aarch64" : "x86_64";
}

type BootImage = { ami: string } | { missing: string };

interface StreamMetadata {
    architectures?: Record<string, { images?: { aws?: { regions?: Record<string, { image?: string }> } } }>;
}

/** The AMI of `arch` in `region` from the ConfigMap's `data.stream`, or why there is none. */
export function bootImageFromStream(stream: string | undefined, arch: Architecture, region: string): BootImage {
    if (!stream) return { missing: "the ConfigMap has no data.stream (or its value is not known in this preview)" };
    let parsed: StreamMetadata;
    try {
        parsed = JSON.parse(stream) as StreamMetadata;
    } catch {
        return { missing: "its data.stream is not JSON" };
    }
    const regions = parsed.architectures?.[arch]?.images?.aws?.regions;
    if (!regions) return { missing: `it lists no AWS images for ${arch}` };
    const image = regions[region]?.image;
    return image ? { ami: image } : { missing: `it lists no ${arch} AMI in ${region}` };
}
