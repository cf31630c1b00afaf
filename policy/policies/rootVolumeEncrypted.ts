import type { ResourceValidationPolicy } from "@pulumi/policy";
import { machineSetView } from "../lib/resources";
import { MACHINE_SET } from "../lib/contract";

export const rootVolumeEncrypted: ResourceValidationPolicy = {
    name: "root-volume-encrypted",
    description: "MachineSets declare their EBS volumes and encrypt every one of them.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== MACHINE_SET) return;
        const ms = machineSetView(args);
        const devices = ms.providerSpec.blockDevices ?? [];
        if (devices.length === 0) {
            reportViolation(
                `MachineSet ${ms.name} declares no blockDevices, so its root volume is whatever the AMI gives, possibly unencrypted. Declare an encrypted root volume.`,
            );
        } else if (devices.some((d) => d.ebs?.encrypted !== true)) {
            reportViolation(
                `MachineSet ${ms.name} has an EBS volume without encrypted: true; model weights and datasets on it would be stored in clear.`,
            );
        }
    },
};
