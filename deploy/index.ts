/**
 * Pulumi Deployments for cluster-capacity, as code: for each cluster stack, push-to-deploy from
 * main, previews on pull requests, path filters, `npm ci`, AWS credentials through OIDC, and a
 * drift-detection schedule. The policy pack is enforced by the organization's policy group.
 */
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { ClusterStack, DEFAULT_DRIFT_SCHEDULE, deploymentSettingsArgs, DeploymentsConfig, driftScheduleArgs } from "./settings";

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

export const deployedStacks = stacks.map((stack) => {
    const deployment = new service.DeploymentSettings(`${stack.name}-deployment-settings`, deploymentSettingsArgs(settings, stack));
    new service.DriftSchedule(`${stack.name}-drift-schedule`, driftScheduleArgs(settings, stack), { dependsOn: deployment });
    return `${settings.organization}/cluster-capacity/${stack.name}`;
});
