/**
 * `npm run -s snapshot -- <out.json> [<repo>]`: what the program registers, outputs and logs for every
 * test scenario and committed stack, under the tests' mocks, as one JSON file. Run it on two checkouts
 * (`<repo>` defaults to this one; give an older worktree's folder to snapshot that one with its own
 * harness) and `cmp` the files to show a refactor changed no behaviour. Timestamps are masked:
 * reservation windows are relative to now.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

interface Harness {
    runProgram: (
        config: unknown,
        aws?: unknown,
    ) => Promise<Record<string, unknown> & { error?: Error; resources: unknown[]; invokes: { token: string; inputs: unknown }[] }>;
}

async function resolved(value: unknown): Promise<unknown> {
    const output = value as { isKnown?: unknown; promise?: () => Promise<unknown> };
    if (output && typeof output === "object" && output.isKnown !== undefined && typeof output.promise === "function") {
        return resolved(await output.promise());
    }
    if (Array.isArray(value)) return Promise.all(value.map(resolved));
    if (value && typeof value === "object") {
        const entries = await Promise.all(
            Object.keys(value)
                .sort()
                .map(async (k) => [k, await resolved((value as Record<string, unknown>)[k])]),
        );
        return Object.fromEntries(entries);
    }
    return value;
}

async function main(out: string, repo: string): Promise<void> {
    /* eslint-disable @typescript-eslint/no-require-imports -- the harness of the checkout named on the command line */
    const awsSdk = require(path.join(repo, "test/support/awsSdk")) as { resetAwsSdk(): void };
    const cluster = require(path.join(repo, "test/support/cluster")) as { resetFakeCluster(): void };
    const { runProgram } = require(path.join(repo, "test/support/harness")) as Harness;
    const { SCENARIOS, PROD_AWS } = require(path.join(repo, "test/support/scenarios")) as {
        SCENARIOS: [string, unknown, unknown?][];
        PROD_AWS: unknown;
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const stacks = [...SCENARIOS];
    for (const stack of ["dev", "prod"]) {
        const file = YAML.parse(fs.readFileSync(path.join(repo, `Pulumi.${stack}.yaml`), "utf8")) as { config: unknown };
        stacks.push([`committed ${stack}`, file.config, stack === "prod" ? PROD_AWS : undefined]);
    }
    const snapshot: Record<string, unknown> = {};
    for (const [name, config, aws] of stacks) {
        awsSdk.resetAwsSdk();
        cluster.resetFakeCluster();
        const run = await runProgram(config, aws);
        snapshot[name] = {
            error: run.error?.message,
            errors: run.errors,
            warnings: run.warnings,
            logs: run.logs,
            reads: run.reads,
            invokes: run.invokes.map(({ token, inputs }) => ({ token, inputs })),
            outputs: await resolved(run.outputs),
            resources: run.resources,
        };
    }
    const text = JSON.stringify(snapshot, null, 1).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<date>");
    fs.writeFileSync(out, text);
    const resources = Object.values(snapshot).reduce<number>((n, run) => n + (run as { resources: unknown[] }).resources.length, 0);
    console.log(`${stacks.length} stacks, ${resources} registrations -> ${out}`);
}

const [out, repo = path.resolve(__dirname, "..")] = process.argv.slice(2);
if (!out) {
    console.error("usage: npm run -s snapshot -- <out.json> [<repo folder>]");
    process.exit(2);
}
main(path.resolve(out), path.resolve(repo)).then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(error);
        process.exit(1);
    },
);
