import type { ResourceValidationPolicy } from "@pulumi/policy";
import { quotaGroupOf } from "../lib/quota";
import { isRepellingTaint, MACHINE_SET, machineSetView } from "../lib/resources";

/** Quota groups whose instance types all carry accelerators (GPUs, Inferentia, Trainium, Gaudi). */
const ACCELERATOR_GROUPS = new Set(["G and VT", "P", "Inf", "Trn", "DL"]);

export function isAcceleratorInstanceType(instanceType: string): boolean {
    return ACCELERATOR_GROUPS.has(quotaGroupOf(instanceType)?.group ?? "");
}

export const acceleratorNodesTainted: ResourceValidationPolicy = {
    name: "accelerator-nodes-tainted",
    description:
        "MachineSets of GPU or Neuron instance types taint their nodes NoSchedule (or NoExecute), so ordinary pods cannot take accelerator capacity.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== MACHINE_SET) return;
        const ms = machineSetView(args);
        if (!ms.instanceType || !isAcceleratorInstanceType(ms.instanceType)) return;
        if (!ms.taints.some(isRepellingTaint)) {
            reportViolation(
                `MachineSet ${ms.name} runs ${ms.instanceType} nodes without a NoSchedule or NoExecute taint: ordinary pods would land on them, ` +
                    `keep GPU jobs waiting and stop the autoscaler from removing idle accelerator nodes. Add a taint such as nvidia.com/gpu=true:NoSchedule.`,
            );
        }
    },
};
