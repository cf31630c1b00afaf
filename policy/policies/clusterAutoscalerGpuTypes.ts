import type { StackValidationPolicy } from "@pulumi/policy";
import { machineSets, maxMachines, objectOf } from "../lib/resources";
import { ACCELERATOR_LABEL, CLUSTER_AUTOSCALER } from "../lib/contract";

export const clusterAutoscalerGpuTypes: StackValidationPolicy = {
    name: "cluster-autoscaler-gpu-types",
    description:
        "The ClusterAutoscaler's resourceLimits.gpus types are exactly the cluster-api/accelerator labels of the stack's MachineSets.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const autoscaler = args.resources.find((r) => r.type === CLUSTER_AUTOSCALER);
        if (!autoscaler) return;
        const labelled = machineSets(args.resources).filter((ms) => ms.nodeLabels[ACCELERATOR_LABEL] !== undefined);
        const labels = new Set(labelled.map((ms) => ms.nodeLabels[ACCELERATOR_LABEL]));
        // A MachineSet that can have no machines (a retired pool) needs no GPU limit.
        const maxima = maxMachines(args.resources);
        const needed = new Set(labelled.filter((ms) => (maxima.get(ms.name) ?? 0) > 0).map((ms) => ms.nodeLabels[ACCELERATOR_LABEL]));
        const object = objectOf(autoscaler);
        const name = object.metadata?.name ?? autoscaler.name;
        const limits = object.spec?.resourceLimits?.gpus ?? [];
        const types = new Set(limits.map((l) => l.type));
        const missing = [...needed].filter((l) => !types.has(l));
        const stale = [...types].filter((t) => !labels.has(t));
        if (missing.length > 0) {
            reportViolation(
                `ClusterAutoscaler ${name} has no resourceLimits.gpus entry for accelerator label(s) ${missing.join(", ")}: ` +
                    `the autoscaler cannot bound those GPUs. Add { type, min, max } for each.`,
                autoscaler.urn,
            );
        }
        if (stale.length > 0) {
            reportViolation(
                `ClusterAutoscaler ${name} limits GPU type(s) ${stale.join(", ")} that no MachineSet labels with ${ACCELERATOR_LABEL}: a typo or a removed pool.`,
                autoscaler.urn,
            );
        }
    },
};
