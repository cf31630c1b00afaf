/**
 * `npm run fetch-shared`: the upstream CRDs and schemas the tests read, which test/fixtures/upstream.json
 * names (repository, path, commit, git blob, license), downloaded from
 * `https://raw.githubusercontent.com/<repository>/<commit>/<path>` into the cache, laid out like
 * `../shared` (crds/, schemas/). Every file's git blob is checked before it is written; one that differs
 * is refused. Prints `SHARED_DIR=<dir>` on stdout, everything else on stderr (docs/shared-material.md).
 *
 *   npm run fetch-shared                     download into the cache (a file already there and right is kept)
 *   npm run fetch-shared -- --into <dir>     download into <dir> instead
 *   npm run fetch-shared -- --verify [dir]   download nothing: check <dir> (default: what the tests read,
 *                                            SHARED_DIR or ../shared, with CRD_DIR for crds/)
 *
 * CLUSTER_CAPACITY_UPSTREAM_URL replaces https://raw.githubusercontent.com (a mirror, or a test's server).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "..");

/** The manifest, relative to the repository: what the tests take from upstream, facts only. */
export const MANIFEST = path.join("test", "fixtures", "upstream.json");

/** One upstream file, byte-exact. */
export interface UpstreamFile {
    /** Where it lives: relative to the shared folder (`shared`) or to the repository (`fixtures`). */
    file: string;
    /** The GitHub repository, `owner/name`. */
    repository: string;
    /** Its path in that repository. */
    path: string;
    /** The commit it is taken at (40 hex). */
    commit: string;
    /** Its git blob id: `git hash-object <file>`. */
    blob: string;
    /** SPDX identifier of the upstream repository's license. */
    license: string;
}

export interface Manifest {
    /** Not in the repository: fetched into the cache by this script, or `../shared`. */
    shared: UpstreamFile[];
    /** Committed copies, under test/fixtures (test/fixtures.spec.ts checks them). */
    fixtures: UpstreamFile[];
}

export function readManifest(file = path.join(REPO, MANIFEST)): Manifest {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
}

/** `git hash-object`: the SHA-1 of `blob <size>\0<content>`. */
export function gitBlob(content: Buffer): string {
    return crypto.createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

/** The shared folder the tests read: `SHARED_DIR`, else `../shared` beside the clone. */
export function sharedDirectory(env: NodeJS.ProcessEnv = process.env): string {
    return env.SHARED_DIR || path.resolve(REPO, "..", "shared");
}

/** The cache the script downloads into by default, beside the e2e binaries (scripts/lib.sh's CC_CACHE). */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
    // An empty variable counts as unset, as `${VAR:-…}` has it in scripts/lib.sh.
    const cache = env.CLUSTER_CAPACITY_CACHE || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "cluster-capacity");
    return path.join(cache, "shared");
}

/** Where a shared entry is read from: under `dir`, except `crds/…` under `crdDir` when one is given (CRD_DIR). */
export function sharedPath(entry: UpstreamFile, dir: string, crdDir?: string): string {
    return crdDir !== undefined && entry.file.startsWith("crds/")
        ? path.join(crdDir, entry.file.slice("crds/".length))
        : path.join(dir, entry.file);
}

/** What is wrong with one file: absent, or another blob than the manifest's. */
export interface Problem {
    entry: UpstreamFile;
    at: string;
    /** The blob found; undefined when the file is absent. */
    actual?: string;
}

export function describeProblem({ entry, at, actual }: Problem): string {
    return actual === undefined
        ? `${at} not found`
        : `${at} is git blob ${actual}, ${MANIFEST} names ${entry.blob} (${entry.repository} ${entry.path} at ${entry.commit})`;
}

/** Every entry whose file under `dir` (crds/ under `crdDir`) is absent or not byte-exact. */
export function verify(entries: readonly UpstreamFile[], dir: string, crdDir?: string): Problem[] {
    return entries.flatMap((entry) => {
        const at = sharedPath(entry, dir, crdDir);
        if (!fs.existsSync(at)) return [{ entry, at }];
        const actual = gitBlob(fs.readFileSync(at));
        return actual === entry.blob ? [] : [{ entry, at, actual }];
    });
}

export const GITHUB_RAW = "https://raw.githubusercontent.com";

export function upstreamUrl(entry: UpstreamFile, base = GITHUB_RAW): string {
    return `${base.replace(/\/+$/, "")}/${entry.repository}/${entry.commit}/${entry.path}`;
}

/** Why a fetch failed: undici puts the network error (ECONNREFUSED, ENOTFOUND, …) in `cause`. */
function reason(error: unknown): string {
    const cause = error instanceof Error ? error.cause : undefined;
    return cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
}

