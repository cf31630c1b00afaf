/**
 * `pulumi stack export -s <stack> | npm run -s pool-machinesets -- <pool> [--names]`: prints the URNs
 * (or, with --names, the cluster names) of exactly that pool's MachineSets, one per line; exits 1
 * when the pool has none, so a pipeline into `pulumi state unprotect` stops instead of doing nothing.
 */
import { poolMachineSets, StackExport } from "../lib/poolResources";

async function main(): Promise<number> {
    const [pool, flag] = process.argv.slice(2);
    if (!pool || (flag !== undefined && flag !== "--names")) {
        process.stderr.write("usage: pulumi stack export -s <stack> | npm run -s pool-machinesets -- <pool> [--names]\n");
        return 2;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    let state: StackExport;
    try {
        state = JSON.parse(Buffer.concat(chunks).toString("utf8")) as StackExport;
    } catch {
        process.stderr.write("pool-machinesets: standard input is not the JSON of `pulumi stack export`\n");
        return 2;
    }
    const found = poolMachineSets(state, pool);
    if (found.length === 0) {
        process.stderr.write(`pool-machinesets: the stack has no MachineSet of a pool named exactly "${pool}"\n`);
        return 1;
    }
    for (const machineSet of found) process.stdout.write(`${flag === "--names" ? machineSet.name : machineSet.urn}\n`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`pool-machinesets: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(2);
    },
);
