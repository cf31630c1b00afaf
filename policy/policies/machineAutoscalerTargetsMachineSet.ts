import type { StackValidationPolicy } from "@pulumi/policy";
import { autoscalersByTarget, machineAutoscalers, machineSets } from "../lib/resources";

function isMachineCount(value: number): boolean {
    return Number.isInteger(value) && value >= 0;
}

export const machineAutoscalerTargetsMachineSet: StackValidationPolicy = {
    name: "machineautoscaler-targets-machineset",
    description:
        "Every MachineAutoscaler targets a MachineSet of the same stack that no other autoscaler targets, with 0 ≤ minReplicas ≤ maxReplicas.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const names = new Set(machineSets(args.resources).map((ms) => ms.name));
        for (const autoscaler of machineAutoscalers(args.resources)) {
            const { minReplicas, maxReplicas, resource } = autoscaler;
            if (autoscaler.kind !== "MachineSet" || !autoscaler.target || !names.has(autoscaler.target)) {
                reportViolation(
                    `MachineAutoscaler ${resource.name} targets ${autoscaler.kind ?? "?"} ${autoscaler.target ?? "?"}, which is not a MachineSet of this stack: ` +
                        `it would scale a pool this stack does not own, or nothing at all, and its maximum escapes the quota check.`,
                    resource.urn,
                );
            }
            if (!isMachineCount(minReplicas) || !isMachineCount(maxReplicas) || minReplicas > maxReplicas) {
                reportViolation(
                    `MachineAutoscaler ${resource.name} has minReplicas ${JSON.stringify(minReplicas)} and maxReplicas ${JSON.stringify(maxReplicas)}: ` +
                        `both must be whole numbers with 0 ≤ minReplicas ≤ maxReplicas (a negative maximum would cancel another pool's demand in a quota sum).`,
                    resource.urn,
                );
            }
        }
        for (const [target, autoscalers] of autoscalersByTarget(args.resources)) {
            if (autoscalers.length > 1) {
                reportViolation(
                    `MachineSet ${target} is targeted by ${autoscalers.length} MachineAutoscalers (${autoscalers.map((a) => a.resource.name).join(", ")}): ` +
                        `the cluster autoscaler would follow one of them, unpredictably. Keep exactly one.`,
                );
            }
        }
    },
};
