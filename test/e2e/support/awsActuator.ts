/**
 * Plays what the module proxy cannot serve between a Machine and its Node: the AWS machine actuator
 * (openshift/machine-api-provider-aws), EC2, and the kubelet's registration. Small on purpose; it
 * does what machine-api-provider-aws's machine controller does with a Machine and nothing more:
 *
 * - a new Machine gets the controller's finalizer, `spec.providerID` (`aws:///<zone>/<instance>`),
 *   its addresses and phase `Provisioned`, and a Node registers with the same providerID: its
 *   addresses, and the capacity of the instance type as the program's catalogue has it (cpu,
 *   memory, pods, `nvidia.com/gpu`, `aws.amazon.com/neuron…`, `vpc.amazonaws.com/efa`), as the
 *   kubelet and the device plugins report them. Nothing else: the Node's labels, taints and its
 *   `machine.openshift.io/machine` annotation come from the real nodelink-controller, its conditions
 *   from kwok;
 * - a Machine whose Node the nodelink-controller linked (`status.nodeRef`) is `Running`;
 * - a deleted Machine's Node goes (the instance is terminated) and the finalizer is removed.
 */
import * as fs from "fs";
import { BUILTIN_INSTANCE_TYPES, InstanceSpec } from "../../../policy/lib/catalogue";
import { EFA_RESOURCE, GPU_RESOURCE, MACHINE_API_NAMESPACE, NEURON_RESOURCE, NEURONCORE_RESOURCE } from "../../../policy/lib/contract";
import type { ApiServer } from "./apiServer";

/** Where the Machine API keeps Machines. */
export const MACHINES = `/apis/machine.openshift.io/v1beta1/namespaces/${MACHINE_API_NAMESPACE}/machines`;
/** machine-api-operator pkg/controller/machine/controller.go: the machine controller's finalizer. */
const MACHINE_FINALIZER = "machine.machine.openshift.io";
/** What the catalogue lacks: the installer's worker type. */
const GENERAL_PURPOSE: Record<string, InstanceSpec> = { "m6i.xlarge": { vcpus: 4, memoryMiB: 16 * 1024, gpus: 0, neuronDevices: 0 } };

interface Machine {
    metadata: { name: string; deletionTimestamp?: string; finalizers?: string[]; resourceVersion: string };
    spec: {
        providerID?: string;
        providerSpec?: { value?: { instanceType?: string; placement?: { availabilityZone?: string }; networkInterfaceType?: string } };
    };
    status?: { phase?: string; nodeRef?: { name: string } };
}

/** The capacity a Node of this instance type reports: the kubelet's cpu, memory and pods, and each device plugin's devices. */
export function nodeCapacity(instanceType: string, efa: boolean): Record<string, string> {
    const spec = BUILTIN_INSTANCE_TYPES[instanceType] ?? GENERAL_PURPOSE[instanceType];
    if (!spec) throw new Error(`the AWS actuator player knows no instance type ${instanceType}`);
    return {
        cpu: String(spec.vcpus),
        memory: `${spec.memoryMiB}Mi`,
        pods: "250",
        ...(spec.gpus > 0 && { [GPU_RESOURCE]: String(spec.gpus) }),
        ...(spec.neuronDevices > 0 && { [NEURON_RESOURCE]: String(spec.neuronDevices), [NEURONCORE_RESOURCE]: String(spec.neuronCores) }),
        ...(efa && { [EFA_RESOURCE]: "1" }),
    };
}

export class AwsActuatorPlayer {
    private timer?: NodeJS.Timeout;
    private busy = false;
    private hosts = 0;
    /** Instances launched, by Machine name: what the Node is called. */
    readonly instances = new Map<string, { node: string; instanceId: string }>();

    constructor(
        private readonly server: ApiServer,
        private readonly region: string,
        private readonly log: string,
    ) {}

