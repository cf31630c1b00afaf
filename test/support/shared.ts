/**
 * The shared material some tests read: the upstream CRDs and schemas test/fixtures/upstream.json names,
 * from `../shared`, or `SHARED_DIR` (and `CRD_DIR` for its crds/), each checked against the manifest's
 * git blob the way `npm run fetch-shared -- --verify` checks it. A clone without it, or with a file that
 * is not the upstream one, still runs every test that does not need it: those that do are skipped, and
 * one line at the end says what was wrong and how to get the files. Under CI it is an error instead, so
 * a missing or changed file never passes as a green run.
 */
import * as path from "path";
import { describeProblem, MANIFEST, Problem, readManifest, sharedDirectory, sharedPath, verify } from "../../scripts/fetch-shared";

/** The shared material (CRDs, schemas): `../shared`, or `SHARED_DIR` (`npm run fetch-shared` prints it). */
export const SHARED_DIR = sharedDirectory();

/** The folder of upstream CRDs: `CRD_DIR`, else SHARED_DIR's `crds`. */
export function crdDirectoryPath(): string {
    return process.env.CRD_DIR ?? path.join(SHARED_DIR, "crds");
}

/** The manifest's shared entries (`crds/…`, `schemas/…`). */
export const SHARED_FILES = readManifest().shared;

/** The path a test reads a shared entry from, e.g. `sharedFile("schemas/github-workflow.json")`. */
export function sharedFile(file: string): string {
    const entry = SHARED_FILES.find((e) => e.file === file);
    if (!entry) throw new Error(`${file} is not a shared entry of ${MANIFEST}`);
    return sharedPath(entry, SHARED_DIR, process.env.CRD_DIR);
}

/** The CRD files of the manifest, in its order, where the tests read them. */
export function sharedCrdFiles(): string[] {
    return SHARED_FILES.filter((e) => e.file.startsWith("crds/")).map((e) => sharedPath(e, SHARED_DIR, process.env.CRD_DIR));
}

let checked: { key: string; problems: Problem[] } | undefined;

/** Every manifest file that is absent or not byte-exact; hashed once per SHARED_DIR and CRD_DIR. */
function problems(): Problem[] {
    const key = `${SHARED_DIR}\0${process.env.CRD_DIR ?? ""}`;
    if (checked?.key !== key) checked = { key, problems: verify(SHARED_FILES, SHARED_DIR, process.env.CRD_DIR) };
    return checked.problems;
}

/** Whether the shared material is all there and byte-exact. */
export function hasShared(): boolean {
    return problems().length === 0;
}

/** What is wrong, in a few words: the folder when nothing is there, else each file. */
function whatIsWrong(found: Problem[]): string {
    if (found.length === SHARED_FILES.length && found.every((p) => p.actual === undefined)) {
        return `none of the ${found.length} upstream files of ${MANIFEST} found in ${SHARED_DIR}${process.env.CRD_DIR === undefined ? "" : ` (crds/ in ${process.env.CRD_DIR})`}`;
    }
    return found.map(describeProblem).join("; ");
}

let skipped = 0;

/** Call first in a test or hook that reads the shared material: skips it (outside CI) when it is absent or changed. */
export function needsShared(context: Mocha.Context): void {
    const found = problems();
    if (found.length === 0) return;
    if (process.env.CI === "true") {
        throw new Error(`the shared material is missing or changed under CI: ${whatIsWrong(found)}`);
    }
    // From a `before` hook, every test of its suite is skipped; from a test or `beforeEach`, that one.
    const runnable = context.test;
    skipped += runnable?.title.startsWith('"before all" hook') ? (runnable.parent?.total() ?? 1) : 1;
    context.skip();
}

/** Mocha root hooks (loaded through .mocharc's require): the one line that says what was skipped and why. */
export const mochaHooks = {
    afterAll(): void {
        if (skipped === 0) return;
        console.log(
            `cluster-capacity: ${skipped} test(s) skipped: ${whatIsWrong(problems())}; run npm run fetch-shared and set the SHARED_DIR=… it prints, or put the shared repository beside this clone as ../shared (docs/shared-material.md), then run npm test again.`,
        );
    },
};
