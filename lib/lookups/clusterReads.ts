/**
 * What the program reads from the cluster itself, through the Kubernetes provider (so Pulumi mocks
 * answer it in tests): each object once, however many pools need it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BOOT_IMAGES_CONFIGMAP } from "./bootImages";
import { MACHINE_API_NAMESPACE } from "../naming";
import { MACHINE_API_VERSION } from "../../policy/lib/contract";

export interface ClusterReads {
    /** `data.stream` of the Machine Config Operator's `coreos-bootimages` ConfigMap. */
    bootImageStream(): Promise<string | undefined>;
    /** The `spec` of a MachineSet in openshift-machine-api (the engine fails the run if it does not exist). */
    machineSetSpec(name: string): Promise<unknown>;
}

/**
 * The value of an output read from the cluster. Reads are performed in previews too, so the value is
 * known; an unknown one (a provider configured from unknown values) yields undefined instead of
 * waiting forever. `isKnown` and `promise` are the SDK's own accessors (used by its test utilities).
 */
export async function readValue<T>(output: pulumi.Output<T>): Promise<T | undefined> {
    const internal = output as unknown as { isKnown: Promise<boolean>; promise(): Promise<T> };
    return (await internal.isKnown) ? internal.promise() : undefined;
}

export function clusterReads(provider: k8s.Provider): ClusterReads {
    let stream: Promise<string | undefined> | undefined;
    const machineSets = new Map<string, Promise<unknown>>();
    return {
        machineSetSpec(name) {
            if (!machineSets.has(name)) {
                // `CustomResource.get` exposes only apiVersion and kind; naming spec makes it an output too.
                const read = new k8s.apiextensions.CustomResource(
                    `worker-machineset-${name}`,
                    { apiVersion: MACHINE_API_VERSION, kind: "MachineSet", spec: undefined },
                    { provider, id: `${MACHINE_API_NAMESPACE}/${name}` },
                );
                machineSets.set(name, readValue((read as unknown as { spec: pulumi.Output<unknown> }).spec));
            }
            return machineSets.get(name) as Promise<unknown>;
        },
        bootImageStream() {
            const { namespace, name } = BOOT_IMAGES_CONFIGMAP;
            stream ??= readValue(k8s.core.v1.ConfigMap.get("coreos-bootimages", `${namespace}/${name}`, { provider }).data).then(
                (data) => data?.stream,
            );
            return stream;
        },
    };
}
