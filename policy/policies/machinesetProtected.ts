import type { ResourceValidationPolicy } from "@pulumi/policy";
import { MACHINE_SET } from "../lib/contract";

const RETIRE_A_POOL =
    "To retire a pool on purpose: set `retired: true` on it and `pulumi up` (scales it to 0 and removes its autoscaler), " +
    "wait until `oc get machines -n openshift-machine-api` shows none of its machines, run `pulumi state unprotect <urn>` " +
    "for each of its MachineSets, selected by exact pool name (docs/runbook.md), then remove the pool from the stack config and `pulumi up`.";

export const machinesetProtected: ResourceValidationPolicy = {
    name: "machineset-protected",
    description: "Every MachineSet has protect: true, so no `pulumi up` can delete or replace a node pool.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== MACHINE_SET) return;
        if (!args.opts.protect) {
            reportViolation(
                `MachineSet ${args.name} is not protected. Deleting or replacing a MachineSet deletes its Machines, ` +
                    `and with them the nodes under running jobs. Create it with protect: true. ${RETIRE_A_POOL}`,
            );
        }
    },
};
