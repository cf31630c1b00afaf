/**
 * What `pulumi up` waits for, decided once. The Kubernetes provider waits for a Job to complete and
 * for a DaemonSet, Deployment or StatefulSet to roll out (pulumi-kubernetes
 * `provider/pkg/await/awaiters.go`), up to 10 minutes, unless the object says `pulumi.com/skipAwait`;
 * a custom resource it does not wait for, unless it says `pulumi.com/waitFor`
 * (`provider/pkg/metadata/overrides.go`, ReadyCondition).
 *
 * - An operator's Subscription is waited for, until OLM reports its CSV installed
 *   (components/olm.ts), within `operatorInstallTimeout`: the operator's custom resources need its
 *   CRDs, and the provider retries a kind it does not know for about a minute only.
 * - What runs on accelerator nodes is not: the smoke-test Jobs and the EFA device plugin need GPU
 *   nodes, which a pool scaled to zero gets only when the autoscaler adds them, minutes or hours later.
 *   Waiting would hold every `up` for the first node and fail it after 10 minutes.
 */
export const SKIP_AWAIT: Readonly<Record<string, string>> = { "pulumi.com/skipAwait": "true" };
