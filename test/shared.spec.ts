import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO } from "./support/scenarios";

/**
 * One spec file of the unit suite, run by mocha with .mocharc.json's hooks but that file alone
 * (with the config, mocha would add every spec, this one included), with the environment changed.
 */
function runSpec(file: string, env: Record<string, string | undefined>): { status: number | null; output: string } {
    const config = JSON.parse(fs.readFileSync(path.join(REPO, ".mocharc.json"), "utf8")) as { require: string[] };
    const args = ["--no-config", ...config.require.flatMap((r) => ["--require", r]), "--extension", "ts", file];
    const answer = spawnSync(process.execPath, [require.resolve("mocha/bin/mocha.js"), ...args], {
        cwd: REPO,
        env: { ...process.env, ...env },
        encoding: "utf8",
    });
    return { status: answer.status, output: `${answer.stdout}${answer.stderr}` };
}

describe("a clone without the shared material (../shared)", function () {
    this.timeout(120_000);

    it("runs the tests that do not need it, skips those that do, and says in one line what is missing and how to get it", () => {
        const run = runSpec("test/re2.spec.ts", { SHARED_DIR: "/nonexistent/shared", CRD_DIR: undefined, CI: undefined });
        assert.strictEqual(run.status, 0, run.output);
        assert.match(run.output, /\d+ passing/);
        assert.match(run.output, /2 pending/);
        const lines = run.output.split("\n").filter((line) => line.startsWith("cluster-capacity: "));
        assert.deepStrictEqual(lines.length, 1, run.output);
        assert.match(
            lines[0],
            /^cluster-capacity: 2 test\(s\) skipped: \/nonexistent\/shared\/crds, .* not found; clone the shared material beside this repository as \.\.\/shared \(or set SHARED_DIR and CRD_DIR\), then run npm test again\.$/,
        );
    });

    it("fails those tests under CI instead, so a missing checkout never passes", () => {
        const run = runSpec("test/re2.spec.ts", { SHARED_DIR: "/nonexistent/shared", CRD_DIR: undefined, CI: "true" });
        assert.notStrictEqual(run.status, 0, run.output);
        assert.match(run.output, /the shared material is missing under CI: \/nonexistent\/shared\/crds/);
    });
});
