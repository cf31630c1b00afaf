/**
 * The pools' deletion guard on the cluster: the ValidatingAdmissionPolicy that refuses a DELETE of
 * a pool MachineSet that is not retired and drained, whoever sends it (`oc delete`, another GitOps
 * tool, `pulumi destroy --ignore-protect`), and its Deny binding (policy/lib/deletionGuard.ts).
 *
 * The pools' MachineSets depend on the binding, so the engine deletes them before it and never
 * deletes the guard while a MachineSet it refused is still there: a failed delete stops the
 * deletions that depend on it (pulumi pkg/resource/deploy: ScheduleDeletes orders dependents
 * first; the step executor cancels what has not started after an error, and with
 * --continue-on-error keeps the failed step's dependencies).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { deletionGuardManifests } from "../policy/lib/deletionGuard";

export class PoolDeletionGuard extends pulumi.ComponentResource {
    /** The binding: what the MachineSets depend on (it depends on the policy). */
    readonly binding: k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("cluster-capacity:index:PoolDeletionGuard", name, {}, opts);
        const { policy, binding } = deletionGuardManifests();
        const created = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            `${name}-policy`,
            policy as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicy,
            { parent: this },
        );
        this.binding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            `${name}-binding`,
            binding as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
            { parent: this, dependsOn: created },
        );
        this.registerOutputs({ policyName: policy.metadata.name });
    }
}
