/**
 * The Machine API's move to Cluster API, decided as pure functions: which of this run's MachineSet
 * changes would not hold on the cluster, and which rendered fields would stop a MachineSet from migrating.
 *
 * openshift/cluster-capi-operator mirrors a `machine.openshift.io` MachineSet into a
 * `cluster.x-k8s.io` one and moves ownership when an admin sets `spec.authoritativeAPI`; the
 * MachineSet's `status.authoritativeAPI` then goes `MachineAPI` → `Migrating` → `ClusterAPI`
 * (pkg/controllers/machinesetmigration/machineset_migration_controller.go). The feature gate
 * MachineAPIMigration is on in TechPreviewNoUpgrade and DevPreviewNoUpgrade only, release-4.19 to
 * release-4.23 (openshift/api features/features.go); the Default MachineSet CRD has no such field.
 * This program never renders `authoritativeAPI`: server-side apply leaves the admin's value alone.
 */
import type { LiveMachineSet } from "../lookups/poolMachineSets";
import { type KubernetesObject, MACHINE_API_GROUP } from "../../policy/lib/contract";

/** Owners under which a MachineSet's spec is no longer the Machine API's to change. */
const NOT_MACHINE_API: ReadonlySet<string> = new Set(["ClusterAPI", "Migrating"]);

/** A label the policy guards: machine.openshift.io*, kubernetes.io* or *cluster.x-k8s.io/*. */
function isGuardedLabel(key: string | undefined): boolean {
    return key !== undefined && (key.startsWith(MACHINE_API_GROUP) || key.startsWith("kubernetes.io") || key.includes("cluster.x-k8s.io/"));
}

function guardedLabels(labels: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(labels).filter(([key]) => isGuardedLabel(key)));
}

/** A MachineSet as this run would apply it. */
export interface DesiredMachineSet {
    pool: string;
    manifest: KubernetesObject;
    /** Paths the run leaves to another owner (ignoreChanges): not applied, so not a change. */
    ignoreChanges: readonly string[];
}

export interface MigratedMachineSetChange {
    machineSet: string;
    pool: string;
    authoritativeAPI: string;
    /** The fields whose value this run would change, e.g. `spec.template.spec.providerSpec.value.instanceType`. */
    fields: string[];
}

/**
 * The paths where `desired` says something `live` does not: every field of `desired` must have the
 * same value in `live` (which also has what the server defaulted). Lists are atomic in a
 * MachineSet's schema, so they must match element by element.
 */
export function fieldsChanged(desired: unknown, live: unknown, ignored: readonly string[] = [], at = ""): string[] {
    if (ignored.includes(at)) return [];
    if (Array.isArray(desired)) {
        if (!Array.isArray(live) || live.length !== desired.length) return [at];
        return desired.flatMap((item, i) => fieldsChanged(item, live[i], ignored, `${at}[${i}]`));
    }
    if (typeof desired === "object" && desired !== null) {
        if (typeof live !== "object" || live === null || Array.isArray(live)) return [at];
        return Object.entries(desired).flatMap(([key, value]) =>
            fieldsChanged(value, (live as Record<string, unknown>)[key], ignored, at ? `${at}.${key}` : key),
        );
    }
    return desired === live ? [] : [at];
}

/** The spec fields the admission policy locks (its `specLockedExceptAuthoritativeAPI`). */
const LOCKED_SPEC_FIELDS: ReadonlySet<string> = new Set(["deletePolicy", "minReadySeconds", "replicas", "selector", "template"]);

function valueAt(object: unknown, segments: readonly string[]): unknown {
    return segments.reduce<unknown>(
        (value, key) => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined),
        object,
    );
}

/**
 * The fields an apply of `desired` would remove: those the Pulumi provider applied before (the
 * live object's managedFields) that `desired` no longer has — server-side apply deletes them.
 */
function fieldsRemoved(desired: DesiredMachineSet, owned: readonly (readonly string[])[]): string[] {
    return owned
        .filter(
            ([top, field, key]) =>
                (top === "spec" && LOCKED_SPEC_FIELDS.has(field)) || (top === "metadata" && field === "labels" && isGuardedLabel(key)),
        )
        .filter(
            (segments) =>
                !desired.ignoreChanges.some((ignored) => segments.join(".") === ignored || segments.join(".").startsWith(`${ignored}.`)),
        )
        .filter((segments) => valueAt(desired.manifest, segments) === undefined)
        .map((segments) => segments.join("."));
}

