import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gitBlob, readManifest } from "../scripts/fetch-shared";
import { REPO } from "./support/scenarios";
import { needsShared, sharedFile } from "./support/shared";

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

/** The lines of the root hook's report. */
const reportLines = (output: string) => output.split("\n").filter((line) => line.startsWith("cluster-capacity: "));

const HOW =
    "run npm run fetch-shared and set the SHARED_DIR=… it prints, or put the shared repository beside this clone as ../shared (docs/shared-material.md), then run npm test again.";

describe("a clone without the shared material (../shared)", function () {
    this.timeout(120_000);

    it("runs the tests that do not need it, skips those that do, and says in one line what is missing and how to get it", () => {
        const run = runSpec("test/re2.spec.ts", { SHARED_DIR: "/nonexistent/shared", CRD_DIR: undefined, CI: undefined });
        assert.strictEqual(run.status, 0, run.output);
        assert.match(run.output, /\d+ passing/);
        assert.match(run.output, /2 pending/);
        const lines = reportLines(run.output);
        assert.deepStrictEqual(lines.length, 1, run.output);
        const files = readManifest().shared.length;
        assert.strictEqual(
            lines[0],
            `cluster-capacity: 2 test(s) skipped: none of the ${files} upstream files of test/fixtures/upstream.json found in /nonexistent/shared; ${HOW}`,
        );
    });

    it("fails those tests under CI instead, so a missing checkout never passes", () => {
        const run = runSpec("test/re2.spec.ts", { SHARED_DIR: "/nonexistent/shared", CRD_DIR: undefined, CI: "true" });
        assert.notStrictEqual(run.status, 0, run.output);
        assert.match(
            run.output,
            /the shared material is missing or changed under CI: none of the \d+ upstream files of test\/fixtures\/upstream\.json found in \/nonexistent\/shared/,
        );
    });
});

describe("a shared folder with a file that is not the upstream one", function () {
    this.timeout(120_000);
    const TAMPERED = "crds/nvidia.com_clusterpolicies.yaml";
    let dir: string;
    let changedBlob: string;

    before(function () {
        needsShared(this);
        // A copy of the shared folder (links to its files), one file changed by a byte.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-tampered-"));
        for (const { file } of readManifest().shared) {
            fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
            if (file !== TAMPERED) fs.symlinkSync(sharedFile(file), path.join(dir, file));
        }
        const changed = Buffer.concat([fs.readFileSync(sharedFile(TAMPERED)), Buffer.from("\n")]);
        fs.writeFileSync(path.join(dir, TAMPERED), changed);
        changedBlob = gitBlob(changed);
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    const expected = () => readManifest().shared.find((e) => e.file === TAMPERED)?.blob ?? "";

    it("skips the tests that read it and names the file, its blob and the manifest's in the one line", () => {
        const run = runSpec("test/re2.spec.ts", { SHARED_DIR: dir, CRD_DIR: undefined, CI: undefined });
        assert.strictEqual(run.status, 0, run.output);
        assert.match(run.output, /2 pending/);
        const lines = reportLines(run.output);
        assert.deepStrictEqual(lines.length, 1, run.output);
        assert.ok(
            lines[0].startsWith(
                `cluster-capacity: 2 test(s) skipped: ${path.join(dir, TAMPERED)} is git blob ${changedBlob}, test/fixtures/upstream.json names ${expected()} (`,
            ),
            lines[0],
        );
        assert.ok(lines[0].endsWith(`; ${HOW}`), lines[0]);
    });

    it("fails them under CI, naming the file and both blobs", () => {
        const run = runSpec("test/re2.spec.ts", { SHARED_DIR: dir, CRD_DIR: undefined, CI: "true" });
        assert.notStrictEqual(run.status, 0, run.output);
        assert.ok(
            run.output.includes(
                `the shared material is missing or changed under CI: ${path.join(dir, TAMPERED)} is git blob ${changedBlob}, test/fixtures/upstream.json names ${expected()}`,
            ),
            run.output,
        );
    });
});
