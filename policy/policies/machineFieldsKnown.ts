import type { StackValidationPolicy } from "@pulumi/policy";
import { objectOf, ResourceLike } from "../lib/resources";
import { MACHINE_AUTOSCALER, MACHINE_SET } from "../lib/contract";

/**
 * The fields each object may have where the pack reads machine counts and instance types. A key
 * the API does not know is dropped by the server (or, inside `providerSpec.value`, ignored by the
 * machine API), so `InstanceType` or `MaxReplicas` would pass the pack unread and launch something
 * else than it checked. The MachineSet and MachineAutoscaler lists are the CRDs' `spec` properties
 * (a test compares them with ../shared/crds), the MachineSet's in every feature set: a
 * TechPreviewNoUpgrade cluster adds `authoritativeAPI` to the spec and the machine template and
 * defaults it, so a refreshed MachineSet has it though the program never renders it
 * (test/fixtures/machine-api-migration); the providerSpec list is AWSMachineProviderConfig's
 * JSON fields in openshift/api `machine/v1beta1/types_awsprovider.go` (master, August 2026).
 */
export const KNOWN_FIELDS: Record<string, Record<string, readonly string[]>> = {
    [MACHINE_SET]: {
        spec: ["authoritativeAPI", "deletePolicy", "minReadySeconds", "replicas", "selector", "template"],
        "spec.template.spec": ["authoritativeAPI", "lifecycleHooks", "metadata", "providerID", "providerSpec", "taints"],
        "spec.template.spec.providerSpec.value": [
            "apiVersion",
            "kind",
            "metadata",
            "ami",
            "instanceType",
            "cpuOptions",
            "tags",
            "iamInstanceProfile",
            "userDataSecret",
            "credentialsSecret",
            "keyName",
            "deviceIndex",
            "publicIp",
            "networkInterfaceType",
            "securityGroups",
            "subnet",
            "placement",
            "loadBalancers",
            "blockDevices",
            "spotMarketOptions",
            "metadataServiceOptions",
            "placementGroupName",
            "placementGroupPartition",
            "capacityReservationId",
            "marketType",
            "confidentialCompute",
        ],
    },
    [MACHINE_AUTOSCALER]: {
        spec: ["maxReplicas", "minReplicas", "scaleTargetRef"],
        "spec.scaleTargetRef": ["apiVersion", "kind", "name"],
    },
};

function at(object: unknown, path: string): unknown {
    return path
        .split(".")
        .reduce<unknown>(
            (value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined),
            object,
        );
}

/** The unknown keys of one resource, each with the known key it differs from only in case, if any. */
function unknownFields(resource: ResourceLike): { path: string; key: string; meant?: string }[] {
    const found: { path: string; key: string; meant?: string }[] = [];
    for (const [path, known] of Object.entries(KNOWN_FIELDS[resource.type] ?? {})) {
        const value = at(objectOf(resource), path);
        if (!value || typeof value !== "object" || Array.isArray(value)) {
            continue;
        }
        for (const key of Object.keys(value)) {
            if (!known.includes(key)) {
                found.push({ path, key, meant: known.find((k) => k.toLowerCase() === key.toLowerCase()) });
            }
        }
    }
    return found;
}

export const machineFieldsKnown: StackValidationPolicy = {
    name: "machine-fields-known",
    description:
        "MachineSets and MachineAutoscalers have only fields the API knows, so no misspelt field escapes the quota and placement checks.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const resource of args.resources) {
            for (const { path, key, meant } of unknownFields(resource)) {
                reportViolation(
                    `${resource.type.split(":").pop()} ${resource.name}: ${path}.${key} is not a field of the API` +
                        (meant ? ` (field names are case-sensitive: did you mean ${meant}?)` : "") +
                        `; the server drops it, so the object would not do what the pack checked. Known fields there: ${KNOWN_FIELDS[resource.type][path].join(", ")}.`,
                    resource.urn,
                );
            }
        }
    },
};
