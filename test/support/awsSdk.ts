/**
 * The AWS SDK v3 clients the program uses directly (CloudWatch usage, EC2 instances), mocked for every
 * test: no test reaches AWS. By default nothing is in use; a test sets its own answers.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";

export const cloudWatch = mockClient(CloudWatchClient);
export const ec2 = mockClient(EC2Client);

export function resetAwsSdk(): void {
    cloudWatch.reset();
    ec2.reset();
    cloudWatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
}

/** Mocha root hooks (loaded through .mocharc's require). */
export const mochaHooks = { beforeEach: resetAwsSdk };
