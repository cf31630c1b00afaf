import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { REPO } from "./support/scenarios";

/** `git hash-object`: the SHA-1 of `blob <size>\0<content>`. */
function gitBlob(file: string): string {
    const content = fs.readFileSync(file);
    return crypto.createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

/** The (file, blob) pairs of a SOURCES.md table: the row's first backquoted file name and its 40-hex blob. */
function listedBlobs(sources: string): [string, string][] {
    return sources
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .map((line) => {
            const file = /^\| `([^`]+)`/.exec(line)?.[1] ?? "";
            const blobs = [...line.matchAll(/`([0-9a-f]{40})`/g)].map((m) => m[1]);
            return [file, blobs[blobs.length - 1] ?? ""] as [string, string];
        });
}

describe("upstream copies in test/fixtures", () => {
    for (const folder of ["crds", "machine-api-migration"]) {
        const dir = path.join(REPO, "test", "fixtures", folder);
        it(`keeps every file of test/fixtures/${folder} byte-exact: its git blob is the one SOURCES.md names, and every file is listed`, () => {
            const listed = listedBlobs(fs.readFileSync(path.join(dir, "SOURCES.md"), "utf8"));
            const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"));
            assert.deepStrictEqual(listed.map(([file]) => file).sort(), files.sort());
            for (const [file, blob] of listed) assert.strictEqual(gitBlob(path.join(dir, file)), blob, file);
        });
    }
});
