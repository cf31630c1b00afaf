/**
 * The shared material some tests read (upstream CRDs and schemas): `../shared`, or `SHARED_DIR` and
 * `CRD_DIR`. A clone without it still runs every test that does not need it: those that do are
 * skipped, and one line at the end says what was missing and how to get it. Under CI it is an
 * error instead, so a missing checkout never passes as a green run.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO } from "./scenarios";

/** The shared material (CRDs, schemas): `../shared`, or `SHARED_DIR` (CI checks it out elsewhere). */
export const SHARED_DIR = process.env.SHARED_DIR ?? path.resolve(REPO, "..", "shared");

/** The folder of upstream CRDs: `CRD_DIR`, else SHARED_DIR's `crds`. */
export function crdDirectoryPath(): string {
    return process.env.CRD_DIR ?? path.join(SHARED_DIR, "crds");
}

/** What the tests need of it, where it should be. */
function missing(): string[] {
    return [
        crdDirectoryPath(),
        path.join(SHARED_DIR, "schemas", "pulumi-project.json"),
        path.join(SHARED_DIR, "schemas", "github-workflow.json"),
    ].filter((p) => !fs.existsSync(p));
}

/** Whether the shared material is all there. */
export function hasShared(): boolean {
    return missing().length === 0;
}

const skipped: string[] = [];

/** Call first in a test or hook that reads the shared material: skips it (outside CI) when it is absent. */
export function needsShared(context: Mocha.Context): void {
    const absent = missing();
    if (absent.length === 0) return;
    if (process.env.CI === "true") {
        throw new Error(`the shared material is missing under CI: ${absent.join(", ")}`);
    }
    skipped.push(context.test?.fullTitle() ?? context.currentTest?.fullTitle() ?? "a test");
    context.skip();
}

/** Mocha root hooks (loaded through .mocharc's require): the one line that says what was skipped and why. */
export const mochaHooks = {
    afterAll(): void {
        if (skipped.length === 0) return;
        console.log(
            `cluster-capacity: ${skipped.length} test(s) skipped: ${missing().join(", ")} not found; clone the shared material beside this repository as ../shared (or set SHARED_DIR and CRD_DIR), then run npm test again.`,
        );
    },
};
