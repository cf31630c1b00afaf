import type { StackValidationPolicy } from "@pulumi/policy";
import { autoscaledNames, machineSets } from "../lib/resources";

export const autoscaledReplicasIgnored: StackValidationPolicy = {
    name: "autoscaled-replicas-ignored",
    description: "A MachineSet targeted by a MachineAutoscaler ignores changes to spec.replicas, so Pulumi never fights the autoscaler.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const autoscaled = autoscaledNames(args.resources);
        for (const ms of machineSets(args.resources)) {
            if (autoscaled.has(ms.name) && !ms.resource.opts.ignoreChanges.includes("spec.replicas")) {
                reportViolation(
                    `MachineSet ${ms.name} is autoscaled but does not ignore spec.replicas: every \`pulumi up\` would reset the machine count, ` +
                        `removing nodes the autoscaler added under running jobs. Add ignoreChanges: ["spec.replicas"].`,
                    ms.resource.urn,
                );
            }
        }
    },
};