/**
 * The MachineSets this run would change although the cluster reports them owned by Cluster API or
 * in migration. Changes made through the Machine API then do not hold: cluster-capi-operator's sync
 * controller mirrors the Cluster API MachineSet back over them (pkg/controllers/machinesetsync),
 * and from OpenShift 4.22 its ValidatingAdmissionPolicy `machine-api-machine-set-vap`
 * (admission-policies/default/machine-api-machine-set-vap.yaml, release-4.22) refuses them: while
 * `status.authoritativeAPI` is ClusterAPI, any change of spec.replicas, selector, template,
 * deletePolicy or minReadySeconds, of a machine.openshift.io*, kubernetes.io* or *cluster.x-k8s.io/*
 * label or annotation, and of a label the Cluster API MachineSet has to another value. During
 * `Migrating` both controllers stand still and a change lands on whichever side wins. Applying the
 * same values again changes nothing, so it passes; removing a field Pulumi applied before is a change.
 */
export function changesToMigratedMachineSets(
    desired: readonly DesiredMachineSet[],
    live: readonly LiveMachineSet[],
): MigratedMachineSetChange[] {
    const byName = new Map(live.map((m) => [m.name, m]));
    return desired.flatMap((d) => {
        const current = byName.get(d.manifest.metadata.name);
        if (!current?.authoritativeAPI || !NOT_MACHINE_API.has(current.authoritativeAPI)) return [];
        const fields = [
            ...fieldsChanged(d.manifest.spec, current.spec, d.ignoreChanges, "spec"),
            ...fieldsChanged(guardedLabels(d.manifest.metadata.labels ?? {}), guardedLabels(current.labels), [], "metadata.labels"),
            ...fieldsRemoved(d, current.ownedByPulumi),
        ];
        return fields.length > 0
            ? [{ machineSet: current.name, pool: d.pool, authoritativeAPI: current.authoritativeAPI, fields: [...new Set(fields)] }]
            : [];
    });
}

const FIELDS_SHOWN = 3;

/** What to do about one refused change, in the terms an admin acts on. */
export function describeMigratedChange(change: MigratedMachineSetChange): string {
    const { machineSet, pool, authoritativeAPI, fields } = change;
    const shown =
        fields.slice(0, FIELDS_SHOWN).join(", ") + (fields.length > FIELDS_SHOWN ? ` and ${fields.length - FIELDS_SHOWN} more` : "");
    const where = `MachineSet openshift-machine-api/${machineSet} (pool ${pool})`;
    if (authoritativeAPI === "Migrating") {
        return `${where} is being migrated between the Machine API and Cluster API (status.authoritativeAPI: Migrating) and this run would change ${shown}: run again once its status.authoritativeAPI is MachineAPI or ClusterAPI.`;
    }
    return (
        `${where} is owned by Cluster API (status.authoritativeAPI: ClusterAPI), so this run's change of ${shown} would not hold ` +
        `(cluster-capi-operator mirrors the Cluster API MachineSet back over it, and from OpenShift 4.22 its admission policy machine-api-machine-set-vap refuses it). ` +
        `To manage it from this stack, hand it back: ` +
        `oc patch machineset.machine.openshift.io ${machineSet} -n openshift-machine-api --type merge -p '{"spec":{"authoritativeAPI":"MachineAPI"}}', ` +
        `and run again once its status.authoritativeAPI is MachineAPI. To keep it on Cluster API, make the change on the Cluster API MachineSet openshift-cluster-api/${machineSet} ` +
        `and set pool ${pool}'s config back to what the cluster has (docs/runbook.md, "A MachineSet moved to Cluster API").`
    );
}

type Json = Record<string, unknown>;
const at = (value: unknown): Json => (typeof value === "object" && value !== null ? (value as Json) : {});
/** Upstream tests `len(x) > 0` and compares metadata with reflect.DeepEqual: empty lists, maps and strings count as unset. */
const nonEmpty = (value: unknown): boolean =>
    Array.isArray(value)
        ? value.length > 0
        : typeof value === "object" && value !== null
          ? Object.keys(value).length > 0
          : value !== undefined && value !== "";

/** One rule of the conversion: the problems it finds in a MachineSet's providerSpec. */
type ConversionRule = (providerSpec: Json, clusterRegion: string) => string[];

/**
 * The AWS providerSpec rules of cluster-capi-operator `pkg/conversion/mapi2capi/aws.go`
 * (release-4.22, line numbers there): each returns what would fail the conversion, or a field the
 * conversion would drop without a word (arn references).
 */
