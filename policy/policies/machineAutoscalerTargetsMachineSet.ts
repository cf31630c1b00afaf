import type { StackValidationPolicy } from "@pulumi/policy";
import { machineAutoscalers, machineSets } from "../lib/resources";

export const machineAutoscalerTargetsMachineSet: StackValidationPolicy = {
    name: "machineautoscaler-targets-machineset",
    description: "Every MachineAutoscaler targets a MachineSet of the same stack.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const names = new Set(machineSets(args.resources).map((ms) => ms.name));
        for (const autoscaler of machineAutoscalers(args.resources)) {
            if (autoscaler.kind !== "MachineSet" || !autoscaler.target || !names.has(autoscaler.target)) {
                reportViolation(
                    `MachineAutoscaler ${autoscaler.resource.name} targets ${autoscaler.kind ?? "?"} ${autoscaler.target ?? "?"}, which is not a MachineSet of this stack: ` +
                        `it would scale a pool this stack does not own, or nothing at all, and its maximum escapes the quota check.`,
                    autoscaler.resource.urn,
                );
            }
        }
    },
};
