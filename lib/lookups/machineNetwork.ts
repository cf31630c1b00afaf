/**
 * Where a new pool's machines attach: subnet, security groups, instance profile, user-data and
 * credentials secrets, tags. The installer fixes subnet and security-group names at install time
 * (4.16 renamed them) and an upgraded cluster keeps the old ones, so these come from what exists —
 * the cluster's own worker MachineSets, else AWS by the cluster tag — never from the current
 * OpenShift version. Pure.
 */

type AwsReference = { id: string } | { arn: string } | { filters: { name: string; values: string[] }[] };

export interface MachineNetwork {
    subnet: AwsReference;
    securityGroups: AwsReference[];
    iamInstanceProfile: { id?: string; arn?: string };
    userDataSecret: { name: string };
    credentialsSecret: { name: string };
    tags: { name: string; value: string }[];
}

/** Where a zone's network came from, for the report and messages. */
export type NetworkSource = { kind: "config" } | { kind: "worker-machineset"; name: string } | { kind: "aws" };

export const workerMachineSetName = (infraId: string, zone: string) => `${infraId}-worker-${zone}`;
export const clusterTag = (infraId: string) => `kubernetes.io/cluster/${infraId}`;

/** Both installer generations: Terraform (before 4.16) and Cluster API (4.16 on). */
export const subnetNames = (infraId: string, zone: string) => [`${infraId}-private-${zone}`, `${infraId}-subnet-private-${zone}`];
export const workerSecurityGroupNames = (infraId: string) => ({
    terraform: [`${infraId}-worker-sg`],
    clusterApi: [`${infraId}-node`, `${infraId}-lb`],
});

/** An id (`subnet-…`, `sg-…`) as an id, anything else as the Name tag to filter on. */
export function awsReference(value: string, idPrefix: "subnet-" | "sg-"): AwsReference {
    return value.startsWith(idPrefix) ? { id: value } : { filters: [{ name: "tag:Name", values: [value] }] };
}

/** The identity fields every installer generation gives worker machines. */
export function installerIdentity(infraId: string): Omit<MachineNetwork, "subnet" | "securityGroups"> {
    return {
        iamInstanceProfile: { id: `${infraId}-worker-profile` },
        userDataSecret: { name: "worker-user-data" },
        credentialsSecret: { name: "aws-cloud-credentials" },
        tags: [{ name: clusterTag(infraId), value: "owned" }],
    };
}

interface ProviderSpecValue {
    placement?: { availabilityZone?: string };
    subnet?: AwsReference;
    securityGroups?: AwsReference[];
    iamInstanceProfile?: { id?: string; arn?: string };
    userDataSecret?: { name?: string };
    credentialsSecret?: { name?: string };
    tags?: { name: string; value: string }[];
}

/**
 * The network of an existing worker MachineSet, moved to `zone`: a subnet found by a Name tag ending
 * in its zone (`…-private-us-east-2a`) gets that suffix swapped; any other subnet reference belongs
 * to its own zone and cannot be moved.
 */
export function networkFromWorkerMachineSet(machineSet: unknown, zone: string): MachineNetwork | { missing: string } {
    const value = (machineSet as { spec?: { template?: { spec?: { providerSpec?: { value?: ProviderSpecValue } } } } } | undefined)?.spec
        ?.template?.spec?.providerSpec?.value;
    if (!value) return { missing: "it has no spec.template.spec.providerSpec.value" };
    const missing = (["subnet", "securityGroups", "iamInstanceProfile", "userDataSecret", "credentialsSecret"] as const).filter(
        (k) => !value[k],
    );
    if (missing.length > 0) return { missing: `its providerSpec has no ${missing.join(", ")}` };
    const from = value.placement?.availabilityZone;
    let subnet = value.subnet as AwsReference;
    if (!from) return { missing: "its providerSpec has no placement.availabilityZone, so its subnet's zone is unknown" };
    if (from !== zone) {
        const byName = "filters" in subnet ? subnet.filters : [];
        const movable =
            byName.length === 1 &&
            byName[0].name === "tag:Name" &&
            byName[0].values.length === 1 &&
            byName[0].values[0].endsWith(`-${from}`);
        if (!movable) {
            return {
                missing: `its subnet ${JSON.stringify(subnet)} belongs to ${from} and is no Name ending in -${from} to swap for ${zone}`,
            };
        }
        const name = byName[0].values[0];
        subnet = { filters: [{ name: "tag:Name", values: [`${name.slice(0, -from.length)}${zone}`] }] };
    }
    return {
        subnet,
        securityGroups: value.securityGroups as AwsReference[],
        iamInstanceProfile: value.iamInstanceProfile as { id?: string; arn?: string },
        userDataSecret: { name: value.userDataSecret?.name ?? "" },
        credentialsSecret: { name: value.credentialsSecret?.name ?? "" },
        tags: value.tags ?? [],
    };
}
