import * as assert from "assert";
import { violationsOf } from "../support/policyHarness";
import { machineAutoscaler, machineSet, resource } from "../support/policyFixtures";
import { deletionGuardManifests } from "../../policy/lib/deletionGuard";
import type { RegisteredResource } from "../support/harness";

const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const VAP_BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";

/** The deletion guard as the program registers it, the spec of either object changeable. */
function guard(edit: { policy?: (spec: any) => void; binding?: (spec: any) => void } = {}): RegisteredResource[] {
    const { policy, binding } = deletionGuardManifests();
    const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
    const policyObject = copy(policy);
    const bindingObject = copy(binding);
    edit.policy?.(policyObject.spec);
    edit.binding?.(bindingObject.spec);
    return [
        resource(VAP, "pool-deletion-guard-policy", policyObject, { protect: false }),
        resource(VAP_BINDING, "pool-deletion-guard-binding", bindingObject, { protect: false }),
    ];
}

/** A pool MachineSet that depends on the guard's binding, as the program registers it. */
function guardedMachineSet(guardResources: RegisteredResource[], options: Parameters<typeof machineSet>[1] = {}): RegisteredResource {
    const ms = machineSet({}, options);
    return { ...ms, dependencies: guardResources.map((r) => r.urn) };
}

describe("policy machineset-protected", () => {
    it("passes protected pool MachineSets that depend on the deletion guard", async () => {
        const guarded = guard();
        assert.deepStrictEqual(await violationsOf("machineset-protected", [...guarded, guardedMachineSet(guarded)]), []);
    });

    it("fails an unprotected MachineSet, saying why and how to retire a pool on purpose", async () => {
        const guarded = guard();
        const [message, ...rest] = await violationsOf("machineset-protected", [...guarded, guardedMachineSet(guarded, { protect: false })]);
        assert.deepStrictEqual(rest, []);
        assert.match(message, /MachineSet l4-us-east-2a is not protected/);
        assert.match(message, /deletes its Machines, and with them the nodes under running jobs/);
        assert.match(message, /retired: true.*pulumi state unprotect.*docs\/runbook\.md#retire-a-pool/s);
    });

    it("fails pool MachineSets without the deletion guard, naming them, what protect does not stop and the way out for old clusters", async () => {
        const [message, ...rest] = await violationsOf("machineset-protected", [machineSet()]);
        assert.deepStrictEqual(rest, []);
        assert.match(
            message,
            /pool MachineSets \(l4-us-east-2a\) without the deletion guard cluster-capacity-pool-deletion-guard \(ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding missing/,
        );
        assert.match(message, /--ignore-protect/);
        assert.match(message, /requireDeletionGuard: false/);
    });

    it("passes the guard as the API server returns it, with its defaults (matchPolicy, a rule's scope): a stack policy sees the outputs", async () => {
        const guarded = guard({
            policy: (spec: any) => {
                spec.matchConstraints.matchPolicy = "Equivalent";
                spec.matchConstraints.resourceRules[0].scope = "*";
            },
        });
        assert.deepStrictEqual(await violationsOf("machineset-protected", [...guarded, guardedMachineSet(guarded)]), []);
    });

    it("fails a guard that does not refuse what the program's does: another expression, or a binding that only warns", async () => {
        for (const edit of [
            { policy: (spec: any) => (spec.validations = [{ expression: "true" }]) },
            { policy: (spec: any) => (spec.matchConstraints.resourceRules[0].operations = ["UPDATE"]) },
            { binding: (spec: any) => (spec.validationActions = ["Warn"]) },
            { binding: (spec: any) => (spec.matchResources = { namespaceSelector: { matchLabels: { none: "true" } } }) },
            { policy: (spec: any) => spec.matchConditions.push({ name: "never", expression: "false" }) },
        ]) {
            const guarded = guard(edit);
            const messages = await violationsOf("machineset-protected", [...guarded, guardedMachineSet(guarded)]);
            assert.strictEqual(messages.length, 1, messages.join("\n"));
            assert.match(messages[0], /without the deletion guard .*not as policy\/lib\/deletionGuard\.ts renders it/);
        }
    });

    it("fails a pool MachineSet that does not depend on the guard's binding: a destroy could remove the guard first", async () => {
        const guarded = guard();
        const [message, ...rest] = await violationsOf("machineset-protected", [...guarded, machineSet()]);
        assert.deepStrictEqual(rest, []);
        assert.match(message, /MachineSet l4-us-east-2a does not depend on the deletion guard's binding/);
    });

    it("does not ask for the guard when its config says the cluster cannot serve it, nor for MachineSets that are no pool's", async () => {
        assert.deepStrictEqual(await violationsOf("machineset-protected", [machineSet()], { requireDeletionGuard: false }), []);
        const foreign = machineSet();
        delete (foreign.inputs as any).metadata.labels["cluster-capacity.io/pool"];
        assert.deepStrictEqual(await violationsOf("machineset-protected", [foreign]), []);
    });

    it("ignores resources that are not MachineSets", async () => {
        assert.deepStrictEqual(await violationsOf("machineset-protected", [machineAutoscaler("x", 0, 1)]), []);
    });
});
