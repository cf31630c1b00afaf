/**
 * Which of the cluster's pool MachineSets a run would delete although their pool was not retired,
 * decided as pure functions over the one LIST the run makes before registering anything
 * (lib/lookups/poolMachineSets.ts). `protect` alone no longer stops such a delete: Pulumi 3.256+
 * deletes protected resources under `--ignore-protect`. The program refuses the run instead, with
 * or without that flag; the cluster's admission policy (policy/lib/deletionGuard.ts) refuses the
 * same DELETE from anything else, by the same rule.
 */
import type { LiveMachineSet } from "../lookups/poolMachineSets";
import { CLUSTER_LABEL, MACHINE_API_NAMESPACE, POOL_LABEL, RETIRED_ANNOTATION } from "../../policy/lib/contract";
import { REMOVE_ONE_RUNBOOK, RETIRE_RUNBOOK } from "../../policy/lib/deletionGuard";

/** A MachineSet of this cluster's pools that the run would delete, and why it may not. */
export interface RefusedDeletion {
    machineSet: string;
    pool: string;
    /** The pool is still in the stack file: the plan dropped one of its MachineSets (a zone, a fallback, a reservation). */
    poolConfigured: boolean;
    /** What is missing: the retired mark, machines still there, or both. */
    reasons: string[];
}

/** Retired means marked by the program from `retired: true`; drained means asked for and having no machines. */
export function deletionBlockers(live: LiveMachineSet): string[] {
    const reasons: string[] = [];
    if (live.annotations[RETIRED_ANNOTATION] !== "true") reasons.push(`its pool is not retired (no ${RETIRED_ANNOTATION}: "true")`);
    if (live.replicas !== 0 || live.statusReplicas !== 0) {
        reasons.push(`it still has machines (spec.replicas ${live.replicas}, status.replicas ${live.statusReplicas})`);
    }
    return reasons;
}

/**
 * The MachineSets of this cluster (its infraId in the cluster label) carrying the pool label that
 * the run would not render, and that are not both retired and drained: the engine would delete them.
 */
export function refusedDeletions(
    live: readonly LiveMachineSet[],
    rendered: ReadonlySet<string>,
    configuredPools: ReadonlySet<string>,
    infraId: string,
): RefusedDeletion[] {
    return live
        .filter((m) => m.labels[CLUSTER_LABEL] === infraId && m.labels[POOL_LABEL] !== undefined && !rendered.has(m.name))
        .map((m) => ({
            machineSet: m.name,
            pool: m.labels[POOL_LABEL],
            poolConfigured: configuredPools.has(m.labels[POOL_LABEL]),
            reasons: deletionBlockers(m),
        }))
        .filter((d) => d.reasons.length > 0);
}

/** One line per refused MachineSet, for PoolDeletionError. */
export function describeRefusedDeletion(d: RefusedDeletion): string {
    const cause = d.poolConfigured
        ? `; its pool is still in the stack file, but this run no longer renders this MachineSet (a zone, the spot fallback or a capacity reservation removed, or a zone AWS no longer offers the instance type in): retire it by itself (${REMOVE_ONE_RUNBOOK}) or put it back`
        : "";
    return `MachineSet ${MACHINE_API_NAMESPACE}/${d.machineSet} (pool ${d.pool}): ${d.reasons.join(", and ")}${cause}`;
}

/** What to do about them, once, after the list. */
export const RETIREMENT_STEPS =
    `Deleting a MachineSet deletes its machines and the nodes under running jobs, so a pool leaves the stack only by the ` +
    `runbook's retirement (${RETIRE_RUNBOOK}): keep the pool in the stack file with retired: true and run up (it scales to 0 ` +
    `and marks its MachineSets retired), wait until it has no machines, then remove it. If a pool was removed by mistake, ` +
    `put it back in the stack file. A MachineSet that carries the pool label but was never this stack's (another tool's, ` +
    `or one left by pulumi state delete) stops the run too: take the label off it.`;
