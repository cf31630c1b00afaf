import * as pulumi from "@pulumi/pulumi";

export const CONFIG_NAMESPACE = "cluster-capacity";

export type PathSegment = string | number;

/** `["pools", 1, "autoscaling", "maxReplicas"]` → `cluster-capacity:pools[1].autoscaling.maxReplicas`. */
export function keyPath(segments: readonly PathSegment[]): string {
    const [head, ...rest] = segments;
    const tail = rest
        .map((segment) => {
            if (typeof segment === "number") return `[${segment}]`;
            return /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
        })
        .join("");
    return `${CONFIG_NAMESPACE}:${head ?? ""}${tail}`;
}

/** The first line of an error's message, cut to `maxLength`: AWS errors carry request ids and stacks below it. */
export function firstLineOf(error: unknown, maxLength: number): string {
    const text = error instanceof Error ? error.message : String(error);
    return text.split("\n")[0].slice(0, maxLength);
}

const EXPIRED_OR_MISSING_CREDENTIALS =
    /ExpiredToken|RequestExpired|InvalidClientTokenId|UnrecognizedClient|AuthFailure|CredentialsProviderError|no valid credential sources|failed to refresh cached credentials|Could not load credentials|security token included in the request is (expired|invalid)/i;
const DENIED = /AccessDenied|UnauthorizedOperation|not authori[sz]ed|StatusCode: 403/i;
const THROTTLED = /Throttl|RequestLimitExceeded|TooManyRequests|Rate exceeded|SlowDown/i;

/**
 * Why an AWS call failed, in the terms that say what to do: credentials to refresh, the IAM action
 * to grant, a throttle to wait out. `action` is the IAM action, e.g. `ec2:DescribeSubnets`.
 */
export function describeAwsFailure(action: string, error: unknown): string {
    const said = `AWS said: ${firstLineOf(error, 200)}`;
    const text = `${error instanceof Error ? error.name : ""} ${error instanceof Error ? error.message : String(error)}`;
    if (EXPIRED_OR_MISSING_CREDENTIALS.test(text)) {
        return `${action} failed because the AWS credentials are expired, invalid or missing: refresh them (e.g. aws sso login), or use lookups: offline; ${said}`;
    }
    if (DENIED.test(text)) {
        return `${action} was denied: grant ${action} to the identity that runs Pulumi; ${said}`;
    }
    if (THROTTLED.test(text)) {
        return `AWS throttled ${action}: run again in a minute, and look for other tools calling it in this account; ${said}`;
    }
    return `${action} failed; ${said}`;
}

/** One bad value: where it is, what it was, and what would have been accepted. */
export interface ConfigProblem {
    path: string;
    value: unknown;
    expected: string;
}

/** A value the messages must not print: a secret, or something that looks like a credential. */
class HiddenValue {
    constructor(readonly characters: number) {}
}

const SECRET_KEY = /(token|secret|password|passphrase|kubeconfig|credential|private.?key|access.?key)/i;
const SECRET_VALUE =
    /(-----BEGIN |token:|client-key-data|client-certificate-data|aws_secret_access_key|password:|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]{10,}\.)/;

export function hide(value: unknown): unknown {
    return value === undefined || value instanceof HiddenValue ? value : new HiddenValue(JSON.stringify(value)?.length ?? 0);
}

/** A problem whose value is hidden when its key names a secret or the value looks like a credential. */
export function problem(segments: readonly PathSegment[], value: unknown, expected: string): ConfigProblem {
    // The key itself, not its parents: `userDataSecret.name` names a Secret, it is not one.
    const key = [...segments].reverse().find((s): s is string => typeof s === "string") ?? "";
    const secret = SECRET_KEY.test(key) || (value !== undefined && SECRET_VALUE.test(JSON.stringify(value) ?? ""));
    return { path: keyPath(segments), value: secret ? hide(value) : value, expected };
}

function show(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value instanceof HiddenValue) return `a hidden value (${value.characters} characters)`;
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function formatProblem(p: ConfigProblem): string {
    return `${p.path}: got ${show(p.value)}; expected ${p.expected}`;
}

/**
 * Stops the program before any resource is registered. A RunError, so Pulumi prints the message
 * alone, without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    readonly problems: readonly ConfigProblem[];
    readonly heading: string;
    readonly outcome: string;

    /** @param outcome what was registered before the failure: nothing, unless the cluster had to be read. */
    constructor(problems: readonly ConfigProblem[], heading = "invalid stack configuration", outcome = "nothing was registered") {
        const lines = problems.map((p) => `  - ${formatProblem(p)}`);
        super(`cluster-capacity: ${heading}; ${outcome}. ${problems.length} problem(s):\n${lines.join("\n")}`);
        this.name = "ConfigError";
        this.problems = problems;
        this.heading = heading;
        this.outcome = outcome;
    }
}

/** What a failure after reading the cluster has registered: the Kubernetes provider, nothing else. */
export const CLUSTER_READ = "only the Kubernetes provider (to read the cluster) was registered, no cluster object";

/** Stops the program when the pools' maximum size would exceed an AWS quota. */
export class QuotaError extends pulumi.RunError {
    constructor(details: string) {
        super(`cluster-capacity: quota pre-flight failed; no cluster object was registered.\n${details}`);
        this.name = "QuotaError";
    }
}

/**
 * Component arguments that do not fit together, raised before the component creates anything: the
 * message names the component, the property path in its args and what it needs, as pulumi-eks does
 * (`GpuPool h100: args.plan.pool.accelerator is "neuron"; expected nvidia (InferentiaPool takes the others)`).
 */
export class ArgsError extends pulumi.RunError {
    constructor(component: string, name: string, path: string, value: unknown, expected: string) {
        super(`${component} ${name}: args.${path} is ${value === undefined ? "missing" : JSON.stringify(value)}; expected ${expected}`);
    }
}

/**
 * Stops the run before any cluster object is registered when it would change MachineSets the
 * Machine API no longer owns (lib/plan/machineSetMigration.ts): changes Cluster API would undo, and that
 * from OpenShift 4.22 its admission policy refuses halfway through an update.
 */
export class MigratedMachineSetError extends pulumi.RunError {
    constructor(descriptions: readonly string[]) {
        super(
            `cluster-capacity: this run would change ${descriptions.length} MachineSet(s) that the Machine API no longer owns; no cluster object was registered.\n${descriptions.map((d) => `  - ${d}`).join("\n")}`,
        );
        this.name = "MigratedMachineSetError";
    }
}

/**
 * Stops the run before any cluster object is registered when the engine would delete pool
 * MachineSets that are not retired and drained (lib/plan/poolDeletions.ts), whatever `protect` says.
 */
export class PoolDeletionError extends pulumi.RunError {
    constructor(descriptions: readonly string[], steps: string) {
        super(
            `cluster-capacity: this run would delete ${descriptions.length} pool MachineSet(s) that are not retired and drained; no cluster object was registered.\n${descriptions.map((d) => `  - ${d}`).join("\n")}\n${steps}`,
        );
        this.name = "PoolDeletionError";
    }
}

/** An AWS call of the lookups the credentials were not allowed (or that failed): the action and what it was for. */
export function refusedLookup(action: string, purpose: string, error: unknown): ConfigProblem {
    return problem(["lookups"], "aws", `AWS lookups that can ${purpose} (${describeAwsFailure(action, error)})`);
}
