/**
 * What each OpenShift minor can run: the OLM channels of the operators this program installs, the
 * GPU Operator release lines NVIDIA supports there, the Kueue API the Red Hat build serves and the
 * NFD fields that exist. Config defaults come from the row of `cluster.openshiftVersion`; overrides
 * the matrix says cannot work are config errors (lib/config/operatorSettings.ts).
 *
 * Sources, read 2026-11 and, for 4.21 and 4.22, 2026-12 (the row comments name the file or page per fact):
 * - Kubernetes: openshift/api `go.mod` (`k8s.io/api`) per release-4.X branch: v0.33.2 on 4.20,
 *   v0.34.1 on 4.21, v0.35.1 on 4.22.
 * - GPU Operator: NVIDIA/cloud-native-docs `gpu-operator/platform-support.rst` ("Red Hat Core OS" row)
 *   on branches release-24.9, release-25.3, release-25.10 and main (26.x), and NVIDIA/gpu-operator
 *   `bundle/metadata/annotations.yaml` (`com.redhat.openshift.versions`, channels `stable,vX.Y`) at
 *   tags v24.9.2, v25.3.3, v25.3.4, v25.10.1, v26.3.3, v26.7.0; `gpu-operator/life-cycle-policy.rst`
 *   on main marks 25.10 and older End of Support.
 * - NFD: openshift/cluster-nfd-operator `manifests/nfd.package.yaml` (channel `stable` on
 *   release-4.14 … release-4.21; `manifests/stable/metadata/annotations.yaml` on release-4.21 and
 *   release-4.22) and `config/crd/bases/nfd.openshift.io_nodefeaturediscoveries.yaml`
 *   (`spec.operand.workerTolerations` from release-4.19, commit 1e51bce2; before, the worker
 *   DaemonSet tolerates `Exists`/`NoSchedule` only: release-4.18 `internal/daemonset/daemonset.go`).
 * - KMM: the `kernel-module-management` catalog template (defaultChannel `stable`, the same for the
 *   4.14–4.23 catalogs) and openshift/openshift-docs `modules/kmm-installing-using-cli.adoc`.
 * - Red Hat build of Kueue: openshift/kueue-fbc `v4.X/catalog/kueue-operator/catalog.json`
 *   (channels per catalog; no v4.14–v4.17 catalog) and the CRDs the operator ships in
 *   openshift/kueue-operator `bindata/assets/kueue-operator/crds/` per release-1.x branch
 *   (v1beta2 served and stored from 1.3; 1.0–1.2 serve v1beta1 only).
 * - AWS Neuron operator: redhat-openshift-ecosystem/community-operators-prod
 *   `operators/aws-neuron-operator/catalog-templates/v4.19.yaml … v4.22.yaml` (channels `Fast` and
 *   `Stable`, capitalised; no catalog below 4.19 or above 4.22).
 *
 * No 4.23 row: no GPU Operator bundle lists it (v26.7.0 and v26.3.3 stop at `v4.22`), nor does the
 * Neuron operator's catalog (and cluster-nfd-operator's release-4.23 is its release-5.0, "moving
 * version to 5.0").
 */
import type { OpenShiftVersion } from "./openshift";
import type { KueueApiVersion } from "../policy/lib/contract";

interface GpuOperatorLine {
    /** Release line, e.g. `25.10`; its OLM channel is `v25.10`. */
    line: string;
    /** The first patch release whose bundle lists this OpenShift minor, when not the line's first. */
    from?: string;
}

interface KueueOperatorChannel {
    channel: string;
    apiVersion: KueueApiVersion;
}

export interface PlatformRow {
    /** The Kubernetes minor the OpenShift release runs, e.g. `1.31`. */
    kubernetes: string;
    gpuOperator: { lines: GpuOperatorLine[]; defaultLine: string };
    nfd: { channel: string; workerTolerations: boolean };
    kmm: { channel: string };
    /** Absent where no catalog offers the Red Hat build of Kueue. */
    kueueOperator?: { channels: KueueOperatorChannel[]; defaultChannel: string };
    /** Absent where the community catalog has no AWS Neuron operator. */
    neuronOperator?: { source: string; channels: string[]; defaultChannel: string; customSchedulerImage: string };
}

const lines = (...spec: (string | GpuOperatorLine)[]): GpuOperatorLine[] => spec.map((l) => (typeof l === "string" ? { line: l } : l));

