import type { StackValidationPolicy } from "@pulumi/policy";
import { machineSets, objectOf } from "../lib/resources";
import { isRepellingTaint, RESOURCE_FLAVORS, tolerates } from "../lib/contract";

export const kueueFlavorSelectsNodes: StackValidationPolicy = {
    name: "kueue-flavor-selects-nodes",
    description:
        "Every Kueue ResourceFlavor's nodeLabels select the nodes of a MachineSet in the stack, and its tolerations tolerate that MachineSet's taints.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const sets = machineSets(args.resources);
        // Without MachineSets (plain Kubernetes) the nodes exist outside the stack: nothing to compare with.
        if (sets.length === 0) return;
        for (const flavor of args.resources.filter((r) => RESOURCE_FLAVORS.includes(r.type))) {
            const object = objectOf(flavor);
            const name = object.metadata?.name ?? flavor.name;
            const nodeLabels = object.spec?.nodeLabels ?? {};
            if (Object.keys(nodeLabels).length === 0) continue; // a flavor without node labels places nothing
            const selected = sets.filter((ms) => Object.entries(nodeLabels).every(([k, v]) => ms.nodeLabels[k] === v));
            if (selected.length === 0) {
                reportViolation(
                    `ResourceFlavor ${name} selects nodes labelled ${JSON.stringify(nodeLabels)}, which no MachineSet of this stack creates: ` +
                        `workloads admitted to it would hold quota and stay Pending.`,
                    flavor.urn,
                );
                continue;
            }
            const tolerations = object.spec?.tolerations ?? [];
            for (const ms of selected) {
                const untolerated = ms.taints.filter(isRepellingTaint).filter((taint) => !tolerations.some((t) => tolerates(t, taint)));
                if (untolerated.length > 0) {
                    reportViolation(
                        `ResourceFlavor ${name} selects MachineSet ${ms.name} but does not tolerate its taint(s) ${untolerated.map((t) => `${t.key}=${t.value ?? ""}:${t.effect}`).join(", ")}: its workloads could never schedule there.`,
                        flavor.urn,
                    );
                }
            }
        }
    },
};
