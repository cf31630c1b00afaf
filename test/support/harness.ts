/**
 * Runs the real program (index.ts) under Pulumi mocks, as `pulumi preview` would, and records every
 * registered resource with its inputs and resource options, and every AWS invoke.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { AwsFixture, answerInvoke } from "./aws";
import { runtimeConfig } from "../../lib/config/load";

const RESERVATION_TYPE = "aws:ec2/capacityReservation:CapacityReservation";

export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, unknown>;
    protect: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    deleteBeforeReplace: boolean;
    parent: string;
    /** A custom resource (with a provider and an id), not a component. */
    custom: boolean;
    provider: string;
    /** URNs of the resources this one depends on (dependsOn, and parents' dependsOn). */
    dependencies: string[];
    /** The customTimeouts resource option, as the engine receives it ("" where unset). */
    customTimeouts: { create: string; update: string; delete: string };
}

export interface RecordedInvoke {
    token: string;
    inputs: Record<string, unknown>;
    /** The provider reference (`urn::id`) the invoke went through, if explicit. */
    provider?: string;
}

export interface ProgramRun {
    /** What the program logged with pulumi.log.info. */
    logs: string[];
    /** What it logged with pulumi.log.error: the engine fails such an update once its registrations are done. */
    errors: string[];
    /** What it logged with pulumi.log.warn. */
    warnings: string[];
    outputs?: Record<string, unknown>;
    error?: Error;
    resources: RegisteredResource[];
    invokes: RecordedInvoke[];
    /** Objects read from the cluster (`type::id`). */
    reads: string[];
}

/** Stack config as it appears in a `Pulumi.<stack>.yaml` file: `namespace:key` → YAML value. */
export type StackConfig = Record<string, unknown>;

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getProtect(): boolean;
    getIgnorechangesList(): string[];
    getReplaceonchangesList(): string[];
    getDeletebeforereplace(): boolean;
    getParent(): string;
    getProvider(): string;
    getCustom(): boolean;
    getDependenciesList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}

const PROGRAM = path.resolve(__dirname, "..", "..", "index.ts");

/**
 * The stack config as the engine hands it to the program: each key Pulumi.yaml declares with a
 * `default` and the stack leaves out is set to that default (pulumi `pkg/workspace/config.go`).
 */
export function withProjectDefaults(config: StackConfig, projectFile = path.join(path.dirname(PROGRAM), "Pulumi.yaml")): StackConfig {
    const project = YAML.parse(fs.readFileSync(projectFile, "utf8")) as { name: string; config?: Record<string, { default?: unknown }> };
    const defaults = Object.entries(project.config ?? {}).flatMap(([key, declared]) =>
        declared.default === undefined ? [] : [[`${project.name}:${key}`, declared.default] as const],
    );
    return { ...Object.fromEntries(defaults), ...config };
}

export interface ProgramOptions {
    /** The program's entry file; default the cluster-capacity program. */
    program?: string;
    /** Config keys set with `--secret`. */
    secretKeys?: string[];
    project?: string;
    stack?: string;
}