const NFD_WITHOUT_TOLERATIONS = { channel: "stable", workerTolerations: false };
const NFD_WITH_TOLERATIONS = { channel: "stable", workerTolerations: true };
const KMM = { channel: "stable" };

/** kueue-fbc catalogs v4.18 and v4.19; stable-v0.x channels predate the GA 1.0 operator and are left out. */
const KUEUE_418_419: KueueOperatorChannel[] = [
    { channel: "stable-v1.0", apiVersion: "v1beta1" },
    { channel: "stable-v1.1", apiVersion: "v1beta1" },
    { channel: "stable-v1.2", apiVersion: "v1beta1" },
    { channel: "stable-v1.3", apiVersion: "v1beta2" },
    { channel: "stable-v1.4", apiVersion: "v1beta2" },
];

/** kueue-fbc v4.21: stable-v1.1 is gone; v4.22: stable-v1.3 (1.3.1 only) and stable-v1.4 (1.4.0, 1.4.1). */
const KUEUE_421 = KUEUE_418_419.slice(2);
const KUEUE_422 = KUEUE_418_419.slice(3);

/**
 * The AWS Neuron operator: `Stable` by default (the catalog's default is `Fast`). Its custom
 * scheduler must not be newer than the API server (Kubernetes version-skew policy), so each row
 * names an eks-distro kube-scheduler of its own Kubernetes minor or one below, as the operator's own
 * OpenShift material does.
 */
const neuronOperator = (customSchedulerTag: string) => ({
    source: "community-operators",
    channels: ["Stable", "Fast"],
    defaultChannel: "Stable",
    customSchedulerImage: `public.ecr.aws/eks-distro/kubernetes/kube-scheduler:${customSchedulerTag}`,
});

/** v1.32, the minor of OpenShift 4.19 and one below 4.20's: the operator's README examples. */
const NEURON_4_19_4_20 = neuronOperator("v1.32.9-eks-1-32-24");

/**
 * 4.14 to 4.17, alike but for Kubernetes. GPU Operator: docs release-24.9 (4.12–4.17), release-25.3
 * (4.12–4.19), release-25.10 (4.14–4.21); the 26.x docs start at 4.17/4.18, and 26.3 listed 4.17 at
 * 26.3.0 and dropped it with 26.3.3 (cloud-native-docs 0b3e69b5). No Kueue or Neuron catalog.
 */
const beforeKueueCatalog = (kubernetes: string): PlatformRow => ({
    kubernetes,
    gpuOperator: { lines: lines("24.9", "25.3", "25.10"), defaultLine: "25.10" },
    nfd: NFD_WITHOUT_TOLERATIONS,
    kmm: KMM,
});

