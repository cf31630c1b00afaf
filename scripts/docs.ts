/**
 * `npm run docs`: writes the generated parts of the documentation from the code they describe:
 * docs/configuration.md from the config schema (lib/config/reference.ts), and in docs/versions.md the
 * tables between the `version-matrix` and `gpu-operator-lines` markers from lib/versionMatrix.ts.
 * test/docs.spec.ts fails when either is out of date.
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { CONFIGURATION_REFERENCE_FILE, configurationReferenceMarkdown } from "../lib/config/reference";
import { gpuOperatorLinesMarkdown, versionMatrixMarkdown } from "../lib/versionMatrix";

const REPO = path.join(__dirname, "..");

/** The generated tables of docs/versions.md, by marker. */
export const VERSION_TABLES: Readonly<Record<string, () => string>> = {
    "version-matrix": versionMatrixMarkdown,
    "gpu-operator-lines": gpuOperatorLinesMarkdown,
};
export const VERSIONS_FILE = "docs/versions.md";

/** `text` with the block between `<!-- marker:start -->` and `<!-- marker:end -->` replaced by `block`. */
export function replaceMarked(text: string, marker: string, block: string): string {
    const start = `<!-- ${marker}:start -->`;
    const end = `<!-- ${marker}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`no ${start} … ${end} block`);
    return `${text.slice(0, from + start.length)}\n\n${block}\n\n${text.slice(to)}`;
}

async function main(): Promise<void> {
    const reference = path.join(REPO, CONFIGURATION_REFERENCE_FILE);
    fs.writeFileSync(reference, configurationReferenceMarkdown());
    console.log(`wrote ${CONFIGURATION_REFERENCE_FILE}`);

    const versions = path.join(REPO, VERSIONS_FILE);
    let text = fs.readFileSync(versions, "utf8");
    for (const [marker, table] of Object.entries(VERSION_TABLES)) text = replaceMarked(text, marker, table());
    // The tables come unpadded; Prettier pads them as `npm run lint` expects.
    const options = { ...(await prettier.resolveConfig(versions)), filepath: versions };
    fs.writeFileSync(versions, await prettier.format(text, options));
    console.log(`wrote ${VERSIONS_FILE}`);
}

if (require.main === module) {
    main().catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    });
}
