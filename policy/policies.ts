/** Every guardrail of the pack, in the order the pack reports them. Tests import this list. */
import type { Policies } from "@pulumi/policy";
import { acceleratorNodesTainted } from "./policies/acceleratorNodesTainted";
import { autoscaledReplicasIgnored } from "./policies/autoscaledReplicasIgnored";
import { clusterAutoscalerGpuTypes } from "./policies/clusterAutoscalerGpuTypes";
import { imdsv2Required } from "./policies/imdsv2Required";
import { kueueFlavorSelectsNodes } from "./policies/kueueFlavorSelectsNodes";
import { machineAutoscalerTargetsMachineSet } from "./policies/machineAutoscalerTargetsMachineSet";
import { machineFieldsKnown } from "./policies/machineFieldsKnown";
import { machinesetProtected } from "./policies/machinesetProtected";
import { poolWithinQuota } from "./policies/poolWithinQuota";
import { rootVolumeEncrypted } from "./policies/rootVolumeEncrypted";

export const POLICY_PACK_NAME = "cluster-capacity-guardrails";

export const policies: Policies = [
    machinesetProtected,
    poolWithinQuota,
    acceleratorNodesTainted,
    imdsv2Required,
    rootVolumeEncrypted,
    autoscaledReplicasIgnored,
    machineAutoscalerTargetsMachineSet,
    machineFieldsKnown,
    clusterAutoscalerGpuTypes,
    kueueFlavorSelectsNodes,
];
