import type * as pulumi from "@pulumi/pulumi";

/**
 * What Pulumi Deployments does for one cluster stack. Pure, so tests read the same values the
 * program registers.
 */

/** Paths whose change can change a cluster; anything else (docs, the runbook, CI) deploys nothing. */
export function deployPaths(stack: string): string[] {
    return ["index.ts", "components/**", "lib/**", "policy/**", "package.json", "package-lock.json", "Pulumi.yaml", `Pulumi.${stack}.yaml`];
}

export interface ClusterStack {
    name: string;
    awsRoleArn: string;
    driftSchedule: string;
}

export interface DeploymentsConfig {
    organization: string;
    repository: string;
    stacks: ClusterStack[];
}

const PROJECT = "cluster-capacity";
/** The pack's name, as policy/policies.ts names it (POLICY_PACK_NAME); deploy/ does not import the pack. */
const POLICY_PACK = "cluster-capacity-guardrails";
export const DEFAULT_DRIFT_SCHEDULE = "0 */6 * * *";

export function deploymentSettingsArgs(config: DeploymentsConfig, stack: ClusterStack) {
    return {
        organization: config.organization,
        project: PROJECT,
        stack: stack.name,
        sourceContext: { git: { branch: "refs/heads/main", repoDir: "." } },
        github: {
            repository: config.repository,
            deployCommits: true,
            previewPullRequests: true,
            pullRequestTemplate: false,
            paths: deployPaths(stack.name),
        },
        operationContext: {
            // The lockfile decides what runs, and the policy pack's dependencies come with it (postinstall).
            preRunCommands: ["npm ci"],
            options: { skipInstallDependencies: true },
            oidc: { aws: { roleARN: stack.awsRoleArn, sessionName: `cluster-capacity-${stack.name}`, duration: "1h0m0s" } },
        },
    };
}

export function driftScheduleArgs(config: DeploymentsConfig, stack: ClusterStack) {
    // Drift is reported, never auto-remediated: a remediation run could resize node pools under jobs.
    return {
        organization: config.organization,
        project: PROJECT,
        stack: stack.name,
        scheduleCron: stack.driftSchedule,
        autoRemediate: false,
    };
}

/**
 * The pack published from `policy/`. Published versions are immutable, so the tag carries a hash
 * of the pack's sources: any change to the pack publishes a new version, and an unchanged pack
 * publishes nothing.
 */
export function policyPackArgs(config: DeploymentsConfig, pack: { version: string; sourceHash: string; sourcePath: string }) {
    return {
        organization: config.organization,
        name: POLICY_PACK,
        sourcePath: pack.sourcePath,
        versionTag: `${pack.version}-g${pack.sourceHash.slice(0, 12)}`,
    };
}

/**
 * A preventative policy group per cluster stack, so every preview and update of it runs the pack
 * with that stack's `policy-config/<stack>.json`, whoever starts it: Deployments (which cannot pass
 * `--policy-pack`), a laptop or CI. One group per stack, since a group holds one config per pack.
 */
export function policyGroupArgs(
    config: DeploymentsConfig,
    stack: ClusterStack,
    versionTag: pulumi.Input<string>,
    policyConfig: Record<string, unknown>,
) {
    return {
        organizationName: config.organization,
        name: `${PROJECT}-${stack.name}`,
        entityType: "stacks",
        mode: "preventative",
        stacks: [{ name: stack.name, routingProject: PROJECT }],
        policyPacks: [{ name: POLICY_PACK, versionTag, config: policyConfig }],
    };
}
