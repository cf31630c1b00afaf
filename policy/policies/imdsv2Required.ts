import type { ResourceValidationPolicy } from "@pulumi/policy";
import { machineSetView } from "../lib/resources";
import { MACHINE_SET } from "../lib/contract";

export const imdsv2Required: ResourceValidationPolicy = {
    name: "imdsv2-required",
    description: "MachineSets require IMDSv2 (metadataServiceOptions.authentication: Required).",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== MACHINE_SET) return;
        const ms = machineSetView(args);
        if (ms.providerSpec.metadataServiceOptions?.authentication !== "Required") {
            reportViolation(
                `MachineSet ${ms.name} allows IMDSv1: any pod that can make the node fetch a URL can read the node's AWS credentials. ` +
                    `Set providerSpec.value.metadataServiceOptions.authentication: Required.`,
            );
        }
    },
};
