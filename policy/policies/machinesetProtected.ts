import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { MACHINE_SET, POOL_LABEL, VALIDATING_ADMISSION_POLICY, VALIDATING_ADMISSION_POLICY_BINDING } from "../lib/contract";
import { DELETION_GUARD_NAME, deletionGuardManifests, RETIRE_RUNBOOK } from "../lib/deletionGuard";
import { objectOf } from "../lib/resources";

const RETIRE_A_POOL =
    "To retire a pool on purpose: set `retired: true` on it and `pulumi up` (scales it to 0, marks its MachineSets retired and removes its autoscaler), " +
    "wait until `oc get machines -n openshift-machine-api` shows none of its machines, run `pulumi state unprotect <urn>` " +
    `for each of its MachineSets, selected by exact pool name, then remove the pool from the stack config and \`pulumi up\` (${RETIRE_RUNBOOK}).`;

interface MachinesetProtectedConfig {
    /** false only for clusters before OpenShift 4.17, which serve no admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy. */
    requireDeletionGuard?: boolean;
}

/**
 * Whether `actual` says everything `expected` says: every key of an object (the server adds its
 * defaults, e.g. matchPolicy and a rule's scope, and a stack policy sees the outputs), every item
 * of a list in order and no more, every scalar equal.
 */
function covers(actual: unknown, expected: unknown): boolean {
    if (Array.isArray(expected)) {
        return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => covers(actual[i], item));
    }
    if (typeof expected === "object" && expected !== null) {
        if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
        return Object.entries(expected).every(([key, value]) => covers((actual as Record<string, unknown>)[key], value));
    }
    return actual === expected;
}

interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: unknown[];
}

interface MatchResources {
    resourceRules?: unknown[];
    excludeResourceRules?: unknown[];
    namespaceSelector?: LabelSelector;
    objectSelector?: LabelSelector;
}

/** A binding's matchResources that would leave some of the policy's MachineSets out. */
function narrows(matchResources?: MatchResources): boolean {
    const selects = (s?: LabelSelector) => Object.keys(s?.matchLabels ?? {}).length > 0 || (s?.matchExpressions ?? []).length > 0;
    const m = matchResources ?? {};
    return (
        (m.resourceRules ?? []).length > 0 ||
        (m.excludeResourceRules ?? []).length > 0 ||
        selects(m.namespaceSelector) ||
        selects(m.objectSelector)
    );
}

/** The stack's resource of `type` named like the guard whose spec says at least what the guard's does. */
function guardResource(resources: readonly PolicyResource[], type: string, expectedSpec: unknown): PolicyResource | undefined {
    return resources.find(
        (r) => type === r.type && objectOf(r).metadata?.name === DELETION_GUARD_NAME && covers(r.props.spec, expectedSpec),
    );
}

function reportUnprotected(machineSets: readonly PolicyResource[], report: (message: string, urn: string) => void): void {
    for (const ms of machineSets.filter((r) => !r.opts.protect)) {
        report(
            `MachineSet ${ms.name} is not protected. Deleting or replacing a MachineSet deletes its Machines, ` +
                `and with them the nodes under running jobs. Create it with protect: true. ${RETIRE_A_POOL}`,
            ms.urn,
        );
    }
}

/**
 * The pool MachineSets need the cluster's deletion guard, since `protect` does not stop
 * `--ignore-protect`, `oc delete` or another tool: the admission policy and binding exactly as
 * policy/lib/deletionGuard.ts renders them, and each MachineSet depending on the binding, so a
 * destroy removes the guard only after the MachineSets it lets go.
 */
function reportUnguarded(
    resources: readonly PolicyResource[],
    pools: readonly PolicyResource[],
    report: (message: string, urn?: string) => void,
): void {
    const expected = deletionGuardManifests();
    const policy = guardResource(resources, VALIDATING_ADMISSION_POLICY, expected.policy.spec);
    const covering = guardResource(resources, VALIDATING_ADMISSION_POLICY_BINDING, expected.binding.spec);
    const binding =
        covering && !narrows((covering.props.spec as { matchResources?: MatchResources }).matchResources) ? covering : undefined;
    if (!policy || !binding) {
        const missing = [!policy && "ValidatingAdmissionPolicy", !binding && "ValidatingAdmissionPolicyBinding"].filter(Boolean);
        report(
            `The stack renders pool MachineSets (${pools.map((p) => p.name).join(", ")}) without the deletion guard ${DELETION_GUARD_NAME} ` +
                `(${missing.join(" and ")} missing or not as policy/lib/deletionGuard.ts renders it): protect does not stop ` +
                "`pulumi up/destroy --ignore-protect`, `oc delete` or another tool's prune, and only the guard refuses deleting a " +
                "MachineSet that is not retired and drained. Render it (cluster-capacity does from OpenShift 4.17); on an older cluster, " +
                "set requireDeletionGuard: false in this policy's config.",
        );
        return;
    }
    for (const ms of pools.filter((r) => !r.dependencies.some((d) => d.urn === binding.urn))) {
        report(
            `MachineSet ${ms.name} does not depend on the deletion guard's binding ${DELETION_GUARD_NAME}: a pulumi destroy could ` +
                "delete the guard before the MachineSet and then the MachineSet. Make it depend on the binding (dependsOn).",
            ms.urn,
        );
    }
}

export const machinesetProtected: StackValidationPolicy = {
    name: "machineset-protected",
    description:
        "Every MachineSet has protect: true, and the pools' MachineSets are covered by the deletion guard (the admission policy that refuses deleting a pool that is not retired and drained), which they depend on.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: { requireDeletionGuard: { type: "boolean", default: true } },
    },
    validateStack: (args, reportViolation) => {
        const machineSets = args.resources.filter((r) => r.type === MACHINE_SET);
        reportUnprotected(machineSets, reportViolation);
        const pools = machineSets.filter((r) => objectOf(r).metadata?.labels?.[POOL_LABEL] !== undefined);
        const { requireDeletionGuard = true } = args.getConfig<MachinesetProtectedConfig>();
        if (pools.length > 0 && requireDeletionGuard) reportUnguarded(args.resources, pools, reportViolation);
    },
};