/** One GET, retried on a network error or a 5xx/429 answer (GitHub's raw host has bad moments); a 404 is final. */
async function download(url: string, attempts = 3): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
        let failure: string;
        let final = false;
        try {
            const answer = await fetch(url, { signal: AbortSignal.timeout(60_000) });
            if (answer.ok) return Buffer.from(await answer.arrayBuffer());
            failure = `HTTP ${answer.status} ${answer.statusText}`;
            final = answer.status < 500 && answer.status !== 429;
        } catch (error) {
            failure = reason(error);
        }
        if (final) throw new Error(failure);
        if (attempt >= attempts) throw new Error(`${failure} (${attempts} attempts)`);
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
}

/** Each sorted: the downloads run six at a time. */
export interface FetchResult {
    downloaded: string[];
    kept: string[];
    /** Not written: what went wrong, one line each. */
    refused: string[];
}

/**
 * Each entry into `dir/<file>`: kept when already there and byte-exact, else downloaded and written
 * (through a temporary file) only if its git blob is the manifest's.
 */
export async function fetchShared(entries: readonly UpstreamFile[], dir: string, base = GITHUB_RAW): Promise<FetchResult> {
    const result: FetchResult = { downloaded: [], kept: [], refused: [] };
    const queue = [...entries];
    const worker = async (): Promise<void> => {
        for (let entry = queue.shift(); entry; entry = queue.shift()) {
            const at = path.join(dir, entry.file);
            if (fs.existsSync(at) && gitBlob(fs.readFileSync(at)) === entry.blob) {
                result.kept.push(entry.file);
                continue;
            }
            const url = upstreamUrl(entry, base);
            let content: Buffer;
            try {
                content = await download(url);
            } catch (error) {
                result.refused.push(`${entry.file}: ${url}: ${(error as Error).message}`);
                continue;
            }
            const actual = gitBlob(content);
            if (actual !== entry.blob) {
                result.refused.push(`${entry.file}: ${url} is git blob ${actual}, ${MANIFEST} names ${entry.blob}; not written`);
                continue;
            }
            fs.mkdirSync(path.dirname(at), { recursive: true });
            const temporary = `${at}.${process.pid}.tmp`;
            fs.writeFileSync(temporary, content);
            fs.renameSync(temporary, at);
            result.downloaded.push(entry.file);
        }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    for (const list of Object.values(result) as string[][]) list.sort();
    return result;
}

const say = (line: string) => process.stderr.write(`cluster-capacity: ${line}\n`);

async function main(args: string[]): Promise<number> {
    const entries = readManifest().shared;
    const [mode, dirArg, ...rest] = args;
    if (rest.length > 0 || (mode !== undefined && !["--verify", "--into"].includes(mode)) || (mode === "--into" && !dirArg)) {
        say("usage: npm run fetch-shared [-- --into <dir> | -- --verify [<dir>]]");
        return 2;
    }
    if (mode === "--verify") {
        const dir = path.resolve(dirArg ?? sharedDirectory());
        const crdDir = process.env.CRD_DIR;
        const where = crdDir === undefined ? dir : `${dir} (crds/ from CRD_DIR ${crdDir})`;
        const problems = verify(entries, dir, crdDir);
        if (problems.length > 0) {
            for (const problem of problems) say(describeProblem(problem));
            say(
                `${where}: ${problems.length} of the ${entries.length} upstream files of ${MANIFEST} missing or changed; get them with npm run fetch-shared (docs/shared-material.md)`,
            );
            return 1;
        }
        say(`${where}: the ${entries.length} upstream files of ${MANIFEST}, every git blob as listed`);
        return 0;
    }
    const dir = path.resolve(dirArg ?? cacheDirectory());
    const base = process.env.CLUSTER_CAPACITY_UPSTREAM_URL ?? GITHUB_RAW;
    const { downloaded, kept, refused } = await fetchShared(entries, dir, base);
    if (refused.length > 0) {
        for (const line of refused) say(line);
        say(`${refused.length} of the ${entries.length} upstream files of ${MANIFEST} refused; ${dir} is incomplete`);
        return 1;
    }
    say(
        `${dir}: the ${entries.length} upstream files of ${MANIFEST} (${downloaded.length} downloaded from ${base}, ${kept.length} already there), every git blob as listed`,
    );
    process.stdout.write(`SHARED_DIR=${dir}\n`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (status) => process.exit(status),
        (error: unknown) => {
            say(`fetch-shared failed: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
        },
    );
}
