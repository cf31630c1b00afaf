import type { ResourceValidationPolicy } from "@pulumi/policy";
import { machineSetView } from "../lib/resources";
import { acceleratorTaintProblem, MACHINE_SET, quotaGroupOf } from "../lib/contract";

/** Quota groups whose instance types all carry accelerators (GPUs, Inferentia, Trainium, Gaudi). */
const ACCELERATOR_GROUPS = new Set(["G and VT", "P", "Inf", "Trn", "DL"]);
/** Inferentia and Trainium: AWS Neuron devices, whose driver the AWS Neuron operator loads through KMM. */
const NEURON_GROUPS = new Set(["Inf", "Trn"]);

function isAcceleratorInstanceType(instanceType: string): boolean {
    return ACCELERATOR_GROUPS.has(quotaGroupOf(instanceType)?.group ?? "");
}

function isNeuronInstanceType(instanceType: string): boolean {
    return NEURON_GROUPS.has(quotaGroupOf(instanceType)?.group ?? "");
}

export const acceleratorNodesTainted: ResourceValidationPolicy = {
    name: "accelerator-nodes-tainted",
    description:
        "MachineSets of GPU instance types taint their nodes NoSchedule (or NoExecute), so ordinary pods cannot take accelerator capacity; " +
        "Neuron (Inferentia, Trainium) MachineSets carry no such taint, which would keep the Neuron driver off their nodes.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== MACHINE_SET) return;
        const ms = machineSetView(args);
        if (!ms.instanceType || !isAcceleratorInstanceType(ms.instanceType)) return;
        const found = acceleratorTaintProblem(isNeuronInstanceType(ms.instanceType) ? "neuron" : "nvidia", ms.taints);
        if (found?.kind === "neuron-repelled") {
            // The AWS Neuron operator's KMM Module tolerates no such taint and its DeviceConfig cannot add one
            // (awslabs/operator-for-ai-chips-on-aws internal/kmmmodule/kmmmodule.go).
            reportViolation(
                `MachineSet ${ms.name} runs ${ms.instanceType} nodes tainted ${found.repelling.map((t) => `${t.key}:${t.effect}`).join(", ")}: ` +
                    `the AWS Neuron operator's driver, device plugin and node metrics tolerate no NoSchedule/NoExecute taint, so these nodes ` +
                    `would never offer aws.amazon.com/neuron. Use PreferNoSchedule (e.g. aws.amazon.com/neuron=true:PreferNoSchedule).`,
            );
        } else if (found?.kind === "gpu-untainted") {
            reportViolation(
                `MachineSet ${ms.name} runs ${ms.instanceType} nodes without a NoSchedule or NoExecute taint: ordinary pods would land on them, ` +
                    `keep GPU jobs waiting and stop the autoscaler from removing idle accelerator nodes. Add a taint such as nvidia.com/gpu=true:NoSchedule.`,
            );
        }
    },
};
