import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { gitBlob, MANIFEST, readManifest, UpstreamFile } from "../scripts/fetch-shared";
import { REPO } from "./support/scenarios";

const manifest = readManifest();

describe("the upstream manifest (test/fixtures/upstream.json)", () => {
    const all: [string, UpstreamFile][] = [
        ...manifest.shared.map((e): [string, UpstreamFile] => ["shared", e]),
        ...manifest.fixtures.map((e): [string, UpstreamFile] => ["fixtures", e]),
    ];

    it("names for each file its repository, path, full commit, git blob and SPDX license, and nothing else", () => {
        for (const [, entry] of all) {
            assert.deepStrictEqual(Object.keys(entry), ["file", "repository", "path", "commit", "blob", "license"], entry.file);
            assert.match(entry.repository, /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, entry.file);
            assert.match(entry.path, /^[^/].*[^/]$/, entry.file);
            assert.match(entry.commit, /^[0-9a-f]{40}$/, entry.file);
            assert.match(entry.blob, /^[0-9a-f]{40}$/, entry.file);
            assert.match(entry.license, /^[A-Za-z0-9.+-]+$/, entry.file);
        }
    });

    it("keeps shared files under crds/ or schemas/ and fixtures under test/fixtures, each once, sorted", () => {
        for (const [where, entry] of all) {
            assert.match(entry.file, where === "shared" ? /^(crds|schemas)\/[^/]+$/ : /^test\/fixtures\/[^/]+\/[^/]+$/, entry.file);
        }
        for (const list of [manifest.shared, manifest.fixtures]) {
            const files = list.map((e) => e.file);
            assert.deepStrictEqual(files, [...new Set(files)].sort());
        }
    });
});

describe("upstream copies in test/fixtures", () => {
    for (const folder of ["crds", "machine-api-migration", "cluster-in-a-box"]) {
        const dir = path.join(REPO, "test", "fixtures", folder);
        const listed = manifest.fixtures.filter((e) => path.dirname(e.file) === `test/fixtures/${folder}`);
        it(`keeps every file of test/fixtures/${folder} byte-exact: its git blob is the one ${MANIFEST} names, and every file is listed`, () => {
            const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"));
            assert.deepStrictEqual(listed.map((e) => path.basename(e.file)).sort(), files.sort());
            for (const entry of listed) assert.strictEqual(gitBlob(fs.readFileSync(path.join(REPO, entry.file))), entry.blob, entry.file);
        });

        it(`says in test/fixtures/${folder}/SOURCES.md where each of its files was taken from`, () => {
            const sources = fs.readFileSync(path.join(dir, "SOURCES.md"), "utf8");
            for (const entry of listed) assert.ok(sources.includes(`\`${path.basename(entry.file)}\``), entry.file);
        });
    }
});