const PROVIDER_SPEC_RULES: readonly ConversionRule[] = [
    // l.568-582: only an AMI id converts.
    (spec) =>
        at(spec.ami).id && !at(spec.ami).arn && !nonEmpty(at(spec.ami).filters)
            ? []
            : ["ami: only an AMI id converts, not an arn or filters"],
    // l.293-297: the default credentials Secret or none.
    (spec) => {
        const name = at(spec.credentialsSecret).name;
        return spec.credentialsSecret === undefined || name === "aws-cloud-credentials"
            ? []
            : [`credentialsSecret: ${JSON.stringify(name)} is not the default aws-cloud-credentials`];
    },
    // l.299-305: the cluster's region.
    (spec, region) => {
        const placementRegion = at(spec.placement).region;
        return placementRegion === region ? [] : [`placement.region: ${JSON.stringify(placementRegion)} is not the cluster's ${region}`];
    },
    // l.307-311: no providerSpec metadata.
    (spec) => (Object.values(at(spec.metadata)).every((v) => v === null || !nonEmpty(v)) ? [] : ["metadata: not supported"]),
    // l.313-318: device index 0.
    (spec) => (spec.deviceIndex === undefined || spec.deviceIndex === 0 ? [] : [`deviceIndex: ${JSON.stringify(spec.deviceIndex)}, not 0`]),
    // l.320-322: ENA or EFA.
    (spec) =>
        [undefined, "", "ENA", "EFA"].includes(spec.networkInterfaceType as string)
            ? []
            : [`networkInterfaceType: ${JSON.stringify(spec.networkInterfaceType)}, not ENA or EFA`],
    // l.324-329: load balancers belong to control-plane machines only.
    (spec) => (nonEmpty(spec.loadBalancers) ? ["loadBalancers: not supported on compute machines"] : []),
    // l.612-624 and l.597-609: known metadata authentication and market types.
    (spec) => {
        const auth = at(spec.metadataServiceOptions).authentication;
        return [undefined, "", "Optional", "Required"].includes(auth as string)
            ? []
            : [`metadataServiceOptions.authentication: ${JSON.stringify(auth)}`];
    },
    (spec) =>
        [undefined, "", "OnDemand", "Spot", "CapacityBlock"].includes(spec.marketType as string)
            ? []
            : [`marketType: ${JSON.stringify(spec.marketType)}`],
    // l.670-678 and l.719-721: plain EBS volumes, non-root ones deleted with the machine.
    (spec) =>
        ((spec.blockDevices ?? []) as Json[]).flatMap((device, i) => [
            ...(device.noDevice !== undefined || device.virtualName !== undefined
                ? [`blockDevices[${i}]: noDevice and virtualName are not supported`]
                : []),
            ...(device.deviceName !== undefined && at(device.ebs).deleteOnTermination === false
                ? [`blockDevices[${i}].ebs.deleteOnTermination: non-root volumes must be deleted on termination`]
                : []),
        ]),
    // convertAWSResourceReferenceToCAPI copies id and filters only (l.655-659, l.757-762, l.637-643).
    (spec) => [
        ...(at(spec.subnet).arn ? ["subnet.arn: dropped by the conversion (use id or filters)"] : []),
        ...((spec.securityGroups ?? []) as Json[]).flatMap((group, i) =>
            group.arn ? [`securityGroups[${i}].arn: dropped by the conversion`] : [],
        ),
        ...(at(spec.iamInstanceProfile).id === undefined && spec.iamInstanceProfile !== undefined
            ? ["iamInstanceProfile: only an id converts"]
            : []),
    ],
];

/**
 * Why cluster-capi-operator could not migrate this MachineSet to Cluster API: its providerSpec
 * rules, and the MachineSet's own (`pkg/conversion/mapi2capi/util.go` l.181-184: "taints are not
 * currently supported"; l.192-210: no name, generateName or namespace in the template's metadata).
 */
export function capiConversionBlockers(machineSet: KubernetesObject, clusterRegion: string): string[] {
    const template = at(at(machineSet.spec).template);
    const machineSpec = at(template.spec);
    const providerSpec = at(at(machineSpec.providerSpec).value);
    const metadataKeys = [...Object.keys(at(template.metadata)), ...Object.keys(at(machineSpec.metadata))];
    return [
        ...PROVIDER_SPEC_RULES.flatMap((rule) => rule(providerSpec, clusterRegion).map((p) => `providerSpec.value.${p}`)),
        ...(((machineSpec.taints ?? []) as unknown[]).length > 0 ? ["spec.template.spec.taints: not supported by the conversion yet"] : []),
        ...metadataKeys
            .filter((k) => ["name", "generateName", "namespace"].includes(k))
            .map((k) => `spec.template metadata.${k}: not supported`),
    ];
}
