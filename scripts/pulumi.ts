/**
 * `npm run pulumi -- <pulumi arguments>`: the Pulumi CLI on any machine, with the same arguments,
 * the engine's own output and its exit code (scripts/engine.ts says which engine and how).
 */
import { chooseRoute, describeRoute, startPulumi } from "./engine";

async function main(): Promise<number> {
    const route = chooseRoute();
    process.stderr.write(`${describeRoute(route)}\n`);
    const run = await startPulumi(process.argv.slice(2), { route });
    // Ctrl-C reaches the CLI through the terminal's process group; a signal sent to this process alone is passed on.
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => run.child.kill(signal));
    return run.exit;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`cluster-capacity: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    },
);
