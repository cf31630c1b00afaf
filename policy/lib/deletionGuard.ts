/**
 * The pools' deletion guard on the cluster: a ValidatingAdmissionPolicy and its Deny binding that
 * refuse a DELETE of a pool MachineSet unless the program has marked it retired and it has no
 * machines left. The program renders these objects (components/poolDeletionGuard.ts) and the pack's
 * `machineset-protected` requires exactly them, so both read them from here.
 *
 * What the API server gives the policy on DELETE (Kubernetes 1.35, k8s.io/apiserver):
 * - `object` is null and `oldObject` is the stored MachineSet: the generic registry's Delete builds
 *   the admission attributes with the existing object as the old one (pkg/registry/generic/registry/store.go,
 *   and rest.AdmissionToValidateObjectDeleteFunc in pkg/registry/rest/delete.go, which builds
 *   NewAttributesRecord(nil, old, …)), and the CEL activation binds
 *   `oldObject` to it (pkg/admission/plugin/cel/activation.go). A DELETE of a collection
 *   (`oc delete machinesets --all`) is admitted item by item the same way (Store.DeleteCollection → Store.Delete).
 * - the objectSelector is matched against the old object's labels when there is no new object
 *   (pkg/admission/plugin/webhook/predicates/object/matcher.go, MatchObjectSelector).
 * - Admission policies never apply to ValidatingAdmissionPolicies and their bindings themselves:
 *   the policy plugin excludes them (pkg/admission/plugin/policy/generic/plugin.go, `admissionResources`
 *   in NewPlugin, checked by Dispatch → shouldIgnoreResource), so a cluster-admin can always remove
 *   the binding, which is the break-glass (docs/runbook.md).
 * - A refusal is HTTP 403 with the reason Forbidden (pkg/admission/plugin/policy/validating/dispatcher.go,
 *   Dispatch; reasonToCode in policy_decision.go); without `reason` it would be 422 Invalid.
 *
 * One DELETE is let through besides a retired, drained pool: the Machine API → Cluster API sync
 * controller (openshift/cluster-capi-operator release-4.22,
 * pkg/controllers/machinesetsync/machineset_sync_controller.go, reconcileCAPItoMAPIMachineSetDeletionNormal)
 * deletes the Machine API mirror of a MachineSet whose authoritative Cluster API MachineSet is being
 * deleted; it runs as the capi-controllers service account (manifests/0000_30_cluster-api_11_deployment.yaml).
 * Its other delete (reconcileMAPItoCAPIMachineSetDeletionMAPINotDeleting: the Cluster API mirror of
 * a MachineSet the Machine API still owns was deleted) would take a live pool with it, and stays refused.
 */
import { type KubernetesObject, MACHINE_API_GROUP, MACHINE_API_NAMESPACE, POOL_LABEL, RETIRED_ANNOTATION } from "./contract";

/** The name of the policy and of its binding. */
export const DELETION_GUARD_NAME = "cluster-capacity-pool-deletion-guard";

/** The identity of cluster-capi-operator's sync controllers (namespace openshift-cluster-api, service account capi-controllers). */
export const CAPI_SYNC_USER = "system:serviceaccount:openshift-cluster-api:capi-controllers";

/** The runbook sections the guard's refusals point at. */
export const RETIRE_RUNBOOK = "docs/runbook.md#retire-a-pool";
export const REMOVE_ONE_RUNBOOK = "docs/runbook.md#remove-one-machineset-of-a-pool";
export const BREAK_GLASS_RUNBOOK = "docs/runbook.md#break-glass-remove-the-deletion-guard";

const POOL = `oldObject.metadata.labels['${POOL_LABEL}']`;
const RETIRED =
    `has(oldObject.metadata.annotations) && '${RETIRED_ANNOTATION}' in oldObject.metadata.annotations && ` +
    `oldObject.metadata.annotations['${RETIRED_ANNOTATION}'] == 'true'`;
const SPEC_REPLICAS = "(has(oldObject.spec) && has(oldObject.spec.replicas) ? oldObject.spec.replicas : 1)";
const STATUS_REPLICAS = "(has(oldObject.status) && has(oldObject.status.replicas) ? oldObject.status.replicas : 0)";

/** Its spec: DELETE of a MachineSet carrying the pool label, refused unless retired and drained. */
function policySpec(): Record<string, unknown> {
    return {
        failurePolicy: "Fail",
        matchConstraints: {
            resourceRules: [{ apiGroups: [MACHINE_API_GROUP], apiVersions: ["*"], resources: ["machinesets"], operations: ["DELETE"] }],
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": MACHINE_API_NAMESPACE } },
            objectSelector: { matchExpressions: [{ key: POOL_LABEL, operator: "Exists" }] },
        },
        matchConditions: [
            {
                name: "not-the-cluster-api-sync-of-a-migrated-machineset",
                expression:
                    `!(request.userInfo.username == '${CAPI_SYNC_USER}' && has(oldObject.status) && ` +
                    `has(oldObject.status.authoritativeAPI) && oldObject.status.authoritativeAPI == 'ClusterAPI')`,
            },
        ],
        validations: [
            {
                expression: RETIRED,
                messageExpression:
                    `'MachineSet ' + oldObject.metadata.name + ' of pool ' + ${POOL} + ' is not retired: deleting it deletes its ` +
                    `machines and the nodes under running jobs. Retire the pool first (retired: true, then wait until it has no ` +
                    `machines), as ${RETIRE_RUNBOOK} says; to delete it anyway, see ${BREAK_GLASS_RUNBOOK}'`,
                reason: "Forbidden",
            },
            {
                expression: `${SPEC_REPLICAS} == 0 && ${STATUS_REPLICAS} == 0`,
                messageExpression:
                    `'MachineSet ' + oldObject.metadata.name + ' of pool ' + ${POOL} + ' still has machines (spec.replicas ' + ` +
                    `string(${SPEC_REPLICAS}) + ', status.replicas ' + string(${STATUS_REPLICAS}) + '): wait until its machines are ` +
                    `gone before deleting it (${RETIRE_RUNBOOK})'`,
                reason: "Forbidden",
            },
        ],
    };
}

/** The ValidatingAdmissionPolicy and its binding, as the program applies them and the pack expects them. */
export function deletionGuardManifests(): { policy: KubernetesObject; binding: KubernetesObject } {
    const metadata = { name: DELETION_GUARD_NAME };
    return {
        policy: { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata, spec: policySpec() },
        binding: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata,
            spec: { policyName: DELETION_GUARD_NAME, validationActions: ["Deny"] },
        },
    };
}
