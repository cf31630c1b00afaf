import { MACHINE_SET } from "../policy/lib/contract";
/**
 * The MachineSets of one pool in an exported stack (`pulumi stack export`), selected by exact names:
 * the resource's parent must be the pool's GpuPool/InferentiaPool component, whose name is the pool
 * name. Text matching on URNs would also catch pools whose names share a prefix (`l4` and
 * `l4-quad`), and the runbook unprotects what this returns. Pure.
 */

const POOL_COMPONENTS = new Set(["cluster-capacity:index:GpuPool", "cluster-capacity:index:InferentiaPool"]);

interface ExportedResource {
    urn: string;
    type: string;
    parent?: string;
    protect?: boolean;
    inputs?: { metadata?: { name?: string } };
}

export interface StackExport {
    deployment?: { resources?: ExportedResource[] };
}

/** `urn:pulumi:<stack>::<project>::<parent types$>type::<name>` → its type and name. */
function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const typeChain = parts[2] ?? "";
    return { type: typeChain.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

interface PoolMachineSet {
    urn: string;
    /** The MachineSet's name in the cluster. */
    name: string;
    protect: boolean;
}

export function poolMachineSets(state: StackExport, pool: string): PoolMachineSet[] {
    const resources = state.deployment?.resources ?? [];
    const poolUrns = new Set(resources.filter((r) => POOL_COMPONENTS.has(r.type) && parseUrn(r.urn).name === pool).map((r) => r.urn));
    return resources
        .filter((r) => r.type === MACHINE_SET && r.parent !== undefined && poolUrns.has(r.parent))
        .map((r) => ({ urn: r.urn, name: r.inputs?.metadata?.name ?? parseUrn(r.urn).name, protect: r.protect ?? false }));
}
