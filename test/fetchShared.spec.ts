import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { cacheDirectory, fetchShared, gitBlob, readManifest, UpstreamFile, upstreamUrl, verify } from "../scripts/fetch-shared";
import { REPO } from "./support/scenarios";
import { needsShared, sharedFile } from "./support/shared";

/** A stand-in for raw.githubusercontent.com on 127.0.0.1: serves `<root>/<repository>/<commit>/<path>`. */
interface Upstream {
    url: string;
    root: string;
    /** The paths asked for, in order. */
    requests: string[];
    close(): Promise<void>;
}

async function serve(root: string): Promise<Upstream> {
    const requests: string[] = [];
    const server = http.createServer((request, response) => {
        const url = decodeURIComponent(request.url ?? "/");
        requests.push(url);
        const file = path.join(root, path.normalize(url));
        if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
            response.writeHead(404).end("404: Not Found");
            return;
        }
        response.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        root,
        requests,
        close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
    };
}

/** Lays `content` out under `root` the way the upstream host serves it. */
function publish(root: string, entry: UpstreamFile, content: Buffer): string {
    const at = path.join(root, entry.repository, entry.commit, entry.path);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.writeFileSync(at, content);
    return at;
}

/** `npm run fetch-shared -- …` (package.json's command), asynchronously: the test's server must keep answering. */
function runScript(
    args: string[],
    env: Record<string, string | undefined>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/fetch-shared.ts", ...args], {
            cwd: REPO,
            env: { ...process.env, ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}

const temporary = (what: string) => fs.mkdtempSync(path.join(os.tmpdir(), `fetch-shared-${what}-`));

describe("scripts/fetch-shared.ts (npm run fetch-shared)", function () {
    this.timeout(60_000);
    const entries = readManifest().shared;
    const made: string[] = [];
    const scratch = (what: string) => {
        const dir = temporary(what);
        made.push(dir);
        return dir;
    };
    after(() => {
        for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is package.json's fetch-shared script", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> })
            .scripts;
        assert.strictEqual(scripts["fetch-shared"], "node -r ts-node/register/transpile-only scripts/fetch-shared.ts");
    });

    it("downloads from https://raw.githubusercontent.com/<repository>/<commit>/<path> by default", () => {
        const entry = entries.find((e) => e.file === "schemas/github-workflow.json");
        assert.ok(entry);
        assert.strictEqual(
            upstreamUrl(entry),
            `https://raw.githubusercontent.com/SchemaStore/schemastore/${entry.commit}/src/schemas/json/github-workflow.json`,
        );
    });

    it("keeps its cache beside the e2e binaries: CLUSTER_CAPACITY_CACHE, else XDG_CACHE_HOME or ~/.cache, then cluster-capacity/shared", () => {
        assert.strictEqual(cacheDirectory({ CLUSTER_CAPACITY_CACHE: "/c" }), "/c/shared");
        assert.strictEqual(cacheDirectory({ XDG_CACHE_HOME: "/x" }), "/x/cluster-capacity/shared");
        assert.strictEqual(cacheDirectory({}), path.join(os.homedir(), ".cache", "cluster-capacity", "shared"));
    });

    describe("from a local server serving a copy of the shared folder", () => {
        let upstream: Upstream;
        before(async function () {
            needsShared(this);
            const root = scratch("upstream");
            for (const entry of entries) publish(root, entry, fs.readFileSync(sharedFile(entry.file)));
            upstream = await serve(root);
        });
        after(() => upstream?.close());

        it("downloads every manifest entry into the cache, laid out like ../shared, checks every blob and prints SHARED_DIR", async () => {
            const cache = scratch("cache");
            const run = await runScript([], { CLUSTER_CAPACITY_CACHE: cache, CLUSTER_CAPACITY_UPSTREAM_URL: upstream.url });
            assert.strictEqual(run.status, 0, run.stderr);
            const dir = path.join(cache, "shared");
            assert.strictEqual(run.stdout, `SHARED_DIR=${dir}\n`);
            assert.match(
                run.stderr,
                new RegExp(`the ${entries.length} upstream files of test/fixtures/upstream.json \\(${entries.length} downloaded`),
            );
            assert.deepStrictEqual(
                [...upstream.requests].sort(),
                entries.map((e) => `/${e.repository}/${e.commit}/${e.path}`).sort(),
                "one request per entry, at its commit",
            );
            assert.deepStrictEqual(verify(entries, dir), []);
            assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["crds", "schemas"]);

            // Again: nothing to download; and the verify mode agrees.
            upstream.requests.length = 0;
            const again = await runScript([], { CLUSTER_CAPACITY_CACHE: cache, CLUSTER_CAPACITY_UPSTREAM_URL: upstream.url });
            assert.strictEqual(again.status, 0, again.stderr);
            assert.match(again.stderr, new RegExp(`\\(0 downloaded from ${upstream.url}, ${entries.length} already there\\)`));
            assert.deepStrictEqual(upstream.requests, []);
            const verified = await runScript(["--verify", dir], { CRD_DIR: undefined });
            assert.strictEqual(verified.status, 0, verified.stderr);
            assert.strictEqual(
                verified.stderr,
                `cluster-capacity: ${dir}: the ${entries.length} upstream files of test/fixtures/upstream.json, every git blob as listed\n`,
            );
        });

        it("refuses a file the server changed: exits non-zero naming the file, the URL and both blobs, and does not write it", async () => {
            const entry = entries.find((e) => e.file === "crds/kueue.x-k8s.io_clusterqueues.yaml");
            assert.ok(entry);
            const served = path.join(upstream.root, entry.repository, entry.commit, entry.path);
            const original = fs.readFileSync(served);
            const changed = Buffer.from(original.toString("utf8").replace("ClusterQueue", "ClusterQueve"));
            fs.writeFileSync(served, changed);
            try {
                const dir = scratch("into");
                const run = await runScript(["--into", dir], { CLUSTER_CAPACITY_UPSTREAM_URL: upstream.url });
                assert.strictEqual(run.status, 1, run.stderr);
                assert.strictEqual(run.stdout, "", "no SHARED_DIR for an incomplete folder");
                const lines = run.stderr.trimEnd().split("\n");
                assert.deepStrictEqual(lines, [
                    `cluster-capacity: ${entry.file}: ${upstream.url}/${entry.repository}/${entry.commit}/${entry.path} is git blob ${gitBlob(changed)}, test/fixtures/upstream.json names ${entry.blob}; not written`,
                    `cluster-capacity: 1 of the ${entries.length} upstream files of test/fixtures/upstream.json refused; ${dir} is incomplete`,
                ]);
                assert.ok(!fs.existsSync(path.join(dir, entry.file)));
                assert.deepStrictEqual(
                    verify(entries, dir).map((p) => p.entry.file),
                    [entry.file],
                );
            } finally {
                fs.writeFileSync(served, original);
            }
        });
    });

    describe("in process, with entries of its own (no shared folder needed)", () => {
        const good = Buffer.from("kind: CustomResourceDefinition\n");
        const entry = (file: string, content: Buffer): UpstreamFile => ({
            file,
            repository: "example/upstream",
            path: `config/${path.basename(file)}`,
            commit: "0123456789abcdef0123456789abcdef01234567",
            blob: gitBlob(content),
            license: "Apache-2.0",
        });
        let upstream: Upstream;
        before(async () => {
            upstream = await serve(scratch("own"));
        });
        after(() => upstream?.close());

        it("computes git blob ids as git hash-object does", () => {
            assert.strictEqual(gitBlob(Buffer.from("")), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
            assert.strictEqual(gitBlob(Buffer.from("hello\n")), "ce013625030ba8dba906f756967f9e9ca394464a");
        });

        it("writes what matches, refuses a changed file and a missing one, and replaces a stale local copy", async () => {
            const a = entry("crds/a.yaml", good);
            const b = entry("crds/b.yaml", good);
            const gone = entry("schemas/gone.json", good);
            publish(upstream.root, a, good);
            publish(upstream.root, b, Buffer.from("kind: Something else\n"));
            const dir = scratch("own-into");
            fs.mkdirSync(path.join(dir, "crds"));
            fs.writeFileSync(path.join(dir, a.file), "stale\n");
            const result = await fetchShared([a, b, gone], dir, upstream.url);
            assert.deepStrictEqual(result.downloaded, [a.file]);
            assert.deepStrictEqual(result.kept, []);
            assert.deepStrictEqual(result.refused, [
                `${b.file}: ${upstreamUrl(b, upstream.url)} is git blob ${gitBlob(Buffer.from("kind: Something else\n"))}, test/fixtures/upstream.json names ${b.blob}; not written`,
                `${gone.file}: ${upstreamUrl(gone, upstream.url)}: HTTP 404 Not Found`,
            ]);
            assert.deepStrictEqual(fs.readFileSync(path.join(dir, a.file)), good);
            assert.deepStrictEqual(fs.readdirSync(path.join(dir, "crds")), ["a.yaml"], "nothing refused, no temporary file left");
            assert.deepStrictEqual((await fetchShared([a], dir, upstream.url)).kept, [a.file]);
        });

        it("verifies a folder as the tests read it: crds/ from CRD_DIR when given, naming what is absent or changed", () => {
            const a = entry("crds/a.yaml", good);
            const s = entry("schemas/s.json", good);
            const dir = scratch("own-verify");
            const crdDir = scratch("own-crds");
            fs.mkdirSync(path.join(dir, "schemas"));
            fs.writeFileSync(path.join(dir, s.file), "{}\n");
            fs.writeFileSync(path.join(crdDir, "a.yaml"), good);
            const problems = verify([a, s], dir, crdDir);
            assert.deepStrictEqual(
                problems.map((p) => [p.at, p.actual]),
                [[path.join(dir, s.file), gitBlob(Buffer.from("{}\n"))]],
            );
            assert.deepStrictEqual(
                verify([a, s], dir).map((p) => [p.at, p.actual]),
                [
                    [path.join(dir, a.file), undefined],
                    [path.join(dir, s.file), gitBlob(Buffer.from("{}\n"))],
                ],
            );
        });

        it("--verify on a folder without the files exits non-zero, saying how many are missing and how to get them", async () => {
            const run = await runScript(["--verify", "/nonexistent/shared"], { CRD_DIR: undefined });
            assert.strictEqual(run.status, 1, run.stderr);
            const lines = run.stderr.trimEnd().split("\n");
            assert.strictEqual(lines.length, entries.length + 1);
            assert.strictEqual(lines[0], `cluster-capacity: /nonexistent/shared/${entries[0].file} not found`);
            assert.strictEqual(
                lines[entries.length],
                `cluster-capacity: /nonexistent/shared: ${entries.length} of the ${entries.length} upstream files of test/fixtures/upstream.json missing or changed; get them with npm run fetch-shared (docs/shared-material.md)`,
            );
        });
    });
});