export const VERSION_MATRIX: Readonly<Record<number, PlatformRow>> = {
    14: beforeKueueCatalog("1.27"),
    15: beforeKueueCatalog("1.28"),
    16: beforeKueueCatalog("1.29"),
    17: beforeKueueCatalog("1.30"),
    // 24.9 stops at 4.17; 25.3 added 4.18 in 25.3.0; 26.7 (main docs 4.18–4.22) is the supported line.
    18: {
        kubernetes: "1.31",
        gpuOperator: { lines: lines("25.3", "25.10", "26.3", "26.7"), defaultLine: "26.7" },
        nfd: NFD_WITHOUT_TOLERATIONS,
        kmm: KMM,
        kueueOperator: { channels: KUEUE_418_419, defaultChannel: "stable-v1.4" },
    },
    // 25.3 bundles list 4.19 from v25.3.3 (annotations.yaml v4.14-v4.19); NFD gains workerTolerations.
    19: {
        kubernetes: "1.32",
        gpuOperator: { lines: lines({ line: "25.3", from: "25.3.3" }, "25.10", "26.3", "26.7"), defaultLine: "26.7" },
        nfd: NFD_WITH_TOLERATIONS,
        kmm: KMM,
        kueueOperator: { channels: KUEUE_418_419, defaultChannel: "stable-v1.4" },
        neuronOperator: NEURON_4_19_4_20,
    },
    // 25.10.0 release notes: "Added support for Red Hat OpenShift Container Platform 4.20"; the v4.20
    // Kueue catalog starts at stable-v1.1.
    20: {
        kubernetes: "1.33",
        gpuOperator: { lines: lines("25.10", "26.3", "26.7"), defaultLine: "26.7" },
        nfd: NFD_WITH_TOLERATIONS,
        kmm: KMM,
        kueueOperator: { channels: KUEUE_418_419.slice(1), defaultChannel: "stable-v1.4" },
        neuronOperator: NEURON_4_19_4_20,
    },
    // Bundles listing 4.21: v26.3.0 on (annotations.yaml `v4.14-v4.21`), v26.7.0 (`v4.18-v4.22`);
    // 25.10 stops at `v4.20`. CDI is on by default from 26.3 (`cdi.enabled` default true) and
    // `cdi.default` is ignored; NVIDIADriver `spec.default` exists from 26.7.0
    // (api/nvidia/v1alpha1/nvidiadriver_types.go). Neuron: the scheduler of the operator's 1.2.0
    // bundle (CSV `kube-scheduler:v1.34.4-eks-1-34-16`).
    21: {
        kubernetes: "1.34",
        gpuOperator: { lines: lines("26.3", "26.7"), defaultLine: "26.7" },
        nfd: NFD_WITH_TOLERATIONS,
        kmm: KMM,
        kueueOperator: { channels: KUEUE_421, defaultChannel: "stable-v1.4" },
        neuronOperator: neuronOperator("v1.34.4-eks-1-34-16"),
    },
    // 26.3 lists 4.22 from v26.3.3 (`v4.14-v4.22`); v26.7.0 lists it. Neuron: the operator's sample
    // on main, "OCP 4.22 versions" (config/samples/k8s.aws_deviceconfigs.yaml, 2cf7768).
    22: {
        kubernetes: "1.35",
        gpuOperator: { lines: lines({ line: "26.3", from: "26.3.3" }, "26.7"), defaultLine: "26.7" },
        nfd: NFD_WITH_TOLERATIONS,
        kmm: KMM,
        kueueOperator: { channels: KUEUE_422, defaultChannel: "stable-v1.4" },
        neuronOperator: neuronOperator("v1.35.5-eks-1-35-10"),
    },
};

/**
 * What each GPU Operator release line's CRDs do with the fields this program decides about, read in
 * NVIDIA/gpu-operator `api/nvidia/v1/clusterpolicy_types.go` (CDIConfigSpec, DriverSpec) and
 * `api/nvidia/v1alpha1/nvidiadriver_types.go` at each line's newest tag: v24.9.2, v25.3.4,
 * v25.10.1, v26.3.3, v26.7.0. The program renders no `cdi` (each line's default stands) and sets
 * `driver.useNvidiaDriverCRD` and NVIDIADriver `spec.default` only with driverPerPool.
 */
export interface GpuOperatorLineFields {
    /** `cdi.enabled` defaults to true: containers get GPUs through CDI unless told otherwise. */
    cdiByDefault: boolean;
    /** `cdi.default` is "Deprecated: This field is no longer used". */
    cdiDefaultDeprecated: boolean;
    /** ClusterPolicy `driver.useNvidiaDriverCRD` exists: NVIDIADriver CRs can drive the driver. */
    useNvidiaDriverCRD: boolean;
    /** NVIDIADriver `spec.default`: a fallback CR, without nodeSelector, for nodes no other CR selects. */
    nvidiaDriverDefault: boolean;
}

export const GPU_OPERATOR_LINES: Readonly<Record<string, GpuOperatorLineFields>> = {
    "24.9": { cdiByDefault: false, cdiDefaultDeprecated: false, useNvidiaDriverCRD: true, nvidiaDriverDefault: false },
    "25.3": { cdiByDefault: false, cdiDefaultDeprecated: false, useNvidiaDriverCRD: true, nvidiaDriverDefault: false },
    // v25.10.1 clusterpolicy_types.go l.1703-1717: `+kubebuilder:default=true`; cdi.default deprecated.
    "25.10": { cdiByDefault: true, cdiDefaultDeprecated: true, useNvidiaDriverCRD: true, nvidiaDriverDefault: false },
    "26.3": { cdiByDefault: true, cdiDefaultDeprecated: true, useNvidiaDriverCRD: true, nvidiaDriverDefault: false },
    // v26.7.0 nvidiadriver_types.go l.50-53: `Default bool` "the fallback driver".
    "26.7": { cdiByDefault: true, cdiDefaultDeprecated: true, useNvidiaDriverCRD: true, nvidiaDriverDefault: true },
};

