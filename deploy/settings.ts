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

export const PROJECT = "cluster-capacity";
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
