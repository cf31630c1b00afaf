/**
 * `npm run -s stack-matrix`: the stacks the pull-request workflow previews, as the JSON of a GitHub
 * Actions matrix (`{"include":[{"stack":"dev","aws":false},…]}`), one entry per `Pulumi.<stack>.yaml`
 * present. A stack that renders offline (offline lookups and a renderDirectory) previews on a local
 * state backend with no credentials; any other reads AWS and its cluster, so its preview gets AWS
 * credentials and the kubeconfig in the secret `kubeconfigSecret` names, against Pulumi Cloud.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { rawConfigFrom, runtimeConfig } from "../lib/config/load";
import { parseConfig } from "../lib/config/validate";

/** The stack names of the `Pulumi.<stack>.yaml` files in a folder, sorted. */
function stackNames(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .flatMap((file) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(file)?.[1] ?? [])
        .sort();
}

export interface PreviewEntry {
    stack: string;
    /** Whether the preview reads AWS and the cluster (credentials, Pulumi Cloud), or renders offline. */
    aws: boolean;
    /** The GitHub secret with its cluster's read-only kubeconfig: `<STACK>_KUBECONFIG`, `-` as `_`. */
    kubeconfigSecret?: string;
}

export function previewMatrix(dir: string): { include: PreviewEntry[] } {
    return {
        include: stackNames(dir).map((stack) => {
            const file = YAML.parse(fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8")) as {
                config?: Record<string, unknown>;
            };
            const all = runtimeConfig(file.config ?? {});
            const config = parseConfig(rawConfigFrom(all), { awsRegion: all["aws:region"] });
            const aws = config.lookups === "aws" || config.renderDirectory === undefined;
            return { stack, aws, ...(aws && { kubeconfigSecret: `${stack.toUpperCase().replaceAll("-", "_")}_KUBECONFIG` }) };
        }),
    };
}

if (require.main === module) {
    process.stdout.write(`${JSON.stringify(previewMatrix(path.resolve(__dirname, "..")))}\n`);
}