/** The first GPU Operator line whose CRDs have `field`; lines after the table's are taken to keep it. */
export function firstLineWith(field: keyof GpuOperatorLineFields): string {
    const line = Object.keys(GPU_OPERATOR_LINES)
        .sort(compareVersions)
        .find((l) => GPU_OPERATOR_LINES[l][field]);
    if (!line) throw new Error(`no GPU Operator line has ${field}`);
    return line;
}

const MATRIX_MINORS: readonly number[] = Object.keys(VERSION_MATRIX).map(Number);

/** The row of an OpenShift version, or undefined outside the matrix (matrixRange). */
export function platformRow(version: OpenShiftVersion): PlatformRow | undefined {
    return VERSION_MATRIX[version.minor];
}

export function matrixRange(): string {
    return `4.${Math.min(...MATRIX_MINORS)}–4.${Math.max(...MATRIX_MINORS)}`;
}

/** `25.3.1` → `25.3`. */
export function releaseLine(version: string): string {
    return version.split(".").slice(0, 2).join(".");
}

/** Compares dotted numeric versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const d = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

/** The supported GPU Operator line a pinned version belongs to, or why it is not supported. */
export function gpuOperatorSupport(row: PlatformRow, version: string): { ok: true } | { ok: false; why: string } {
    const line = row.gpuOperator.lines.find((l) => l.line === releaseLine(version));
    if (!line) return { ok: false, why: `release line ${releaseLine(version)} is not supported there` };
    if (line.from && compareVersions(version, line.from) < 0) {
        return { ok: false, why: `${line.line} is supported there from ${line.from} on` };
    }
    return { ok: true };
}

/** `v1.32.9-eks-1-32-24` in an image reference → `1.32`; undefined when the tag has no such version. */
export function imageKubernetesMinor(image: string): string | undefined {
    const tag = image.slice(image.lastIndexOf(":") + 1);
    const match = /^v(\d+)\.(\d+)/.exec(tag);
    return match ? `${match[1]}.${match[2]}` : undefined;
}

/** The matrix as docs/versions.md shows it (written by `npm run docs`, kept in sync by test/docs.spec.ts). */
export function versionMatrixMarkdown(): string {
    const header = [
        "| OpenShift | Kubernetes | GPU Operator lines (default channel) | NFD channel | NFD `workerTolerations` | KMM channel | Red Hat build of Kueue channels (API) | AWS Neuron operator channels |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ];
    const rows = MATRIX_MINORS.map((minor) => {
        const row = VERSION_MATRIX[minor];
        const gpu = row.gpuOperator.lines.map((l) => (l.from ? `${l.line} (from ${l.from})` : l.line)).join(", ");
        const kueue = row.kueueOperator
            ? row.kueueOperator.channels.map((c) => `\`${c.channel}\` (${c.apiVersion})`).join(", ")
            : "not offered";
        const neuron = row.neuronOperator ? row.neuronOperator.channels.map((c) => `\`${c}\``).join(", ") : "not offered";
        return `| 4.${minor} | ${row.kubernetes} | ${gpu} (\`v${row.gpuOperator.defaultLine}\`) | \`${row.nfd.channel}\` | ${row.nfd.workerTolerations ? "yes" : "no"} | \`${row.kmm.channel}\` | ${kueue} | ${neuron} |`;
    });
    return [...header, ...rows].join("\n");
}

/** The GPU Operator lines' fields as docs/versions.md shows them (written by `npm run docs`, kept in sync by test/docs.spec.ts). */
export function gpuOperatorLinesMarkdown(): string {
    const yes = (value: boolean) => (value ? "yes" : "no");
    return [
        "| GPU Operator line | CDI on by default (`cdi.enabled`) | `cdi.default` deprecated | `driver.useNvidiaDriverCRD` | NVIDIADriver `spec.default` |",
        "| --- | --- | --- | --- | --- |",
        ...Object.entries(GPU_OPERATOR_LINES)
            .sort(([a], [b]) => compareVersions(a, b))
            .map(
                ([line, f]) =>
                    `| ${line} | ${yes(f.cdiByDefault)} | ${yes(f.cdiDefaultDeprecated)} | ${yes(f.useNvidiaDriverCRD)} | ${yes(f.nvidiaDriverDefault)} |`,
            ),
    ].join("\n");
}
