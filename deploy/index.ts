/**
 * Pulumi Deployments for cluster-capacity, as code: for each cluster stack, push-to-deploy from
 * main, previews on pull requests, path filters, `npm ci`, AWS credentials through OIDC, and a
 * drift-detection schedule; the policy pack published from policy/ and a preventative policy group
 * per stack with its policy-config/<stack>.json.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import {
    ClusterStack,
    DEFAULT_DRIFT_SCHEDULE,
    deploymentSettingsArgs,
    DeploymentsConfig,
    driftScheduleArgs,
    policyGroupArgs,
    policyPackArgs,
} from "./settings";

const REPO = path.resolve(__dirname, "..");
const POLICY_DIR = path.join(REPO, "policy");

/** The pack's own files (no node_modules), in a stable order. */
function policySources(dir = POLICY_DIR): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.name !== "node_modules")
        .flatMap((entry) => (entry.isDirectory() ? policySources(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
        .sort();
}

function policySourceHash(): string {
    const hash = crypto.createHash("sha256");
    for (const file of policySources()) {
        hash.update(path.relative(POLICY_DIR, file)).update("\0").update(fs.readFileSync(file)).update("\0");
    }
    return hash.digest("hex");
}

function policyConfigOf(stack: string): Record<string, unknown> {
    const file = path.join(REPO, "policy-config", `${stack}.json`);
    if (!fs.existsSync(file)) {
        throw new pulumi.RunError(`cluster-capacity-deployments:stacks: ${stack} has no policy-config/${stack}.json for its policy group`);
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

const config = new pulumi.Config();
const stacks = config.requireObject<Partial<ClusterStack>[]>("stacks").map((s, index): ClusterStack => {
    if (!s.name || !s.awsRoleArn || !/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(s.awsRoleArn)) {
        throw new pulumi.RunError(
            `cluster-capacity-deployments:stacks[${index}]: got ${JSON.stringify(s)}; expected {name, awsRoleArn: an IAM role ARN, driftSchedule?}`,
        );
    }
    return { name: s.name, awsRoleArn: s.awsRoleArn, driftSchedule: s.driftSchedule ?? DEFAULT_DRIFT_SCHEDULE };
});
const settings: DeploymentsConfig = { organization: config.require("organization"), repository: config.require("repository"), stacks };

const policyVersion = (JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version: string }).version;
const pack = new service.PolicyPack(
    "guardrails-policy-pack",
    // Relative to deploy/, where Pulumi runs this program: an absolute path would differ per machine.
    policyPackArgs(settings, { version: policyVersion, sourceHash: policySourceHash(), sourcePath: "../policy" }),
);

export const deployedStacks = stacks.map((stack) => {
    // The group exists before any deployment of the stack can run without it.
    const group = new service.PolicyGroup(
        `${stack.name}-policy-group`,
        policyGroupArgs(settings, stack, pack.versionTag, policyConfigOf(stack.name)),
    );
    const deployment = new service.DeploymentSettings(`${stack.name}-deployment-settings`, deploymentSettingsArgs(settings, stack), {
        dependsOn: group,
    });
    new service.DriftSchedule(`${stack.name}-drift-schedule`, driftScheduleArgs(settings, stack), { dependsOn: deployment });
    return `${settings.organization}/cluster-capacity/${stack.name}`;
});
