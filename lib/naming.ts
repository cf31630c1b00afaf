/** Kubernetes and OpenShift naming rules and the names this program gives to what it renders. */
import { ConfigProblem, problem } from "./errors";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_LABEL_LENGTH = 63;

export function isDns1123Label(value: string): boolean {
    return value.length <= MAX_LABEL_LENGTH && DNS1123_LABEL.test(value);
}

/**
 * The one rule on MachineSet name length, wherever a name is made (zones, fallbacks, reservations):
 * a MachineSet's name is also a label value (`machine.openshift.io/cluster-api-machineset`), so at
 * most 63 characters; too long, the pool's name must be shorter. `kind` says which MachineSet.
 */
export function machineSetNameProblem(index: number, pool: string, name: string, kind = "MachineSet"): ConfigProblem | undefined {
    if (name.length <= MAX_LABEL_LENGTH) return undefined;
    return problem(
        ["pools", index, "name"],
        pool,
        `a shorter name: ${kind} name "${name}" has ${name.length} characters, at most ${MAX_LABEL_LENGTH} are allowed`,
    );
}

/** `<infraId>-<pool>-<zone>`; also a label value (`machine.openshift.io/cluster-api-machineset`), so ≤ 63. */
export function machineSetName(infraId: string, pool: string, zone: string): string {
    return `${infraId}-${pool}-${zone}`;
}

/** A spot pool's on-demand fallback MachineSet in a zone: `<infraId>-<pool>-<zone>-od`, ≤ 63. */
export function fallbackMachineSetName(infraId: string, pool: string, zone: string): string {
    return `${machineSetName(infraId, pool, zone)}-od`;
}

/**
 * A reservation's MachineSet: `<infraId>-<pool>-<zone>-<last 8 hex digits of the reservation id>`,
 * so two reservations of one pool in one zone get two MachineSets; ≤ 63 like any MachineSet name.
 */
export function reservedMachineSetName(infraId: string, pool: string, zone: string, reservationId: string): string {
    return `${machineSetName(infraId, pool, zone)}-${reservationId.slice(-8)}`;
}

/** The security group an EFA pool's machines share, open to all traffic within itself (tag Name). */
export function efaSecurityGroupName(infraId: string, pool: string): string {
    return `${infraId}-${pool}-efa`;
}

export { MACHINE_API_NAMESPACE } from "../policy/lib/contract";

/** The MachineConfigPool every NVIDIA pool's nodes join unless the pool has its own OS tuning. */
export const GPU_MACHINE_CONFIG_POOL = "worker-gpu";

/** The role of the MachineConfigPool of an NVIDIA pool with its own sysctls or kernel arguments. */
export function tunedPoolRole(pool: string): string {
    return `${GPU_MACHINE_CONFIG_POOL}-${pool}`;
}

export function nodeRoleLabel(role: string): string {
    return `node-role.kubernetes.io/${role}`;
}

/** The device-plugin config key for a time-slicing replica count. */
export function timeSlicingConfigKey(replicas: number): string {
    return `time-sliced-${replicas}`;
}