export async function runProgram(config: StackConfig, aws: AwsFixture = {}, options: ProgramOptions = {}): Promise<ProgramRun> {
    const { program = PROGRAM, project = "cluster-capacity", stack = "test", secretKeys = [] } = options;
    const resources: RegisteredResource[] = [];
    const invokes: RecordedInvoke[] = [];
    const reads: string[] = [];
    const inputsByName = new Map<string, Record<string, unknown>>();
    let pending = 0;
    const duplicateUrns: string[] = [];

    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                if (args.id) {
                    // A `.get` read of an object that already exists in the cluster, or in AWS.
                    const state =
                        args.type === RESERVATION_TYPE
                            ? aws.capacityReservations?.[args.id]
                            : aws.clusterObjects?.[`${args.type}::${args.id}`];
                    if (!state) throw new Error(`${args.type} ${args.id} not found`);
                    reads.push(`${args.type}::${args.id}`);
                    return { id: args.id, state };
                }
                inputsByName.set(`${args.type}::${args.name}`, args.inputs);
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call(args) {
                invokes.push({ token: args.token, inputs: args.inputs, provider: args.provider });
                try {
                    return answerInvoke(aws, args.token, args.inputs);
                } catch (e) {
                    // The engine reports a failed invoke as a gRPC error whose `details` carry the provider's message.
                    throw Object.assign(new Error((e as Error).message), { details: (e as Error).message });
                }
            },
        },
        project,
        stack,
        true,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterRequest, callback: (err: unknown, res: unknown) => void): Promise<void>;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        pending++;
        const record: RegisteredResource = {
            type: req.getType(),
            name: req.getName(),
            urn: "",
            inputs: {},
            protect: req.getProtect(),
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            parent: req.getParent(),
            custom: req.getCustom(),
            provider: req.getProvider(),
            dependencies: req.getDependenciesList(),
            customTimeouts: {
                create: req.getCustomtimeouts()?.getCreate() ?? "",
                update: req.getCustomtimeouts()?.getUpdate() ?? "",
                delete: req.getCustomtimeouts()?.getDelete() ?? "",
            },
        };
        resources.push(record);
        return register(req, (err, res) => {
            record.urn = (res as { getUrn(): string } | undefined)?.getUrn() ?? "";
            if (resources.some((other) => other !== record && other.urn === record.urn)) duplicateUrns.push(record.urn);
            record.inputs = inputsByName.get(`${record.type}::${record.name}`) ?? {};
            pending--;
            callback(err, res);
        });
    };
    pulumi.runtime.setAllConfig(runtimeConfig(program === PROGRAM ? withProjectDefaults(config) : config), secretKeys);
    const logs: string[] = [];
    const errors: string[] = [];
    const warnings: string[] = [];
    const info = pulumi.log.info;
    const logError = pulumi.log.error;
    const logWarn = pulumi.log.warn;
    pulumi.log.warn = (message: string) => {
        warnings.push(message);
        return Promise.resolve();
    };
    pulumi.log.info = (message: string) => {
        logs.push(message);
        return Promise.resolve();
    };
    // The engine fails an update whose program logged an error, after its registrations are done.
    pulumi.log.error = (message: string) => {
        errors.push(message);
        return Promise.resolve();
    };

    delete require.cache[program];
    let outputs: Record<string, unknown> | undefined;
    let error: Error | undefined;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        outputs = await (require(program) as Promise<Record<string, unknown>> | Record<string, unknown>);
    } catch (e) {
        error = e as Error;
    }
    await settle(() => pending + resources.length * 1e6);
    pulumi.log.info = info;
    pulumi.log.error = logError;
    pulumi.log.warn = logWarn;
    // The engine refuses a second resource with the same URN, part-way through an update.
    if (!error && duplicateUrns.length > 0) error = new Error(`Duplicate resource URN(s): ${duplicateUrns.join(", ")}`);
    return { logs, errors, warnings, outputs, error, resources, invokes, reads };
}

/** Waits until registrations stop changing: constructors run synchronously, their RPCs do not. */
async function settle(state: () => number): Promise<void> {
    let last = -1;
    let stableTurns = 0;
    while (stableTurns < 5) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        const now = state();
        stableTurns = now === last && now % 1e6 === 0 ? stableTurns + 1 : 0;
        last = now;
    }
}

/** The Kubernetes objects a run rendered (those with apiVersion and kind: not Helm charts), optionally of one kind. */
export function rendered(run: ProgramRun, kind?: string): Record<string, unknown>[] {
    return run.resources
        .filter((r) => r.type.startsWith("kubernetes:"))
        .map((r) => r.inputs)
        .filter((o) => typeof o.apiVersion === "string" && (kind === undefined || o.kind === kind));
}

export function resourcesOfKind(run: ProgramRun, kind: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type.endsWith(`:${kind}`));
}

/** The one object of a kind (and name) a run rendered; fails the test when there is none or several. */
export function renderedObject(run: ProgramRun, kind: string, name?: string): any {
    const found = rendered(run, kind).filter((o) => name === undefined || (o.metadata as { name?: string }).name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
    }
    return found[0];
}

/** Every ClusterQueue's nominal quotas: queue → flavor → resource → quantity, for the resources `keep` accepts. */
export function clusterQueueQuotas(
    run: ProgramRun,
    keep: (resource: string) => boolean = () => true,
): Record<string, Record<string, Record<string, string>>> {
    type Flavor = { name: string; resources: { name: string; nominalQuota: string }[] };
    const queues = rendered(run, "ClusterQueue") as { metadata: { name: string }; spec: { resourceGroups: { flavors: Flavor[] }[] } }[];
    return Object.fromEntries(
        queues.map((q) => [
            q.metadata.name,
            Object.fromEntries(
                q.spec.resourceGroups[0].flavors.map((f) => [
                    f.name,
                    Object.fromEntries(f.resources.filter((r) => keep(r.name)).map((r) => [r.name, r.nominalQuota])),
                ]),
            ),
        ]),
    );
}