    start(): void {
        this.timer = setInterval(() => void this.tick(), 500);
    }

    stop(): void {
        clearInterval(this.timer);
    }

    private say(line: string): void {
        fs.appendFileSync(this.log, `${new Date().toISOString()} ${line}\n`);
    }

    private async tick(): Promise<void> {
        if (this.busy) return;
        this.busy = true;
        try {
            const list = await this.server.request("GET", MACHINES);
            for (const machine of (list.body?.items ?? []) as Machine[]) await this.reconcile(machine);
        } catch (e) {
            this.say(`error: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
            this.busy = false;
        }
    }

    private async patch(path: string, body: unknown, type = "application/merge-patch+json"): Promise<void> {
        const answer = await this.server.request("PATCH", path, body, type);
        if (answer.status !== 200) this.say(`PATCH ${path}: ${answer.status} ${JSON.stringify(answer.body?.message ?? answer.body)}`);
    }

    private async reconcile(machine: Machine): Promise<void> {
        const { name } = machine.metadata;
        const path = `${MACHINES}/${name}`;
        const finalizers = machine.metadata.finalizers ?? [];
        if (machine.metadata.deletionTimestamp) {
            if (!finalizers.includes(MACHINE_FINALIZER)) return;
            const node = machine.status?.nodeRef?.name ?? this.instances.get(name)?.node;
            if (node) {
                const deleted = await this.server.request("DELETE", `/api/v1/nodes/${node}`);
                this.say(`terminated ${name}: Node ${node} ${deleted.status}`);
            }
            this.instances.delete(name);
            await this.patch(
                path,
                [
                    { op: "test", path: "/metadata/resourceVersion", value: machine.metadata.resourceVersion },
                    { op: "replace", path: "/metadata/finalizers", value: finalizers.filter((f) => f !== MACHINE_FINALIZER) },
                ],
                "application/json-patch+json",
            );
            return;
        }
        if (!machine.spec.providerID) {
            const value = machine.spec.providerSpec?.value ?? {};
            const zone = value.placement?.availabilityZone ?? `${this.region}a`;
            this.hosts += 1;
            const ip = `10.0.${Math.floor(this.hosts / 250)}.${(this.hosts % 250) + 4}`;
            const node = `ip-${ip.replaceAll(".", "-")}.${this.region}.compute.internal`;
            const instanceId = `i-0e2e${this.hosts.toString(16).padStart(13, "0")}`;
            const providerID = `aws:///${zone}/${instanceId}`;
            const addresses = [
                { type: "InternalIP", address: ip },
                { type: "InternalDNS", address: node },
                { type: "Hostname", address: node },
            ];
            await this.patch(path, { metadata: { finalizers: [...finalizers, MACHINE_FINALIZER] }, spec: { providerID } });
            await this.patch(`${path}/status`, {
                status: {
                    phase: "Provisioned",
                    addresses,
                    providerStatus: {
                        apiVersion: "machine.openshift.io/v1beta1",
                        kind: "AWSMachineProviderStatus",
                        instanceId,
                        instanceState: "running",
                    },
                },
            });
            const capacity = nodeCapacity(value.instanceType ?? "", value.networkInterfaceType === "EFA");
            const registered = await this.server.request("POST", "/api/v1/nodes", {
                apiVersion: "v1",
                kind: "Node",
                metadata: { name: node },
                spec: { providerID },
                status: { capacity, allocatable: capacity, addresses: addresses.filter((a) => a.type !== "InternalDNS") },
            });
            this.instances.set(name, { node, instanceId });
            this.say(`launched ${name}: ${value.instanceType} ${providerID}, Node ${node} ${registered.status}`);
            return;
        }
        if (machine.status?.nodeRef && machine.status.phase !== "Running") {
            await this.patch(`${path}/status`, { status: { phase: "Running" } });
            this.say(`${name} is Running on ${machine.status.nodeRef.name}`);
        }
    }
}
